//! `/partners/:partner_id/groups...`: the seed's eight endpoints.

use super::error::ApiError;
use super::request::{if_match_allows, Request};
use super::validate::{Input, Text};
use super::{pagination, reply, Ctx};
use crate::clock;
use crate::db::{self, CustomerId, GroupId, PartnerId};
use warp::http::Response;
use warp::hyper::Body;

const NAME: Text = Text::required(255);
const DESCRIPTION: Text = Text::nullable(2000);

fn ids(req: &Request) -> Result<(PartnerId, GroupId), ApiError> {
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
    Ok(pagination::page(&req, &slice, &rows, total))
}

/// POST /partners/:partner_id/groups
pub async fn create(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    ctx.authorize(&req).await?;
    let mut input = req.json()?;
    let name = input.text("name", NAME).set();
    let description = input.text("description", DESCRIPTION).set();
    input.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("validated name missing"))?;
    let group = ctx
        .writer
        .write(move |c| {
            db::groups::create(
                c,
                partner,
                &name,
                description.as_deref(),
                &clock::now_rfc3339(),
            )
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
    Ok(reply::with_etag(reply::data(&group), &reply::etag(&group)))
}

/// PUT (or PATCH) /partners/:partner_id/groups/:group_id: changes only the
/// fields given.
pub async fn update(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    ctx.authorize(&req).await?;
    let mut input: Input = req.json()?;
    let name = input.text("name", Text::sometimes(255)).set();
    let description = input.text("description", DESCRIPTION).change();
    input.finish()?;
    let if_match = req.if_match().map(str::to_owned);
    let group = ctx
        .writer
        .write(move |c| {
            let current = db::groups::find(c, partner, id)?.ok_or(ApiError::NotFound)?;
            if !if_match_allows(if_match.as_deref(), &reply::etag(&current)) {
                return Err(ApiError::PreconditionFailed);
            }
            if name.is_none() && description.is_none() {
                return Ok(current);
            }
            db::groups::update(
                c,
                partner,
                id,
                name.as_deref(),
                description.as_ref().map(|d| d.as_deref()),
                &clock::now_rfc3339(),
            )
        })
        .await?;
    Ok(reply::with_etag(reply::data(&group), &reply::etag(&group)))
}

/// DELETE /partners/:partner_id/groups/:group_id: the memberships go, the
/// customers stay.
pub async fn delete(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    ctx.authorize(&req).await?;
    let if_match = req.if_match().map(str::to_owned);
    let group = ctx
        .writer
        .write(move |c| {
            let current = db::groups::find(c, partner, id)?.ok_or(ApiError::NotFound)?;
            if !if_match_allows(if_match.as_deref(), &reply::etag(&current)) {
                return Err(ApiError::PreconditionFailed);
            }
            db::groups::delete(c, partner, id)?;
            Ok(current)
        })
        .await?;
    Ok(reply::data(&group))
}

/// GET /partners/:partner_id/groups/:group_id/customers
pub async fn members(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let slice = pagination::slice(&req);
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, _| {
            let slice = slice?;
            let page = db::groups::members(c, partner, id, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(&req, &slice, &rows, total))
}

/// POST /partners/:partner_id/groups/:group_id/customers: adding a member
/// again answers the existing membership.
pub async fn add_member(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    ctx.authorize(&req).await?;
    let mut input = req.json()?;
    let customer = input.id("customer_id");
    input.finish()?;
    let customer = CustomerId(customer.ok_or_else(|| ApiError::internal("validated id missing"))?);
    let (member, _added) = ctx
        .writer
        .write(move |c| {
            if !db::groups::exists(c, partner, id)? {
                return Err(ApiError::NotFound);
            }
            db::groups::add_member(c, partner, id, customer, &clock::now_rfc3339())
        })
        .await?;
    Ok(reply::data(&member))
}

/// DELETE /partners/:partner_id/groups/:group_id/customers/:customer_id
pub async fn remove_member(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let customer = req.params.customer.ok_or(ApiError::NotFound)?;
    ctx.authorize(&req).await?;
    let member = ctx
        .writer
        .write(move |c| {
            let member = db::groups::member(c, partner, id, customer)?.ok_or(ApiError::NotFound)?;
            db::groups::remove_member(c, id, customer)?;
            Ok(member)
        })
        .await?;
    Ok(reply::data(&member))
}
