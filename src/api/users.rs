//! Users: a partner's staff (`/partners/:partner_id/users`) and the admin's
//! `/users/:user_id...` routes for permissions and partners.

use super::auth::{Principal, PERMISSIONS};
use super::error::{ApiError, OnUnique};
use super::request::Request;
use super::validate::Text;
use super::{pagination, reply, Ctx};
use crate::db::{self, audit, PartnerId, UserId};
use crate::{clock, secrets};
use serde_json::json;
use warp::http::Response;
use warp::hyper::Body;

/// What a caller sees of a user: a non-admin sees only the partners it
/// has access to itself (a user sees all of its own).
pub fn shown_to(user: &mut db::users::User, caller: &Principal) {
    if !caller.is_admin && caller.user_id != user.id {
        user.partner_ids.retain(|p| caller.works_for(*p));
    }
}

fn user_location(id: UserId) -> String {
    format!("/api/internal/v1/users/{id}")
}

/// GET /partners/:partner_id/users
pub async fn list_for_partner(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let slice = pagination::slice(&req);
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, _| {
            let slice = slice?;
            let page = db::users::list_for_partner(c, partner, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(ctx, &req, &slice, &rows, total))
}

/// POST /partners/:partner_id/users: creates the user, or attaches the
/// existing user with that email (its name and password stay as they are).
pub async fn create_for_partner(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let mut input = req.json()?;
    let email = input.text("email", Text::required(255).email()).set();
    let password = input.text("password", Text::password(8)).set();
    let first_name = input.text("first_name", Text::required(255)).set();
    let last_name = input.text("last_name", Text::required(255)).set();
    input.finish()?;
    let (Some(email), Some(password), Some(first_name), Some(last_name)) =
        (email, password, first_name, last_name)
    else {
        return Err(ApiError::internal("validated user fields missing"));
    };
    let hash = ctx
        .hashing(move || secrets::hash_password(&password))
        .await?;
    let user = ctx
        .write(&req, move |c, caller| {
            let who = caller.user_id;
            let now = clock::now_rfc3339();
            let existing = db::users::find_by_email(c, &email)?;
            let id = match existing {
                Some(id) => id,
                None => db::users::create(
                    c,
                    &db::users::NewUser {
                        email: &email,
                        password_hash: &hash,
                        first_name: &first_name,
                        last_name: &last_name,
                        is_admin: false,
                    },
                    &now,
                )
                .on_unique(db::users::EMAIL_KEY, "email", "The email has already been taken.")?,
            };
            let attached = db::users::attach(c, id, partner)?;
            let mut user = db::users::find(c, id)?.ok_or_else(|| ApiError::internal("a created user vanished"))?;
            let subject = ("user", id.0);
            // An entry in this partner's trail names no other partner: the
            // attached user may work for others this partner must not learn of.
            match existing {
                None => {
                    let changes = json!({"email": [null, user.email], "first_name": [null, user.first_name],
                                         "last_name": [null, user.last_name], "partner_ids": [null, [partner]]});
                    audit::By::user(partner, who).record(c, "user.created", subject, changes, &now)?;
                }
                Some(_) if attached => {
                    let changes = json!({"partner_ids": [[], [partner]]});
                    audit::By::user(partner, who).record(c, "user.partners_changed", subject, changes, &now)?;
                }
                Some(_) => {}
            }
            shown_to(&mut user, caller);
            Ok(user)
        })
        .await?;
    Ok(reply::created(&user, user_location(user.id)))
}

/// GET /users/:user_id (admin)
pub async fn show(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    let user = ctx
        .read(&req, move |c, _| {
            db::users::find(c, id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(reply::data(&user))
}

/// PUT /users/:user_id/permissions (admin): replaces the whole set.
pub async fn set_permissions(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    let mut input = req.json()?;
    let items = input.array("permissions");
    let mut permissions: Vec<&'static str> = Vec::new();
    for (i, item) in items.iter().flatten().enumerate() {
        match item
            .as_str()
            .and_then(|s| PERMISSIONS.iter().find(|p| **p == s))
        {
            Some(p) => permissions.push(p),
            None => input.errors.add_new(
                || format!("permissions.{i}"),
                || format!("The selected permissions.{i} is invalid."),
            ),
        }
    }
    input.finish()?;
    let user = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let before = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            let now = clock::now_rfc3339();
            db::users::set_permissions(c, id, &permissions, &now)?;
            let user = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            if before.permissions != user.permissions {
                let changes = json!({"permissions": [before.permissions, user.permissions]});
                audit::By::admin(who).record(
                    c,
                    "user.permissions_changed",
                    ("user", id.0),
                    changes,
                    &now,
                )?;
            }
            Ok(user)
        })
        .await?;
    Ok(reply::data(&user))
}

/// PUT /users/:user_id/partners (admin): replaces the whole set.
pub async fn set_partners(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = req.params.user.ok_or(ApiError::NotFound)?;
    let mut input = req.json()?;
    let items = input.array("partner_ids");
    let mut partners: Vec<PartnerId> = Vec::new();
    for (i, item) in items.iter().flatten().enumerate() {
        match item.as_i64().filter(|n| *n >= 1) {
            Some(n) => partners.push(PartnerId(n)),
            None => input.errors.add_new(
                || format!("partner_ids.{i}"),
                || format!("The partner_ids.{i} field must be an integer."),
            ),
        }
    }
    input.finish()?;
    let user = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let mut unknown = super::error::FieldErrors::default();
            for (i, p) in partners.iter().enumerate() {
                if !db::partners::exists(c, *p)? {
                    unknown.add_new(
                        || format!("partner_ids.{i}"),
                        || format!("The selected partner_ids.{i} is invalid."),
                    );
                }
            }
            unknown.into_result()?;
            let before = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            let now = clock::now_rfc3339();
            db::users::set_partners(c, id, &partners, &now)?;
            let user = db::users::find(c, id)?.ok_or(ApiError::NotFound)?;
            if before.partner_ids != user.partner_ids {
                let changes = json!({"partner_ids": [before.partner_ids, user.partner_ids]});
                audit::By::admin(who).record(
                    c,
                    "user.partners_changed",
                    ("user", id.0),
                    changes,
                    &now,
                )?;
            }
            Ok(user)
        })
        .await?;
    Ok(reply::data(&user))
}
