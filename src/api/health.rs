//! `/livez` and `/healthz`.

use super::error::ApiError;
use super::{reply, Ctx};
use serde_json::json;
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// GET /livez: the process serves; touches nothing else.
pub fn livez() -> Response<Body> {
    reply::json(StatusCode::OK, &json!({"status": "ok"}))
}

/// GET /healthz: the database answers a query.
pub async fn healthz(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    crate::db::read(&ctx.pool, |c| {
        c.prepare_cached("SELECT count(*) FROM partners")?
            .query_row([], |r| r.get::<_, i64>(0))?;
        Ok(())
    })
    .await
    .map_err(|_| ApiError::Unavailable)?;
    Ok(livez())
}
