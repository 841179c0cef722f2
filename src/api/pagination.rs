//! `page`, `per_page` and `search` from the query string, and the
//! Laravel-style `data`/`meta`/`links` envelope around a page of rows.

use super::error::{ApiError, FieldErrors};
use super::request::Query;
use super::request::Request;
use super::Ctx;
use crate::db::{search::Search, Slice};
use serde::Serialize;
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// Default rows per page.
pub const DEFAULT_PER_PAGE: i64 = 20;
/// Most rows per page.
pub const MAX_PER_PAGE: i64 = 100;

/// What the client asked for, validated (422 with `errors.page` or
/// `errors.per_page` otherwise).
pub fn slice(req: &Request) -> Result<Slice, ApiError> {
    let mut errors = FieldErrors::default();
    let mut page = 1;
    let mut per_page = DEFAULT_PER_PAGE;
    let mut search = None;
    for (name, value) in req.query_pairs() {
        match name.as_str() {
            "page" => page = bounded(&mut errors, "page", &value, 1, i64::MAX).unwrap_or(1),
            "per_page" => {
                per_page = bounded(&mut errors, "per_page", &value, 1, MAX_PER_PAGE)
                    .unwrap_or(DEFAULT_PER_PAGE)
            }
            "search" if req.query_kind == Query::PageSearch => search = Search::parse(&value),
            _ => {}
        }
    }
    errors.into_result()?;
    Ok(Slice {
        page,
        per_page,
        search,
    })
}

fn bounded(errors: &mut FieldErrors, name: &str, value: &str, min: i64, max: i64) -> Option<i64> {
    let attr = super::validate::attribute(name);
    let value = value.trim();
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.add(name, format!("The {attr} field must be an integer."));
        return None;
    }
    match value.parse::<i64>() {
        Err(_) => errors.add(
            name,
            format!("The {attr} field must not be greater than {max}."),
        ),
        Ok(n) if n < min => errors.add(name, format!("The {attr} field must be at least {min}.")),
        Ok(n) if n > max => errors.add(
            name,
            format!("The {attr} field must not be greater than {max}."),
        ),
        Ok(n) => return Some(n),
    }
    None
}

#[derive(Serialize)]
struct Meta {
    current_page: i64,
    from: Option<i64>,
    to: Option<i64>,
    per_page: i64,
    total: i64,
    last_page: i64,
}

#[derive(Serialize)]
struct Links {
    first: String,
    last: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    data: &'a [T],
    meta: Meta,
    links: Links,
}

/// `200` with a page of rows, its `meta` and `links`: absolute URLs on the
/// server's public URL, as Laravel writes them (clients follow `next` as
/// given), keeping the client's other query parameters (`search`,
/// `per_page`, filters).
pub fn page<T: Serialize>(
    ctx: &Ctx,
    req: &Request,
    slice: &Slice,
    rows: &[T],
    total: i64,
) -> Response<Body> {
    let base = ctx.config.public_url.as_deref().unwrap_or_default();
    let path = req.path.as_str();
    let last_page = ((total + slice.per_page - 1) / slice.per_page).max(1);
    let from = (!rows.is_empty()).then(|| slice.offset() + 1);
    let to = from.map(|f| f + rows.len() as i64 - 1);
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (name, value) in req.query_pairs() {
        // Everything but the page itself: search, per_page and filters.
        if name != "page" {
            kept.append_pair(&name, &value);
        }
    }
    let kept = kept.finish();
    let link = |page: i64| {
        if kept.is_empty() {
            format!("{base}{path}?page={page}")
        } else {
            format!("{base}{path}?{kept}&page={page}")
        }
    };
    let envelope = Envelope {
        data: rows,
        meta: Meta {
            current_page: slice.page,
            from,
            to,
            per_page: slice.per_page,
            total,
            last_page,
        },
        links: Links {
            first: link(1),
            last: link(last_page),
            prev: (slice.page > 1).then(|| link(slice.page - 1)),
            next: (slice.page < last_page).then(|| link(slice.page + 1)),
        },
    };
    super::reply::json(StatusCode::OK, &envelope)
}
