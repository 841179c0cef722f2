//! `/partners...`: admins manage partners; other users see their own.

use super::error::ApiError;
use super::request::Request;
use super::validate::Text;
use super::{pagination, reply, Ctx};
use crate::clock;
use crate::db::{self, audit, PartnerId};
use warp::http::Response;
use warp::hyper::Body;

fn id(req: &Request) -> Result<PartnerId, ApiError> {
    req.params.partner.ok_or(ApiError::NotFound)
}

/// GET /partners: all for an admin, a user's own otherwise.
pub async fn list(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let slice = pagination::slice(&req);
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, who| {
            let slice = slice?;
            let only = (!who.is_admin).then_some(who.partner_ids.as_slice());
            let page = db::partners::list(c, only, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(ctx, &req, &slice, &rows, total))
}

/// POST /partners (admin)
pub async fn create(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let mut input = req.json()?;
    let name = input.text("name", Text::required(255)).set();
    input.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("validated name missing"))?;
    let partner = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let now = clock::now_rfc3339();
            let partner = db::partners::create(c, &name, &now)?;
            let changes = audit::created(&partner);
            audit::By::user(partner.id, who).record(
                c,
                "partner.created",
                ("partner", partner.id.0),
                changes,
                &now,
            )?;
            Ok(partner)
        })
        .await?;
    Ok(reply::created(
        &partner,
        format!("/api/internal/v1/partners/{}", partner.id),
    ))
}

/// GET /partners/:partner_id (admin, or a user of that partner)
pub async fn show(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = id(&req)?;
    let partner = ctx
        .read(&req, move |c, _| {
            db::partners::find(c, id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(reply::data(&partner))
}

/// PUT (or PATCH) /partners/:partner_id (admin)
pub async fn update(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = id(&req)?;
    let mut input = req.json()?;
    let name = input.text("name", Text::sometimes(255)).set();
    input.finish()?;
    let partner = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let current = db::partners::find(c, id)?.ok_or(ApiError::NotFound)?;
            match name {
                Some(name) if name != current.name => {
                    let now = clock::now_rfc3339();
                    let partner = db::partners::update(c, id, Some(&name), &now)?
                        .ok_or(ApiError::NotFound)?;
                    if let Some(changes) = audit::updated(&current, &partner) {
                        audit::By::user(id, who).record(
                            c,
                            "partner.updated",
                            ("partner", id.0),
                            changes,
                            &now,
                        )?;
                    }
                    Ok(partner)
                }
                _ => Ok(current),
            }
        })
        .await?;
    Ok(reply::data(&partner))
}

/// DELETE /partners/:partner_id (admin): 409 while it has groups or customers.
pub async fn delete(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let id = id(&req)?;
    let partner = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let current = db::partners::find(c, id)?.ok_or(ApiError::NotFound)?;
            db::partners::delete(c, id).map_err(|e| match e {
                db::Error::Conflict => {
                    ApiError::Conflict("The partner still has groups or customers.")
                }
                other => other.into(),
            })?;
            let now = clock::now_rfc3339();
            audit::By::user(id, who).record(
                c,
                "partner.deleted",
                ("partner", id.0),
                audit::deleted(&current),
                &now,
            )?;
            Ok(current)
        })
        .await?;
    Ok(reply::data(&partner))
}
