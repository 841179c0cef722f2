//! A partner's customers. Every function takes the partner.

use super::{fold, search, unique, CustomerId, Error, PartnerId, Slice};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

/// A customer as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: CustomerId,
    pub partner_id: PartnerId,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The customer columns, for a query that names the table `c`.
pub const COLUMNS_C: &str =
    "c.id, c.partner_id, c.first_name, c.last_name, c.email, c.phone, c.created_at, c.updated_at";

/// Reads the first eight columns as named in [`COLUMNS_C`].
pub fn from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        partner_id: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        email: r.get(4)?,
        phone: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

/// What `search` looks through: first name, last name and email.
pub fn search_key(first_name: &str, last_name: &str, email: Option<&str>) -> String {
    format!(
        "{}\n{}\n{}",
        fold(first_name),
        fold(last_name),
        email.map(fold).unwrap_or_default()
    )
}

/// The key that keeps one email to one customer of a partner (ignoring case).
pub const EMAIL_KEY: &str = "customers.email_key";

fn map_write_error(e: rusqlite::Error) -> Error {
    unique(e, EMAIL_KEY)
}

/// One customer of a partner.
pub fn find(
    c: &Connection,
    partner: PartnerId,
    id: CustomerId,
) -> rusqlite::Result<Option<Customer>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS_C} FROM customers c WHERE c.id = ?1 AND c.partner_id = ?2"
    ))?
    .query_row(params![id, partner], from_row)
    .optional()
}

/// Whether the partner has this customer.
pub fn exists(c: &Connection, partner: PartnerId, id: CustomerId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM customers WHERE id = ?1 AND partner_id = ?2")?
        .exists(params![id, partner])
}

/// A page of the partner's customers matching the search, and the total.
pub fn list(
    c: &Connection,
    partner: PartnerId,
    slice: &Slice,
) -> rusqlite::Result<(Vec<Customer>, i64)> {
    let in_partner: i64 = c
        .prepare_cached("SELECT customers_count FROM partners WHERE id = ?1")?
        .query_row([partner], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let Some(words) = &slice.search else {
        let rows = c
            .prepare_cached(&format!(
                "SELECT {COLUMNS_C} FROM customers c WHERE c.partner_id = ?1 ORDER BY c.id LIMIT ?2 OFFSET ?3"
            ))?
            .query_map(params![partner, slice.per_page, slice.offset()], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Ok((rows, in_partner));
    };
    let plan = search::plan(c, &search::CUSTOMERS, words)?;
    let (ids, total) = match plan.index_query(in_partner) {
        // CROSS JOIN keeps the index first: it yields ids in order.
        Some((query, _)) => search::page_of_matches(
            c,
            "SELECT c.id, c.search_key FROM customers_search s CROSS JOIN customers c
                 WHERE customers_search MATCH ?1 AND c.id = s.rowid AND c.partner_id = ?2
                 ORDER BY s.rowid",
            params![query, partner],
            words,
            slice.offset(),
            slice.per_page,
        )?,
        None => search::page_of_matches(
            c,
            "SELECT id, search_key FROM customers WHERE partner_id = ?1 ORDER BY id",
            [partner],
            words,
            slice.offset(),
            slice.per_page,
        )?,
    };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(find(c, partner, CustomerId(id))?);
    }
    Ok((rows, total))
}

/// The fields of a customer, validated.
#[derive(Debug, Clone)]
pub struct Fields {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Creates a customer; an email the partner already has is
/// [`Error::Unique`]`(`[`EMAIL_KEY`]`)`.
pub fn create(
    c: &Connection,
    partner: PartnerId,
    f: &Fields,
    now: &str,
) -> super::Result<Customer> {
    let id: CustomerId = c
        .prepare_cached(
            "INSERT INTO customers
                 (partner_id, first_name, last_name, email, email_key, phone, search_key, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
        )?
        .query_row(
            params![
                partner,
                f.first_name,
                f.last_name,
                f.email,
                f.email.as_deref().map(fold),
                f.phone,
                search_key(&f.first_name, &f.last_name, f.email.as_deref()),
                now
            ],
            |r| r.get(0),
        )
        .map_err(map_write_error)?;
    find(c, partner, id)?.ok_or(Error::Internal("a created customer vanished"))
}

/// Writes a customer's fields as a whole (the caller merged the change);
/// `None` when the partner has no such customer.
pub fn update(
    c: &Connection,
    partner: PartnerId,
    id: CustomerId,
    f: &Fields,
    now: &str,
) -> super::Result<Option<Customer>> {
    c.prepare_cached(
        "UPDATE customers SET first_name = ?3, last_name = ?4, email = ?5, email_key = ?6,
             phone = ?7, search_key = ?8, updated_at = ?9
         WHERE id = ?1 AND partner_id = ?2",
    )?
    .execute(params![
        id,
        partner,
        f.first_name,
        f.last_name,
        f.email,
        f.email.as_deref().map(fold),
        f.phone,
        search_key(&f.first_name, &f.last_name, f.email.as_deref()),
        now
    ])
    .map_err(map_write_error)?;
    Ok(find(c, partner, id)?)
}

/// Deletes a customer and its memberships.
pub fn delete(c: &Connection, partner: PartnerId, id: CustomerId) -> rusqlite::Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM customers WHERE id = ?1 AND partner_id = ?2")?
            .execute(params![id, partner])?
            > 0,
    )
}

/// The partner's customer with this email (trimmed, any case), if any.
pub fn find_by_email(
    c: &Connection,
    partner: PartnerId,
    email: &str,
) -> rusqlite::Result<Option<CustomerId>> {
    c.prepare_cached("SELECT id FROM customers WHERE partner_id = ?1 AND email_key = ?2")?
        .query_row(params![partner, fold(email)], |r| r.get(0))
        .optional()
}
