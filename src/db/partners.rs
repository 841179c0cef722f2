//! Partners (venues).

use super::{is_foreign_key_violation, Error, PartnerId, Slice};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

/// A partner as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Partner> {
    Ok(Partner {
        id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
    })
}

/// One partner.
pub fn find(c: &Connection, id: PartnerId) -> rusqlite::Result<Option<Partner>> {
    c.prepare_cached("SELECT id, name, created_at, updated_at FROM partners WHERE id = ?1")?
        .query_row([id], from_row)
        .optional()
}

/// Whether the partner exists.
pub fn exists(c: &Connection, id: PartnerId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM partners WHERE id = ?1")?
        .exists([id])
}

/// A page of all partners, or of those in `only` (a non-admin's own).
pub fn list(
    c: &Connection,
    only: Option<&[PartnerId]>,
    slice: &Slice,
) -> rusqlite::Result<(Vec<Partner>, i64)> {
    match only {
        None => {
            let total: i64 = c
                .prepare_cached("SELECT count(*) FROM partners")?
                .query_row([], |r| r.get(0))?;
            let rows = c
                .prepare_cached(
                    "SELECT id, name, created_at, updated_at FROM partners ORDER BY id LIMIT ?1 OFFSET ?2",
                )?
                .query_map(params![slice.per_page, slice.offset()], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((rows, total))
        }
        Some(ids) => {
            // A user works for a handful of partners: filter in memory.
            let mut all = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(p) = find(c, *id)? {
                    all.push(p);
                }
            }
            all.sort_by_key(|p| p.id);
            let total = all.len() as i64;
            let rows = all
                .into_iter()
                .skip(usize::try_from(slice.offset()).unwrap_or(usize::MAX))
                .take(slice.per_page as usize)
                .collect();
            Ok((rows, total))
        }
    }
}

/// Creates a partner.
pub fn create(c: &Connection, name: &str, now: &str) -> rusqlite::Result<Partner> {
    let id: PartnerId = c
        .prepare_cached(
            "INSERT INTO partners (name, created_at, updated_at) VALUES (?1, ?2, ?2) RETURNING id",
        )?
        .query_row(params![name, now], |r| r.get(0))?;
    find(c, id).map(|p| p.expect("the partner just inserted"))
}

/// Renames a partner; `None` when there is no such partner.
pub fn update(
    c: &Connection,
    id: PartnerId,
    name: Option<&str>,
    now: &str,
) -> rusqlite::Result<Option<Partner>> {
    c.prepare_cached(
        "UPDATE partners SET name = coalesce(?2, name), updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, name, now])?;
    find(c, id)
}

/// Deletes a partner; one that still has groups or customers is
/// [`Error::Conflict`] (their RESTRICT foreign keys refuse it).
pub fn delete(c: &Connection, id: PartnerId) -> super::Result<bool> {
    match c
        .prepare_cached("DELETE FROM partners WHERE id = ?1")?
        .execute([id])
    {
        Ok(n) => Ok(n > 0),
        Err(e) if is_foreign_key_violation(&e) => Err(Error::Conflict),
        Err(e) => Err(e.into()),
    }
}
