//! Bearer tokens, stored as SHA-256 hashes, and the one lookup that finds
//! the user behind a live token with what it may do now.

use super::{PartnerId, UserId};
use crate::model::Permissions;
use rusqlite::{params, Connection, OptionalExtension};

/// Stores a new token.
pub fn insert(
    c: &Connection,
    hash: &[u8; 32],
    user: UserId,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![&hash[..], user, now, expires_at])
    .map(|_| ())
}

/// Revokes a token; `false` if it was not there.
pub fn delete(c: &Connection, hash: &[u8; 32]) -> rusqlite::Result<bool> {
    Ok(
        c.prepare_cached("DELETE FROM tokens WHERE token_hash = ?1")?
            .execute([&hash[..]])?
            > 0,
    )
}

/// Drops tokens that have expired, so the table does not grow for ever.
pub fn purge_expired(c: &Connection, now: i64) -> rusqlite::Result<usize> {
    c.prepare_cached("DELETE FROM tokens WHERE expires_at <= ?1")?
        .execute([now])
}

/// The stored facts about the user behind a live token.
#[derive(Debug, Clone)]
pub struct Holder {
    pub user_id: UserId,
    pub is_admin: bool,
    pub permissions: Permissions,
    /// Sorted.
    pub partner_ids: Vec<PartnerId>,
}

/// The user behind a live token, with permissions and partners as they are
/// now (a change applies to existing tokens at once); a disabled user has
/// none. One indexed query.
pub fn holder(c: &Connection, hash: &[u8; 32], now: i64) -> rusqlite::Result<Option<Holder>> {
    c.prepare_cached(
        "SELECT u.id, u.is_admin,
                (SELECT group_concat(permission, ',') FROM user_permissions WHERE user_id = u.id),
                (SELECT group_concat(partner_id, ',') FROM partner_users WHERE user_id = u.id)
         FROM tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND u.disabled = 0",
    )?
    .query_row(params![&hash[..], now], |r| {
        let permissions: Option<String> = r.get(2)?;
        let partners: Option<String> = r.get(3)?;
        let mut partner_ids: Vec<PartnerId> = partners
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|p| p.parse().ok().map(PartnerId))
            .collect();
        partner_ids.sort_unstable();
        Ok(Holder {
            user_id: r.get::<_, UserId>(0)?,
            is_admin: r.get(1)?,
            permissions: Permissions::parse_list(permissions.as_deref().unwrap_or("")),
            partner_ids,
        })
    })
    .optional()
}
