//! `/partners/:partner_id/groups[/:group_id]`: a partner's groups. Their
//! members are in `members.rs`.

use super::error::{ApiError, OnUnique};
use super::request::{if_match_allows, Request};
use super::validate::{Input, Text};
use super::{pagination, reply, Ctx};
use crate::clock;
use crate::db::{self, audit, GroupId, PartnerId};
use warp::http::Response;
use warp::hyper::Body;

/// The 422 for a name the partner already uses (in any case).
const NAME_TAKEN: &str = "The name has already been taken.";

const NAME: Text = Text::required(255);
const DESCRIPTION: Text = Text::nullable(2000).multiline();

/// The partner and group of the path.
pub fn ids(req: &Request) -> Result<(PartnerId, GroupId), ApiError> {
    match (req.params.partner, req.params.group) {
        (Some(p), Some(g)) => Ok((p, g)),
        _ => Err(ApiError::NotFound),
    }
}

fn location(g: &db::groups::Group) -> String {
    format!("/api/internal/v1/partners/{}/groups/{}", g.partner_id, g.id)
}

/// GET /partners/:partner_id/groups
pub async fn list(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let slice = pagination::slice(&req);
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, _| {
            let slice = slice?;
            let page = db::groups::list(c, partner, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(ctx, &req, &slice, &rows, total))
}

/// POST /partners/:partner_id/groups
pub async fn create(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let mut input = req.json()?;
    let name = input.text("name", NAME).set();
    let description = input.text("description", DESCRIPTION).set();
    input.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("validated name missing"))?;
    let group = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let now = clock::now_rfc3339();
            let group = db::groups::create(c, partner, &name, description.as_deref(), &now)
                .on_unique(db::groups::NAME_KEY, "name", NAME_TAKEN)?;
            let subject = ("group", group.id.0);
            audit::By::user(partner, who).record(
                c,
                "group.created",
                subject,
                audit::created(&group),
                &now,
            )?;
            Ok(group)
        })
        .await?;
    Ok(reply::created(&group, location(&group)))
}

/// GET /partners/:partner_id/groups/:group_id
pub async fn show(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let group = ctx
        .read(&req, move |c, _| {
            db::groups::find(c, partner, id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(reply::data_with_etag(&group))
}

/// PUT (or PATCH) /partners/:partner_id/groups/:group_id: changes only the
/// fields given.
pub async fn update(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let mut input: Input = req.json()?;
    let name = input.text("name", Text::sometimes(255)).set();
    let description = input.text("description", DESCRIPTION).change();
    input.finish()?;
    let if_match = req.if_match().map(str::to_owned);
    let group = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let current = db::groups::find(c, partner, id)?.ok_or(ApiError::NotFound)?;
            if !if_match_allows(if_match.as_deref(), &reply::etag(&current)) {
                return Err(ApiError::PreconditionFailed);
            }
            let unchanged = name.as_ref().is_none_or(|n| *n == current.name)
                && description
                    .as_ref()
                    .is_none_or(|d| *d == current.description);
            if unchanged {
                return Ok(current);
            }
            let now = clock::now_rfc3339();
            let group = db::groups::update(
                c,
                partner,
                id,
                name.as_deref(),
                description.as_ref().map(|d| d.as_deref()),
                &now,
            )
            .on_unique(db::groups::NAME_KEY, "name", NAME_TAKEN)?
            .ok_or(ApiError::NotFound)?;
            if let Some(changes) = audit::updated(&current, &group) {
                audit::By::user(partner, who).record(
                    c,
                    "group.updated",
                    ("group", id.0),
                    changes,
                    &now,
                )?;
            }
            Ok(group)
        })
        .await?;
    Ok(reply::data_with_etag(&group))
}

/// DELETE /partners/:partner_id/groups/:group_id: the memberships go, the
/// customers stay.
pub async fn delete(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let if_match = req.if_match().map(str::to_owned);
    let group = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let current = db::groups::find(c, partner, id)?.ok_or(ApiError::NotFound)?;
            if !if_match_allows(if_match.as_deref(), &reply::etag(&current)) {
                return Err(ApiError::PreconditionFailed);
            }
            db::groups::delete(c, partner, id)?;
            let now = clock::now_rfc3339();
            audit::By::user(partner, who).record(
                c,
                "group.deleted",
                ("group", id.0),
                audit::deleted(&current),
                &now,
            )?;
            Ok(current)
        })
        .await?;
    Ok(reply::data(&group))
}
