//! Users, their permissions and their partners. Password hashes are read
//! only by [`login_hash`]; no struct that reaches a response carries one.

use super::{fold, search, unique, PartnerId, Slice, UserId};
use crate::model::Permissions;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_admin: bool,
    /// A disabled user cannot log in, and none of its tokens work.
    pub disabled: bool,
    pub permissions: Vec<String>,
    pub partner_ids: Vec<PartnerId>,
    pub created_at: String,
    pub updated_at: String,
}

/// A user in a partner's user list.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// A user to create; the password is already hashed.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub is_admin: bool,
}

pub(super) fn search_key(first_name: &str, last_name: &str, email: &str) -> String {
    format!("{}\n{}\n{}", fold(first_name), fold(last_name), fold(email))
}

/// One user with permissions and partners.
pub fn find(c: &Connection, id: UserId) -> rusqlite::Result<Option<User>> {
    let Some(mut user) = find_without_access(c, id)? else {
        return Ok(None);
    };
    let permissions: String = c
        .prepare_cached("SELECT coalesce(group_concat(permission, ','), '') FROM user_permissions WHERE user_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    user.permissions = Permissions::parse_list(&permissions).names();
    user.partner_ids = c
        .prepare_cached(
            "SELECT partner_id FROM partner_users WHERE user_id = ?1 ORDER BY partner_id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(user))
}

/// One user with empty `permissions` and `partner_ids`, for a caller that
/// has them already (the principal of `/me`).
pub fn find_without_access(c: &Connection, id: UserId) -> rusqlite::Result<Option<User>> {
    c.prepare_cached(
        "SELECT id, email, first_name, last_name, is_admin, created_at, updated_at, disabled
             FROM users WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(User {
            id: r.get(0)?,
            email: r.get(1)?,
            first_name: r.get(2)?,
            last_name: r.get(3)?,
            is_admin: r.get(4)?,
            disabled: r.get(7)?,
            permissions: Vec::new(),
            partner_ids: Vec::new(),
            created_at: r.get(5)?,
            updated_at: r.get(6)?,
        })
    })
    .optional()
}

/// Whether the user exists.
pub fn exists(c: &Connection, id: UserId) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
        .exists([id])
}

/// The user with this email (trimmed, any case).
pub fn find_by_email(c: &Connection, email: &str) -> rusqlite::Result<Option<UserId>> {
    c.prepare_cached("SELECT id FROM users WHERE email_key = ?1")?
        .query_row([fold(email)], |r| r.get(0))
        .optional()
}

/// What a login checks, by folded email.
pub struct LoginHash {
    pub id: UserId,
    pub password_hash: String,
    /// The password is still checked (the same work as a wrong one), but
    /// the login fails.
    pub disabled: bool,
}

/// The id, password hash and disabled flag for a login, by folded email.
pub fn login_hash(c: &Connection, email_key: &str) -> rusqlite::Result<Option<LoginHash>> {
    c.prepare_cached("SELECT id, password_hash, disabled FROM users WHERE email_key = ?1")?
        .query_row([email_key], |r| {
            Ok(LoginHash {
                id: r.get(0)?,
                password_hash: r.get(1)?,
                disabled: r.get(2)?,
            })
        })
        .optional()
}

/// How many users there are (zero on first start).
pub fn count(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))
}

/// How many enabled admins there are (the bootstrap makes one when there
/// are none).
pub fn admin_count(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT count(*) FROM users WHERE is_admin = 1 AND disabled = 0",
        [],
        |r| r.get(0),
    )
}

/// Whether the user with this email (any case) is an admin; `None` when
/// there is no such user.
pub fn is_admin_by_email(c: &Connection, email: &str) -> rusqlite::Result<Option<bool>> {
    c.prepare_cached("SELECT is_admin FROM users WHERE email_key = ?1")?
        .query_row([fold(email)], |r| r.get(0))
        .optional()
}

/// Creates a user; a taken email is [`super::Error::Unique`]`(`[`EMAIL_KEY`]`)`.
pub fn create(c: &Connection, u: &NewUser<'_>, now: &str) -> super::Result<UserId> {
    c.prepare_cached(
        "INSERT INTO users (email, email_key, password_hash, first_name, last_name, is_admin,
                            search_key, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
    )?
    .query_row(
        params![
            super::nfc(u.email.trim()),
            fold(u.email),
            u.password_hash,
            u.first_name,
            u.last_name,
            u.is_admin,
            search_key(u.first_name, u.last_name, u.email),
            now
        ],
        |r| r.get(0),
    )
    .map_err(|e| unique(e, EMAIL_KEY))
}

/// The key that keeps one email to one user (ignoring case).
pub const EMAIL_KEY: &str = "users.email_key";

/// Replaces a user's permissions.
pub fn set_permissions(
    c: &Connection,
    id: UserId,
    permissions: &[&str],
    now: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM user_permissions WHERE user_id = ?1")?
        .execute([id])?;
    let mut insert = c.prepare_cached(
        "INSERT INTO user_permissions (user_id, permission) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for p in permissions {
        insert.execute(params![id, p])?;
    }
    touch(c, id, now)
}

/// Replaces a user's partners.
pub fn set_partners(
    c: &Connection,
    id: UserId,
    partners: &[PartnerId],
    now: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM partner_users WHERE user_id = ?1")?
        .execute([id])?;
    for p in partners {
        attach(c, id, *p)?;
    }
    touch(c, id, now)
}

/// Gives a user access to a partner (no change if it has it).
pub fn attach(c: &Connection, id: UserId, partner: PartnerId) -> rusqlite::Result<bool> {
    Ok(c.prepare_cached(
        "INSERT INTO partner_users (user_id, partner_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?
    .execute(params![id, partner])?
        > 0)
}

pub(super) fn touch(c: &Connection, id: UserId, now: &str) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE users SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])
        .map(|_| ())
}

/// A page of the users who work for a partner, matching the search.
pub fn list_for_partner(
    c: &Connection,
    partner: PartnerId,
    slice: &Slice,
) -> rusqlite::Result<(Vec<UserSummary>, i64)> {
    let in_partner: i64 = c
        .prepare_cached("SELECT count(*) FROM partner_users WHERE partner_id = ?1")?
        .query_row([partner], |r| r.get(0))?;
    let ids: Vec<i64>;
    let total = match &slice.search {
        None => {
            ids = c
                .prepare_cached(
                    "SELECT user_id FROM partner_users WHERE partner_id = ?1
                     ORDER BY user_id LIMIT ?2 OFFSET ?3",
                )?
                .query_map(params![partner, slice.per_page, slice.offset()], |r| {
                    r.get(0)
                })?
                .collect::<rusqlite::Result<_>>()?;
            in_partner
        }
        Some(words) => {
            let plan = search::plan(c, &search::USERS, words)?;
            let (found, total) = match plan.index_query(in_partner) {
                Some((query, _)) => search::page_of_matches(
                    c,
                        "SELECT u.id, u.search_key
                         FROM users_search s CROSS JOIN users u CROSS JOIN partner_users pu
                         WHERE users_search MATCH ?1 AND u.id = s.rowid
                           AND pu.user_id = u.id AND pu.partner_id = ?2
                         ORDER BY s.rowid",
                    params![query, partner],
                    words,
                    slice.offset(),
                    slice.per_page,
                )?,
                None => search::page_of_matches(
                    c,
                        "SELECT u.id, u.search_key FROM partner_users pu JOIN users u ON u.id = pu.user_id
                         WHERE pu.partner_id = ?1 ORDER BY pu.user_id",
                    [partner],
                    words,
                    slice.offset(),
                    slice.per_page,
                )?,
            };
            ids = found;
            total
        }
    };
    let mut summary =
        c.prepare_cached("SELECT id, first_name, last_name, email FROM users WHERE id = ?1")?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(
            summary
                .query_row([id], |r| {
                    Ok(UserSummary {
                        id: r.get(0)?,
                        first_name: r.get(1)?,
                        last_name: r.get(2)?,
                        email: r.get(3)?,
                    })
                })
                .optional()?,
        );
    }
    Ok((rows, total))
}
