//! A login over its whole life: names, email and password changed,
//! partners taken away, disabled, sessions ended. Every function runs in
//! the caller's transaction; none of them knows who asked.

use super::error::unique;
use super::users::EMAIL_KEY;
use super::{fold, nfc, PartnerId, UserId};
use rusqlite::{params, Connection, OptionalExtension};

/// A user's name and email, as they are to be stored (already validated).
pub struct Profile<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

/// Stores a new name and email (the search key follows); a taken email is
/// [`super::Error::Unique`]`(`[`EMAIL_KEY`]`)`.
pub fn set_profile(c: &Connection, id: UserId, p: &Profile<'_>, now: &str) -> super::Result<()> {
    let search_key = super::users::search_key(p.first_name, p.last_name, p.email);
    c.prepare_cached(
        "UPDATE users SET email = ?2, email_key = ?3, first_name = ?4, last_name = ?5,
                          search_key = ?6, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        nfc(p.email.trim()),
        fold(p.email),
        p.first_name,
        p.last_name,
        search_key,
        now
    ])
    .map_err(|e| unique(e, EMAIL_KEY))?;
    Ok(())
}

/// Stores a new password hash.
pub fn set_password(c: &Connection, id: UserId, hash: &str, now: &str) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, hash, now])
        .map(|_| ())
}

/// The password hash of a user (for checking a current password).
pub fn password_hash(c: &Connection, id: UserId) -> rusqlite::Result<Option<String>> {
    c.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// Sets the admin and disabled flags.
pub fn set_flags(
    c: &Connection,
    id: UserId,
    is_admin: bool,
    disabled: bool,
    now: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE users SET is_admin = ?2, disabled = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, is_admin, disabled, now])
    .map(|_| ())
}

/// Whether an enabled admin other than `id` exists: if not, `id` must stay
/// an enabled admin (the box needs a way in).
pub fn another_enabled_admin(c: &Connection, id: UserId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM users WHERE id <> ?1 AND is_admin = 1 AND disabled = 0")?
        .exists([id])
}

/// Ends the user's sessions, all of them or all but `keep` (a token's
/// stored hash); how many ended.
pub fn revoke_tokens(
    c: &Connection,
    id: UserId,
    keep: Option<&[u8; 32]>,
) -> rusqlite::Result<usize> {
    match keep {
        None => c
            .prepare_cached("DELETE FROM tokens WHERE user_id = ?1")?
            .execute([id]),
        Some(hash) => c
            .prepare_cached("DELETE FROM tokens WHERE user_id = ?1 AND token_hash <> ?2")?
            .execute(params![id, &hash[..]]),
    }
}

/// Whether the user works for the partner.
pub fn works_for(c: &Connection, id: UserId, partner: PartnerId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM partner_users WHERE user_id = ?1 AND partner_id = ?2")?
        .exists(params![id, partner])
}

/// Whether the user works for a partner other than this one.
pub fn works_elsewhere(c: &Connection, id: UserId, partner: PartnerId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM partner_users WHERE user_id = ?1 AND partner_id <> ?2")?
        .exists(params![id, partner])
}

/// Takes the user off the partner; `false` if it was not on it.
pub fn detach(c: &Connection, id: UserId, partner: PartnerId, now: &str) -> rusqlite::Result<bool> {
    let removed = c
        .prepare_cached("DELETE FROM partner_users WHERE user_id = ?1 AND partner_id = ?2")?
        .execute(params![id, partner])?
        > 0;
    if removed {
        super::users::touch(c, id, now)?;
    }
    Ok(removed)
}

/// A line of `venue-groups user list`: no secrets.
pub struct Listed {
    pub id: UserId,
    pub email: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub partner_ids: String,
}

/// Every user, by id, with its partners (comma-separated).
pub fn list_all(c: &Connection) -> rusqlite::Result<Vec<Listed>> {
    c.prepare(
        "SELECT u.id, u.email, u.is_admin, u.disabled,
                coalesce((SELECT group_concat(partner_id, ',')
                          FROM (SELECT partner_id FROM partner_users
                                WHERE user_id = u.id ORDER BY partner_id)), '')
         FROM users u ORDER BY u.id",
    )?
    .query_map([], |r| {
        Ok(Listed {
            id: r.get(0)?,
            email: r.get(1)?,
            is_admin: r.get(2)?,
            disabled: r.get(3)?,
            partner_ids: r.get(4)?,
        })
    })?
    .collect()
}
