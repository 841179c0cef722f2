//! The OpenAPI 3.1 document, generated from the route table.

use super::reply;
use super::routes::ROUTES;
use serde_json::{json, Map, Value};
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// GET /api/openapi.json
pub fn document() -> Response<Body> {
    reply::json(StatusCode::OK, &spec())
}

/// The document as JSON.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        item[route.method.as_str().to_ascii_lowercase()] = json!({
            "summary": route.summary,
            "responses": {"200": {"description": "OK"}},
        });
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "venue-groups", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
    })
}
