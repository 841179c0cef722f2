//! A partner's groups and their memberships. Every function takes the
//! partner, so a group is only ever reached through its own partner.

use super::customers::{self, Customer};
use super::{fold, search, unique, CustomerId, Error, GroupId, PartnerId, Slice};
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

/// The key that keeps a partner's group names apart (ignoring case).
pub const NAME_KEY: &str = "groups.name_key";

fn map_write_error(e: rusqlite::Error) -> Error {
    unique(e, NAME_KEY)
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

/// A page of the partner's groups (by id) whose name holds every word of
/// the search, and how many match in all.
pub fn list(
    c: &Connection,
    partner: PartnerId,
    slice: &Slice,
) -> rusqlite::Result<(Vec<Group>, i64)> {
    // The kept counter is the total without a search.
    let in_partner: i64 = c
        .prepare_cached("SELECT groups_count FROM partners WHERE id = ?1")?
        .query_row([partner], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let Some(words) = &slice.search else {
        let rows = c
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM groups WHERE partner_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"
            ))?
            .query_map(params![partner, slice.per_page, slice.offset()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Ok((rows, in_partner));
    };
    let plan = search::plan(c, &search::GROUPS, words)?;
    let (ids, total) = match plan.index_query(in_partner) {
        Some((query, _)) => search::page_of_matches(
            c,
            "SELECT g.id, g.name_key FROM groups_search s CROSS JOIN groups g
                 WHERE groups_search MATCH ?1 AND g.id = s.rowid AND g.partner_id = ?2
                 ORDER BY s.rowid",
            params![query, partner],
            words,
            slice.offset(),
            slice.per_page,
        )?,
        None => search::page_of_matches(
            c,
            "SELECT id, name_key FROM groups WHERE partner_id = ?1 ORDER BY id",
            [partner],
            words,
            slice.offset(),
            slice.per_page,
        )?,
    };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(find(c, partner, GroupId(id))?);
    }
    Ok((rows, total))
}

/// Creates a group; a name the partner already has is
/// [`Error::Unique`]`(`[`NAME_KEY`]`)`.
pub fn create(
    c: &Connection,
    partner: PartnerId,
    name: &str,
    description: Option<&str>,
    now: &str,
) -> super::Result<Group> {
    // The row as inserted is the group as created: no trigger changes a new
    // group's own row, so it is not read again.
    c.prepare_cached(&format!(
        "INSERT INTO groups (partner_id, name, name_key, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING {COLUMNS}"
    ))?
    .query_row(
        params![partner, name, fold(name), description, now],
        from_row,
    )
    .map_err(map_write_error)
}

/// Changes the given fields (`None` leaves a field as it is); `None` when
/// the partner has no such group.
pub fn update(
    c: &Connection,
    partner: PartnerId,
    id: GroupId,
    name: Option<&str>,
    description: Option<Option<&str>>,
    now: &str,
) -> super::Result<Option<Group>> {
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
    Ok(find(c, partner, id)?)
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
    let in_group: i64 = c
        .prepare_cached("SELECT customers_count FROM groups WHERE id = ?1 AND partner_id = ?2")?
        .query_row(params![group, partner], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let Some(words) = &slice.search else {
        let total = in_group;
        if slice.offset() >= total {
            return Ok((Vec::new(), total));
        }
        let (mut from_customer, skip) = seek(c, group, slice.offset())?;
        if skip > 0 {
            // The rows skipped inside the block are walked in the membership
            // index alone: an OFFSET on the join below would read each
            // skipped member's customer row too (up to 1023 of them).
            match c
                .prepare_cached(
                    "SELECT customer_id FROM group_customers WHERE group_id = ?1 AND customer_id >= ?2
                     ORDER BY customer_id LIMIT 1 OFFSET ?3",
                )?
                .query_row(params![group, from_customer, skip], |r| r.get(0))
                .optional()?
            {
                Some(first) => from_customer = first,
                None => return Ok((Vec::new(), total)),
            }
        }
        // The trigger group_customers_same_partner keeps every member in the
        // group's own partner, and the group was found under `partner`; the
        // foreign key keeps a customer behind every membership, so the join
        // drops no row the index walk above counted.
        let rows = c
            .prepare_cached(&format!(
                "SELECT {}, m.added_at FROM group_customers m JOIN customers c ON c.id = m.customer_id
                 WHERE m.group_id = ?1 AND m.customer_id >= ?2
                 ORDER BY m.customer_id LIMIT ?3",
                customers::COLUMNS_C
            ))?
            .query_map(params![group, from_customer, slice.per_page], member_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Ok((rows, total));
    };
    let plan = search::plan(c, &search::CUSTOMERS, words)?;
    let (ids, total) = match plan.index_query(in_group) {
        // A group large next to what the index finds: walk both side by
        // side rather than look each candidate up in the group.
        Some((query, estimate)) if in_group <= estimate.saturating_mul(SEEK_COST) => {
            matches_walking_both(c, group, query, words, slice.offset(), slice.per_page)?
        }
        Some((query, _)) => search::page_of_matches(
            c,
            // Membership before the customer's row: a key is read only for
            // the candidates that are members. The group was found under
            // `partner`, and the trigger group_customers_same_partner keeps
            // its members there.
            "SELECT c.id, c.search_key
                 FROM customers_search s CROSS JOIN group_customers m CROSS JOIN customers c
                 WHERE customers_search MATCH ?1 AND m.group_id = ?2 AND m.customer_id = s.rowid
                   AND c.id = m.customer_id
                 ORDER BY s.rowid",
            params![query, group],
            words,
            slice.offset(),
            slice.per_page,
        )?,
        None => search::page_of_matches(
            c,
                "SELECT c.id, c.search_key FROM group_customers m JOIN customers c ON c.id = m.customer_id
                 WHERE m.group_id = ?1 AND c.partner_id = ?2 ORDER BY m.customer_id",
            params![group, partner],
            words,
            slice.offset(),
            slice.per_page,
        )?,
    };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(member(c, partner, group, CustomerId(id))?);
    }
    Ok((rows, total))
}

/// About what looking one id up in a group costs, in rows of the group
/// read in order: past this many members per candidate, looking each
/// candidate up is cheaper than walking the group.
const SEEK_COST: i64 = 16;

/// The search's matches among the group's members when the group is large:
/// the index's candidates and the group's members, both in customer id
/// order, walked side by side (the group read front to back once instead
/// of sought once per candidate); a key is read only for ids in both.
/// Returns the ids on the page `[offset, offset + limit)` and the total.
fn matches_walking_both(
    c: &Connection,
    group: GroupId,
    query: &str,
    search: &search::Search,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<(Vec<i64>, i64)> {
    let mut found = c.prepare_cached(
        "SELECT rowid FROM customers_search WHERE customers_search MATCH ?1 ORDER BY rowid",
    )?;
    let mut members = c.prepare_cached(
        "SELECT customer_id FROM group_customers WHERE group_id = ?1 ORDER BY customer_id",
    )?;
    let mut key = c.prepare_cached("SELECT search_key FROM customers WHERE id = ?1")?;
    let mut found = found.query([query])?;
    let mut members = members.query([group])?;
    let mut member = members.next()?.map(|r| r.get::<_, i64>(0)).transpose()?;
    let mut tally = search::Tally::new(search, offset, limit);
    while let Some(row) = found.next()? {
        let id: i64 = row.get(0)?;
        while member.is_some_and(|m| m < id) {
            member = members.next()?.map(|r| r.get::<_, i64>(0)).transpose()?;
        }
        match member {
            None => break,
            Some(m) if m == id => {}
            Some(_) => continue,
        }
        let mut rows = key.query([id])?;
        if let Some(k) = rows.next()? {
            tally.offer(id, k.get_ref(0)?.as_str().unwrap_or_default());
        }
    }
    Ok(tally.finish())
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
/// changes nothing. Returns the membership and whether it is new; `None`
/// when the partner has no such customer.
pub fn add_member(
    c: &Connection,
    partner: PartnerId,
    group: GroupId,
    customer: CustomerId,
    now: &str,
) -> super::Result<Option<(Member, bool)>> {
    // The trigger group_customers_same_partner refuses a foreign customer
    // even if this check were skipped.
    if !customers::exists(c, partner, customer)? {
        return Ok(None);
    }
    let added = c
        .prepare_cached(
            "INSERT INTO group_customers (group_id, customer_id, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (group_id, customer_id) DO NOTHING",
        )?
        .execute(params![group, customer, now])?
        > 0;
    let member =
        member(c, partner, group, customer)?.ok_or(Error::Internal("an added member vanished"))?;
    Ok(Some((member, added)))
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
