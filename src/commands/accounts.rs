//! `user set-password`, `user disable` and `user list`: an operator's way
//! in at the box when the only admin forgot the password, and a way to
//! shut out a login at once. They write the same database file a running
//! server reads, and the server reads the user behind every token per
//! request, so a change here applies to its sessions at once.

use crate::db::{self, accounts, UserId};
use crate::{clock, secrets};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Opens the file and starts a write transaction that takes the write lock
/// at once (waiting for a running server's writer, within the busy timeout).
fn with_user<T>(
    db_path: &Path,
    email: &str,
    f: impl FnOnce(&Connection, UserId, &str) -> Result<T, String>,
) -> Result<T, String> {
    let mut conn = db::open_writer_connection(db_path)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let id = db::users::find_by_email(&tx, email)
        .map_err(err)?
        .ok_or_else(|| format!("--email: there is no user {}", email.trim()))?;
    let now = clock::now_rfc3339();
    let out = f(&tx, id, &now)?;
    tx.commit().map_err(err)?;
    Ok(out)
}

/// `venue-groups user set-password --email E`: a new password, and every
/// session of the user ends.
pub fn set_password(db_path: &Path, args: &crate::cli::UserSetPasswordArgs) -> Result<(), String> {
    let password = super::read_password(args.password_stdin, args.password.as_deref())?;
    let hash = secrets::hash_password(&password);
    let ended = with_user(db_path, &args.email, |c, id, now| {
        accounts::set_password(c, id, &hash, now).map_err(err)?;
        let ended = accounts::revoke_tokens(c, id, None).map_err(err)?;
        db::audit::By::command_line(None)
            .record(
                c,
                "user.updated",
                ("user", id.0),
                serde_json::json!({"password": "changed"}),
                now,
            )
            .map_err(err)?;
        Ok(ended)
    })?;
    println!(
        "password of {} changed; {ended} session(s) ended",
        args.email.trim()
    );
    Ok(())
}

/// `venue-groups user disable --email E`: no more logins; every token of
/// the user stops at once, on a running server too. The last enabled
/// admin is refused, as the API refuses it.
pub fn disable(db_path: &Path, email: &str) -> Result<(), String> {
    let ended = with_user(db_path, email, |c, id, now| {
        let user = db::users::find_without_access(c, id)
            .map_err(err)?
            .ok_or("the user vanished")?;
        if user.disabled {
            return Ok(None);
        }
        if user.is_admin && !accounts::another_enabled_admin(c, id).map_err(err)? {
            return Err(format!(
                "{} is the last enabled admin; make another admin first (`venue-groups user create --admin`)",
                user.email
            ));
        }
        accounts::set_flags(c, id, user.is_admin, true, now).map_err(err)?;
        let ended = accounts::revoke_tokens(c, id, None).map_err(err)?;
        db::audit::By::command_line(None)
            .record(
                c,
                "user.updated",
                ("user", id.0),
                serde_json::json!({"disabled": [false, true]}),
                now,
            )
            .map_err(err)?;
        Ok(Some(ended))
    })?;
    match ended {
        Some(n) => println!("disabled {}; {n} session(s) ended", email.trim()),
        None => println!("{} was disabled already", email.trim()),
    }
    Ok(())
}

/// `venue-groups user list`: one line per user, no secrets.
pub fn list(db_path: &Path) -> Result<(), String> {
    let conn = db::open_writer_connection(db_path)?;
    let users = accounts::list_all(&conn).map_err(err)?;
    println!("id\temail\tadmin\tdisabled\tpartners");
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    for u in users {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            u.id,
            u.email,
            yes_no(u.is_admin),
            yes_no(u.disabled),
            if u.partner_ids.is_empty() {
                "-"
            } else {
                &u.partner_ids
            }
        );
    }
    Ok(())
}
