//! Staff logins over their whole life: a user changes its own password; a
//! partner's user managers read, correct and detach that partner's users;
//! an admin makes and unmakes admins, disables a login and ends its
//! sessions. Passwords are hashed off the runtime, only after every check
//! that could refuse the request, and never reach an answer, a log line or
//! the audit trail (which says `"password": "changed"`).

use super::auth::Principal;
use super::error::{ApiError, OnUnique};
use super::request::Request;
use super::users::shown_to;
use super::validate::{Input, Text};
use super::{reply, Ctx};
use crate::db::{self, accounts, audit, fold, PartnerId, UserId};
use crate::{clock, secrets};
use serde_json::{json, Value};
use warp::http::Response;
use warp::hyper::Body;

/// What the audit trail says of a password: that it changed, never what
/// it was or is.
const PASSWORD_CHANGED: &str = "changed";

/// Laravel's answer to a wrong `current_password`.
const WRONG_CURRENT: &str = "The password is incorrect.";

/// Reads `new_password` and `new_password_confirmation` (Laravel's
/// `confirmed` rule): the password when both are given and equal.
fn new_password(input: &mut Input, required: bool) -> Option<String> {
    let password = input
        .text(
            "new_password",
            Text {
                required,
                ..Text::password(8)
            },
        )
        .set();
    // The confirmation is compared, never stored: any text (or none) is
    // read, and a difference is the password's error, as Laravel puts it.
    let confirmation = input
        .text(
            "new_password_confirmation",
            Text {
                required: false,
                nullable: true,
                min: 0,
                ..Text::password(0)
            },
        )
        .set();
    let password = password?;
    if confirmation.as_deref() != Some(password.as_str()) {
        input.errors.add(
            "new_password",
            "The new password field confirmation does not match.",
        );
        return None;
    }
    Some(password)
}

/// PUT /me/password: the current password is checked like a login (the
/// throttle counts a wrong one); every other token of the user ends.
pub async fn change_own_password(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let mut input = req.json()?;
    let current = input.text("current_password", Text::password(1)).set();
    let new = new_password(&mut input, true);
    input.finish()?;
    let (Some(current), Some(new)) = (current, new) else {
        return Err(ApiError::internal("validated password fields missing"));
    };
    let keep = req.token_hash().ok_or(ApiError::Unauthenticated)?;
    let (id, email_key, stored) = ctx
        .read(&req, |c, who| {
            let user =
                db::users::find_without_access(c, who.user_id)?.ok_or(ApiError::Unauthenticated)?;
            let hash = accounts::password_hash(c, who.user_id)?.ok_or(ApiError::Unauthenticated)?;
            Ok((who.user_id, fold(&user.email), hash))
        })
        .await?;
    // The same bounds as a login: a wrong current password is a guess.
    let _pending = ctx
        .logins
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Unavailable)?;
    let attempt = ctx.throttle.begin(req.client, &email_key).await?;
    let outcome = ctx
        .hashing(move || {
            secrets::verify_password(Some(&stored), &current).then(|| secrets::hash_password(&new))
        })
        .await;
    match &outcome {
        Ok(hash) => attempt.end(hash.is_some()),
        Err(_) => drop(attempt), // no verdict: counts for nothing
    }
    let hash = outcome?.ok_or_else(|| ApiError::invalid("current_password", WRONG_CURRENT))?;
    let user = ctx
        .write(&req, move |c, who| {
            if who.user_id != id {
                return Err(ApiError::Unauthenticated);
            }
            let now = clock::now_rfc3339();
            accounts::set_password(c, id, &hash, &now)?;
            accounts::revoke_tokens(c, id, Some(&keep))?;
            audit::By::admin(id).record(
                c,
                "user.password_changed",
                ("user", id.0),
                json!({"password": PASSWORD_CHANGED}),
                &now,
            )?;
            db::users::find(c, id)?.ok_or(ApiError::Unauthenticated)
        })
        .await?;
    Ok(reply::data(&user))
}

/// GET /partners/:partner_id/users/:user_id (the guard has checked that
/// the user works for the partner).
pub async fn show_for_partner(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    let user = ctx
        .read(&req, move |c, who| {
            let mut user = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            shown_to(&mut user, who);
            Ok(user)
        })
        .await?;
    Ok(reply::data(&user))
}

/// What an update asks for; `None` leaves a field as it is.
struct Changes {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    is_admin: Option<bool>,
    disabled: Option<bool>,
}

fn read_changes(req: &Request, admin_fields: bool) -> Result<Changes, ApiError> {
    let mut input = req.json()?;
    let first_name = input.text("first_name", Text::sometimes(255)).set();
    let last_name = input.text("last_name", Text::sometimes(255)).set();
    let email = input.text("email", Text::sometimes(255).email()).set();
    let (is_admin, disabled) = if admin_fields {
        (input.boolean("is_admin"), input.boolean("disabled"))
    } else {
        (None, None)
    };
    let password = new_password(&mut input, false);
    input.finish()?;
    Ok(Changes {
        first_name,
        last_name,
        email,
        password,
        is_admin,
        disabled,
    })
}

/// Under a partner, the email and password of a user who also works for
/// another partner, or is an admin, are that user's or an admin's to
/// change: a partner's manager cannot take over a login others rely on.
fn may_change_login(
    c: &rusqlite::Connection,
    who: &Principal,
    id: UserId,
    partner: Option<PartnerId>,
) -> Result<(), ApiError> {
    let Some(partner) = partner else {
        return Ok(()); // the admin's route
    };
    if who.is_admin || who.user_id == id {
        return Ok(());
    }
    let target_is_admin = db::users::find_without_access(c, id)?.is_some_and(|u| u.is_admin);
    if target_is_admin || accounts::works_elsewhere(c, id, partner)? {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

/// PUT /partners/:partner_id/users/:user_id
pub async fn update_for_partner(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    update(ctx, req, Some(partner)).await
}

/// PUT /users/:user_id (admin)
pub async fn update_account(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    update(ctx, req, None).await
}

async fn update(
    ctx: &Ctx,
    req: Request,
    partner: Option<PartnerId>,
) -> Result<Response<Body>, ApiError> {
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    let mut changes = read_changes(&req, partner.is_none())?;
    let login_change = changes.email.is_some() || changes.password.is_some();
    if login_change {
        // Refused before the password is hashed, not after.
        ctx.read(&req, move |c, who| may_change_login(c, who, id, partner))
            .await?;
    }
    let token = req.token_hash();
    let hash = match changes.password.take() {
        Some(p) => Some(ctx.hashing(move || secrets::hash_password(&p)).await?),
        None => None,
    };
    let user = ctx
        .write(&req, move |c, who| {
            if login_change {
                may_change_login(c, who, id, partner)?;
            }
            let before = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            let now = clock::now_rfc3339();
            let profile = accounts::Profile {
                email: changes.email.as_deref().unwrap_or(&before.email),
                first_name: changes.first_name.as_deref().unwrap_or(&before.first_name),
                last_name: changes.last_name.as_deref().unwrap_or(&before.last_name),
            };
            if (profile.email, profile.first_name, profile.last_name)
                != (&before.email, &before.first_name, &before.last_name)
            {
                accounts::set_profile(c, id, &profile, &now).on_unique(
                    db::users::EMAIL_KEY,
                    "email",
                    "The email has already been taken.",
                )?;
            }
            let is_admin = changes.is_admin.unwrap_or(before.is_admin);
            let disabled = changes.disabled.unwrap_or(before.disabled);
            if (is_admin, disabled) != (before.is_admin, before.disabled) {
                let was_enabled_admin = before.is_admin && !before.disabled;
                if was_enabled_admin
                    && (!is_admin || disabled)
                    && !accounts::another_enabled_admin(c, id)?
                {
                    return Err(ApiError::Conflict(
                        "The last enabled admin cannot be disabled or lose is_admin.",
                    ));
                }
                accounts::set_flags(c, id, is_admin, disabled, &now)?;
            }
            if let Some(hash) = &hash {
                accounts::set_password(c, id, hash, &now)?;
            }
            // A disabled login: every session ends (its tokens are refused
            // anyway; deleting them keeps enabling it from reviving them). A
            // new password: every session but the one that set it, if the
            // user set its own.
            if disabled && !before.disabled {
                accounts::revoke_tokens(c, id, None)?;
            } else if hash.is_some() {
                let keep = token.as_ref().filter(|_| who.user_id == id);
                accounts::revoke_tokens(c, id, keep)?;
            }
            let mut after = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            let mut entry = match audit::updated(&before, &after) {
                Some(Value::Object(map)) => map,
                _ => serde_json::Map::new(),
            };
            if hash.is_some() {
                entry.insert("password".into(), json!(PASSWORD_CHANGED));
            }
            if !entry.is_empty() {
                let by = match partner {
                    Some(p) => audit::By::user(p, who.user_id),
                    None => audit::By::admin(who.user_id),
                };
                by.record(c, "user.updated", ("user", id.0), entry.into(), &now)?;
            }
            shown_to(&mut after, who);
            Ok(after)
        })
        .await?;
    Ok(reply::data(&user))
}

/// DELETE /partners/:partner_id/users/:user_id: the user stops working for
/// the partner (its tokens lose it at once: the principal is read per
/// request); the user itself stays, for the audit trail.
pub async fn detach_from_partner(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    let user = ctx
        .write(&req, move |c, who| {
            let now = clock::now_rfc3339();
            if !accounts::detach(c, id, partner, &now)? {
                return Err(ApiError::NotFound);
            }
            // This partner's trail names no other partner.
            let changes = json!({"partner_ids": [[partner], []]});
            audit::By::user(partner, who.user_id).record(
                c,
                "user.partners_changed",
                ("user", id.0),
                changes,
                &now,
            )?;
            let mut user = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            shown_to(&mut user, who);
            Ok(user)
        })
        .await?;
    Ok(reply::data(&user))
}

/// POST /users/:user_id/revoke-tokens (admin): ends every session.
pub async fn revoke_tokens(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    req.json()?.finish()?;
    let revoked = ctx
        .write(&req, move |c, who| {
            let n = accounts::revoke_tokens(c, id, None)?;
            if n > 0 {
                let now = clock::now_rfc3339();
                audit::By::admin(who.user_id).record(
                    c,
                    "user.tokens_revoked",
                    ("user", id.0),
                    json!({"tokens": [n, 0]}),
                    &now,
                )?;
            }
            Ok(n)
        })
        .await?;
    Ok(reply::data(&json!({"revoked": revoked})))
}
