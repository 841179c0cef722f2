//! A partner's groups and their memberships. Every function takes the
//! partner, so a group is only ever reached through its own partner.

use super::customers::{self, Customer};
use super::{fold, is_unique_violation, CustomerId, GroupId, PartnerId, Slice};
use crate::api::error::ApiError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

/// A group as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: GroupId,
    pub partner_id: PartnerId,
    pub name: String,
    pub description: Option<String>,
    pub customers_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A customer in a group: the customer plus when it was added.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub customer: Customer,
    pub added_at: String,
}

const COLUMNS: &str = "id, partner_id, name, description, customers_count, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        id: r.get(0)?,
        partner_id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        customers_count: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// The 422 for a name the partner already uses (in any case).
fn name_taken() -> ApiError {
    ApiError::invalid("name", "The name has already been taken.")
}

fn map_write_error(e: rusqlite::Error) -> ApiError {
    if is_unique_violation(&e, "groups.name_key") {
        name_taken()
    } else {
        e.into()
    }
}

/// One group of a partner.
pub fn find(c: &Connection, partner: PartnerId, id: GroupId) -> rusqlite::Result<Option<Group>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM groups WHERE id = ?1 AND partner_id = ?2"
    ))?
    .query_row(params![id, partner], from_row)
    .optional()
}

/// Whether the partner has this group.
pub fn exists(c: &Connection, partner: PartnerId, id: GroupId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM groups WHERE id = ?1 AND partner_id = ?2")?
        .exists(params![id, partner])
}

/// A page of the partner's groups (by id) whose name contains the search,
/// and how many match in all.
pub fn list(
    c: &Connection,
    partner: PartnerId,
    slice: &Slice,
) -> rusqlite::Result<(Vec<Group>, i64)> {
    let Some(needle) = &slice.search else {
        // No search: the kept counter is the total.
        let total: i64 = c
            .prepare_cached("SELECT groups_count FROM partners WHERE id = ?1")?
            .query_row([partner], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let rows = c
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM groups WHERE partner_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"
            ))?
            .query_map(params![partner, slice.per_page, slice.offset()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Ok((rows, total));
    };
    let total: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM groups WHERE partner_id = ?1 AND instr(name_key, ?2) > 0",
        )?
        .query_row(params![partner, needle], |r| r.get(0))?;
    let rows = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM groups WHERE partner_id = ?1 AND instr(name_key, ?2) > 0
             ORDER BY id LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![partner, needle, slice.per_page, slice.offset()],
            from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// Creates a group; a name the partner already has is a 422.
pub fn create(
    c: &Connection,
    partner: PartnerId,
    name: &str,
    description: Option<&str>,
    now: &str,
) -> Result<Group, ApiError> {
    let id: GroupId = c
        .prepare_cached(
            "INSERT INTO groups (partner_id, name, name_key, description, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
        )?
        .query_row(params![partner, name, fold(name), description, now], |r| {
            r.get(0)
        })
        .map_err(map_write_error)?;
    find(c, partner, id)?.ok_or_else(|| ApiError::internal("a created group vanished"))
}

/// Changes the given fields (`None` leaves a field as it is).
pub fn update(
    c: &Connection,
    partner: PartnerId,
    id: GroupId,
    name: Option<&str>,
    description: Option<Option<&str>>,
    now: &str,
) -> Result<Group, ApiError> {
    c.prepare_cached(
        "UPDATE groups SET
             name = coalesce(?3, name),
             name_key = coalesce(?4, name_key),
             description = CASE WHEN ?5 THEN ?6 ELSE description END,
             updated_at = ?7
         WHERE id = ?1 AND partner_id = ?2",
    )?
    .execute(params![
        id,
        partner,
        name,
        name.map(fold),
        description.is_some(),
        description.flatten(),
        now
    ])
    .map_err(map_write_error)?;
    find(c, partner, id)?.ok_or(ApiError::NotFound)
}

/// Deletes a group and its memberships (never the customers).
pub fn delete(c: &Connection, partner: PartnerId, id: GroupId) -> rusqlite::Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM groups WHERE id = ?1 AND partner_id = ?2")?
            .execute(params![id, partner])?
            > 0,
    )
}

fn member_from_row(r: &Row<'_>) -> rusqlite::Result<Member> {
    Ok(Member {
        customer: customers::from_row(r)?,
        added_at: r.get(8)?,
    })
}

/// A page of a group's members (by customer id) matching the search, and
/// how many match in all. Without a search the total is the kept counter
/// and the page is found through `group_customer_blocks`.
pub fn members(
    c: &Connection,
    partner: PartnerId,
    group: GroupId,
    slice: &Slice,
) -> rusqlite::Result<(Vec<Member>, i64)> {
    let Some(needle) = &slice.search else {
        let total: i64 = c
            .prepare_cached("SELECT customers_count FROM groups WHERE id = ?1 AND partner_id = ?2")?
            .query_row(params![group, partner], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        if slice.offset() >= total {
            return Ok((Vec::new(), total));
        }
        let (from_customer, skip) = seek(c, group, slice.offset())?;
        // The trigger group_customers_same_partner keeps every member in the
        // group's own partner, and the group was found under `partner`.
        let rows = c
            .prepare_cached(&format!(
                "SELECT {}, m.added_at FROM group_customers m JOIN customers c ON c.id = m.customer_id
                 WHERE m.group_id = ?1 AND m.customer_id >= ?2
                 ORDER BY m.customer_id LIMIT ?3 OFFSET ?4",
                customers::COLUMNS_C
            ))?
            .query_map(params![group, from_customer, slice.per_page, skip], member_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Ok((rows, total));
    };
    let total: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM group_customers m JOIN customers c ON c.id = m.customer_id
             WHERE m.group_id = ?1 AND c.partner_id = ?2 AND instr(c.search_key, ?3) > 0 AND instr(?3, char(10)) = 0",
        )?
        .query_row(params![group, partner, needle], |r| r.get(0))?;
    let rows = c
        .prepare_cached(&format!(
            "SELECT {}, m.added_at FROM group_customers m JOIN customers c ON c.id = m.customer_id
             WHERE m.group_id = ?1 AND c.partner_id = ?2 AND instr(c.search_key, ?3) > 0 AND instr(?3, char(10)) = 0
             ORDER BY m.customer_id LIMIT ?4 OFFSET ?5",
            customers::COLUMNS_C
        ))?
        .query_map(
            params![group, partner, needle, slice.per_page, slice.offset()],
            member_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// Where the member at `offset` (0-based, in customer id order) is: the
/// first customer id of its block and how many members of the block come
/// before it.
fn seek(c: &Connection, group: GroupId, offset: i64) -> rusqlite::Result<(i64, i64)> {
    let mut before = 0i64;
    let mut stmt = c.prepare_cached(
        "SELECT block, members FROM group_customer_blocks WHERE group_id = ?1 ORDER BY block",
    )?;
    let mut rows = stmt.query([group])?;
    while let Some(row) = rows.next()? {
        let (block, members): (i64, i64) = (row.get(0)?, row.get(1)?);
        if before + members > offset {
            return Ok((block << 10, offset - before));
        }
        before += members;
    }
    // Past the end (the counter and blocks disagree only if corrupt).
    Ok((i64::MAX, 0))
}

/// One membership.
pub fn member(
    c: &Connection,
    partner: PartnerId,
    group: GroupId,
    customer: CustomerId,
) -> rusqlite::Result<Option<Member>> {
    c.prepare_cached(&format!(
        "SELECT {}, m.added_at FROM group_customers m JOIN customers c ON c.id = m.customer_id
         WHERE m.group_id = ?1 AND m.customer_id = ?2 AND c.partner_id = ?3",
        customers::COLUMNS_C
    ))?
    .query_row(params![group, customer, partner], member_from_row)
    .optional()
}

/// Adds a customer of the same partner to a group; adding a member again
/// changes nothing. Returns the membership and whether it is new.
pub fn add_member(
    c: &Connection,
    partner: PartnerId,
    group: GroupId,
    customer: CustomerId,
    now: &str,
) -> Result<(Member, bool), ApiError> {
    // The trigger group_customers_same_partner refuses a foreign customer
    // even if this check were skipped.
    if !customers::exists(c, partner, customer)? {
        return Err(ApiError::invalid(
            "customer_id",
            "The selected customer id is invalid.",
        ));
    }
    let added = c
        .prepare_cached(
            "INSERT INTO group_customers (group_id, customer_id, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (group_id, customer_id) DO NOTHING",
        )?
        .execute(params![group, customer, now])?
        > 0;
    let member = member(c, partner, group, customer)?
        .ok_or_else(|| ApiError::internal("an added member vanished"))?;
    Ok((member, added))
}

/// Removes a membership; `false` when the customer was not a member.
pub fn remove_member(
    c: &Connection,
    group: GroupId,
    customer: CustomerId,
) -> rusqlite::Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM group_customers WHERE group_id = ?1 AND customer_id = ?2")?
            .execute(params![group, customer])?
            > 0,
    )
}

/// Up to `limit` members with customer ids above `after`, in id order, for
/// the CSV export. Every row is read under the partner: a group id from a
/// stale request can never reach another partner's customers.
pub fn export_chunk(
    c: &Connection,
    partner: PartnerId,
    group: GroupId,
    after: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Member>> {
    c.prepare_cached(&format!(
        "SELECT {}, m.added_at
         FROM group_customers m
         JOIN groups g ON g.id = m.group_id
         JOIN customers c ON c.id = m.customer_id
         WHERE m.group_id = ?1 AND g.partner_id = ?2 AND c.partner_id = ?2 AND m.customer_id > ?3
         ORDER BY m.customer_id LIMIT ?4",
        customers::COLUMNS_C
    ))?
    .query_map(params![group, partner, after, limit], member_from_row)?
    .collect()
}
