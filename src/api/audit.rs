//! `GET /partners/:partner_id/audit` and the admin's `GET /audit`: who
//! changed what, newest first. Nothing here changes an entry.

use super::error::{ApiError, FieldErrors};
use super::request::Request;
use super::{pagination, Ctx};
use crate::db::{self, audit::Filter, PartnerId};
use warp::http::Response;
use warp::hyper::Body;

/// The filters from the query string; `partner_id` only for the admin's
/// list over all partners.
fn filter(req: &Request, partner: Option<PartnerId>) -> Result<Filter, ApiError> {
    let mut f = Filter {
        partner,
        ..Filter::default()
    };
    let mut errors = FieldErrors::default();
    let id = |name: &str, value: &str, errors: &mut FieldErrors| match value.trim().parse::<i64>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            errors.add(
                name,
                format!("The {} field must be an integer.", name.replace('_', " ")),
            );
            None
        }
    };
    for (name, value) in req.query_pairs() {
        match name.as_str() {
            "subject_type" => f.subject_type = Some(value.trim().to_string()),
            "action" => f.action = Some(value.trim().to_string()),
            "subject_id" => f.subject_id = id("subject_id", &value, &mut errors),
            "user_id" => f.user_id = id("user_id", &value, &mut errors),
            "partner_id" if partner.is_none() => {
                f.partner = id("partner_id", &value, &mut errors).map(PartnerId)
            }
            _ => {}
        }
    }
    errors.into_result()?;
    Ok(f)
}

/// GET /partners/:partner_id/audit (audit.read) and GET /audit (admin).
pub async fn list(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let query = pagination::slice(&req).and_then(|s| Ok((s, filter(&req, req.params.partner)?)));
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, _| {
            let (slice, filter) = query?;
            let page = db::audit::list(c, &filter, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(ctx, &req, &slice, &rows, total))
}
