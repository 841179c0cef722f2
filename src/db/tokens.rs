//! Bearer tokens, stored as SHA-256 hashes, and the one lookup that finds
//! the user behind a live token with what it may do now.
//!
//! Every write job checks its token again in the write transaction, and
//! under load one transaction runs many jobs of the same few tokens: that
//! lookup was a tenth of the writer's time in a create. While the writer's
//! transaction is open no other connection can change a row, so a holder
//! found in it stays true until that transaction itself changes tokens,
//! users, permissions or partner access. The writer therefore remembers
//! the holders it found for the length of one transaction ([`Remembering`]);
//! temporary triggers on those four tables ([`watch_holders`]) make it
//! forget them all at the first such change, and so does a job that is
//! undone (its changes, and what was looked up after them, are gone).

use super::{PartnerId, UserId};
use crate::model::Permissions;
use rusqlite::{params, Connection, OptionalExtension};
use std::cell::RefCell;
use std::collections::HashMap;

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
/// none. One indexed query, or none in a write transaction that has found
/// the same token's holder already (see the module docs).
pub fn holder(c: &Connection, hash: &[u8; 32], now: i64) -> rusqlite::Result<Option<Holder>> {
    if let Some(known) = remembered(hash, now) {
        return Ok(Some(known));
    }
    let found = c
        .prepare_cached(
            "SELECT u.id, u.is_admin,
                (SELECT group_concat(permission, ',') FROM user_permissions WHERE user_id = u.id),
                (SELECT group_concat(partner_id, ',') FROM partner_users WHERE user_id = u.id),
                t.expires_at
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
            let holder = Holder {
                user_id: r.get::<_, UserId>(0)?,
                is_admin: r.get(1)?,
                permissions: Permissions::parse_list(permissions.as_deref().unwrap_or("")),
                partner_ids,
            };
            Ok((holder, r.get::<_, i64>(4)?))
        })
        .optional()?;
    Ok(found.map(|(holder, expires_at)| remember(hash, holder, expires_at)))
}

/// Holders by token hash, with the token's expiry.
type Holders = HashMap<[u8; 32], (Holder, i64)>;

thread_local! {
    /// The holders found in the writer's open transaction; `None` outside
    /// one and on other threads. At most one entry per job of it.
    static REMEMBERED: RefCell<Option<Holders>> = const { RefCell::new(None) };
}

/// While alive, [`holder`] on this thread remembers what it finds; made by
/// the writer for each transaction, after [`watch_holders`] succeeded.
pub(super) struct Remembering(());

impl Remembering {
    pub(super) fn start() -> Remembering {
        REMEMBERED.with(|r| *r.borrow_mut() = Some(HashMap::new()));
        Remembering(())
    }
}

impl Drop for Remembering {
    fn drop(&mut self) {
        REMEMBERED.with(|r| *r.borrow_mut() = None);
    }
}

fn remembered(hash: &[u8; 32], now: i64) -> Option<Holder> {
    REMEMBERED.with(|r| {
        let r = r.borrow();
        let (holder, expires_at) = r.as_ref()?.get(hash)?;
        (*expires_at > now).then(|| holder.clone())
    })
}

fn remember(hash: &[u8; 32], holder: Holder, expires_at: i64) -> Holder {
    REMEMBERED.with(|r| {
        if let Some(known) = r.borrow_mut().as_mut() {
            known.insert(*hash, (holder.clone(), expires_at));
        }
    });
    holder
}

/// Forgets every holder remembered in this transaction: one of their tables
/// changed, or a job was undone.
pub(super) fn forget_holders() {
    REMEMBERED.with(|r| {
        if let Some(known) = r.borrow_mut().as_mut() {
            known.clear();
        }
    });
}

/// The tables a holder is read from: a change to any row of one makes the
/// writer forget the holders of its transaction.
const HOLDER_TABLES: [&str; 4] = ["tokens", "users", "user_permissions", "partner_users"];

/// Makes every change to a holder's tables through `c` forget the holders
/// remembered (temporary triggers, which live as long as the connection,
/// calling a function of this process). The writer calls it once; should it
/// fail, the writer does not remember.
pub(super) fn watch_holders(c: &Connection) -> rusqlite::Result<()> {
    c.create_scalar_function(
        "forget_token_holders",
        0,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        |_| {
            forget_holders();
            Ok(0)
        },
    )?;
    let mut sql = String::new();
    for table in HOLDER_TABLES {
        for event in ["INSERT", "UPDATE", "DELETE"] {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS forget_holders_{table}_{event}
                 AFTER {event} ON main.{table}
                 BEGIN SELECT forget_token_holders(); END;\n"
            ));
        }
    }
    c.execute_batch(&sql)
}
