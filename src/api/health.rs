//! `/livez`, `/healthz` and `/metrics`.

use super::error::ApiError;
use super::request::Request;
use super::{reply, Ctx};
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// GET /livez: the process serves; touches nothing else.
pub async fn livez(_ctx: &Ctx, _req: Request) -> Result<Response<Body>, ApiError> {
    Ok(alive())
}

fn alive() -> Response<Body> {
    // A constant: the cheapest answer there is, for probes that come often.
    reply::json_bytes(StatusCode::OK, Body::from(&br#"{"status":"ok"}"#[..]))
}

/// GET /healthz: the database answers a query.
pub async fn healthz(ctx: &Ctx, _req: Request) -> Result<Response<Body>, ApiError> {
    crate::db::read(&ctx.pool, |c| {
        c.prepare_cached("SELECT count(*) FROM partners")?
            .query_row([], |r| r.get::<_, i64>(0))?;
        Ok::<_, crate::db::Error>(())
    })
    .await
    .map_err(|_| ApiError::Unavailable)?;
    Ok(alive())
}

/// GET /metrics (admins; `--metrics-addr` serves it without a token).
pub async fn metrics(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    ctx.read(&req, |_, _| Ok(())).await?;
    Ok(metrics_text(&ctx.config.db))
}

/// The rendered figures as a text/plain answer.
pub fn metrics_text(db: &std::path::Path) -> Response<Body> {
    let mut response = Response::new(Body::from(crate::metrics::METRICS.render(db)));
    response.headers_mut().insert(
        warp::http::header::CONTENT_TYPE,
        warp::http::HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    );
    response
}
