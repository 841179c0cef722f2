//! Logging in and out, and `/me`.

use super::error::ApiError;
use super::request::Request;
use super::validate::Text;
use super::{reply, Ctx};
use crate::db::{self, fold};
use crate::{clock, secrets};
use serde::Serialize;
use warp::http::Response;
use warp::hyper::Body;

#[derive(Serialize)]
struct Session {
    token: String,
    token_type: &'static str,
    expires_at: String,
    user: db::users::User,
}

/// POST /auth/login
pub async fn login(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let mut input = req.json()?;
    let email = input.text("email", Text::required(255)).set();
    let password = input.text("password", Text::password(1)).set();
    input.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::internal("validated login fields missing"));
    };
    // Trimmed, NFC and case-folded, so the throttle cannot be dodged by
    // writing the email another way.
    let email_key = fold(&email);
    // A flood of logins gets fast 503s instead of a queue in front of the
    // password checks that a real login would wait at the end of.
    let _pending = ctx
        .logins
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Unavailable)?;
    let attempt = ctx.throttle.begin(req.client, &email_key).await?;
    let outcome = check_password(ctx, email_key.clone(), password).await;
    match &outcome {
        Ok(found) => attempt.end(found.is_some()),
        Err(_) => drop(attempt), // no verdict: counts for nothing
    }
    let user_id = outcome?.ok_or(ApiError::InvalidCredentials)?;

    let (token, hash) = secrets::new_token();
    let now = clock::unix_now();
    let expires_at = now.saturating_add(ctx.config.token_ttl.as_secs() as i64);
    let user = ctx
        .writer
        .write(move |c| {
            db::tokens::purge_expired(c, now)?;
            // Disabled since its password was checked: no token.
            match db::users::find(c, user_id)? {
                Some(user) if !user.disabled => {
                    db::tokens::insert(c, &hash, user_id, now, expires_at)?;
                    Ok(user)
                }
                _ => Err(ApiError::InvalidCredentials),
            }
        })
        .await?;
    Ok(reply::data(&Session {
        token,
        token_type: "Bearer",
        expires_at: clock::rfc3339(expires_at),
        user,
    }))
}

/// The user whose password this is; an unknown email, or a disabled user,
/// costs the same work and fails the same way.
async fn check_password(
    ctx: &Ctx,
    email_key: String,
    password: String,
) -> Result<Option<db::UserId>, ApiError> {
    let found = db::read(&ctx.pool, move |c| {
        Ok::<_, db::Error>(db::users::login_hash(c, &email_key)?)
    })
    .await?;
    ctx.hashing(move || {
        let hash = found.as_ref().map(|f| f.password_hash.as_str());
        let ok = secrets::verify_password(hash, &password);
        found.filter(|f| ok && !f.disabled).map(|f| f.id)
    })
    .await
}

/// POST /auth/logout: revokes the token used, nothing else.
pub async fn logout(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    req.json()?.finish()?;
    let hash = req.token_hash().ok_or(ApiError::Unauthenticated)?;
    ctx.write(&req, move |c, _| Ok(db::tokens::delete(c, &hash)?))
        .await?;
    Ok(reply::data(&serde_json::json!({"revoked": true})))
}

/// GET /me
pub async fn me(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let user = ctx
        .read(&req, |c, who| {
            // The principal holds the permissions and partners already.
            let mut user =
                db::users::find_without_access(c, who.user_id)?.ok_or(ApiError::Unauthenticated)?;
            user.permissions = who.permissions.names();
            user.partner_ids = who.partner_ids.clone();
            Ok(user)
        })
        .await?;
    Ok(reply::data(&user))
}
