//! The OpenAPI 3.1 document, generated from the route table: every route
//! with its tag, a description naming who may call it and the order of
//! checks, its parameters, request body and every status and header it can
//! answer, each with a schema and an example. Client generators
//! (openapi-python-client), fuzzers (schemathesis) and explorers (Swagger
//! UI, Redoc) read it; `.ci/openapi-lint` keeps it clean for all of them.

mod components;
mod examples;
mod operations;
mod schemas;

use super::reply;
use super::routes::{Route, ROUTES};
use serde_json::{json, Map, Value};
use std::sync::{Mutex, OnceLock};
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// GET /api/openapi.json, with `servers` naming the server's public URL so
/// a client generated from it, or an explorer, calls the right place.
pub fn document(public_url: &str) -> Response<Body> {
    // The route table does not change while the process runs: the
    // document is built once, and its bytes once per public URL (a
    // process serves one; tests run several servers in one process, so
    // only the last is kept).
    static DOC: OnceLock<Value> = OnceLock::new();
    static BYTES: Mutex<Option<(String, bytes::Bytes)>> = Mutex::new(None);
    let mut cache = BYTES.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = match &*cache {
        Some((url, bytes)) if url == public_url => bytes.clone(),
        _ => {
            let mut doc = DOC.get_or_init(spec).clone();
            doc["servers"] = json!([{"url": public_url, "description": "This server"}]);
            let bytes = bytes::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
            *cache = Some((public_url.to_string(), bytes.clone()));
            bytes
        }
    };
    drop(cache);
    reply::json_bytes(StatusCode::OK, Body::from(bytes))
}

pub(super) fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(super) fn response_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

pub(super) fn parameter_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

pub(super) fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

const DESCRIPTION: &str = "\
The partner-groups endpoints of the Venuzle Manager API, served by venue-groups: \
a venue (*partner*) keeps its *customers* and sorts them into *groups*; partner staff \
are *users* with *permissions* and access to the partners they work for.

- **Authentication**: `Authorization: Bearer <token>`, a token from `POST /api/internal/v1/auth/login`.
- **Order of checks** for a partner route: token (401) → permission (403) → partner access \
(403; a partner that does not exist is also 403 for a non-admin, 404 for an admin) → the \
resource inside that partner (404) → the query and the body (400/413/415/422). Routing comes \
first: an unknown path is 404 and a known path with another method is 405 with `Allow`.
- **Bodies** are JSON objects; unknown fields are 422; strings other than passwords are \
trimmed, and an empty optional string is `null`.
- **Lists** are pages: `{\"data\": [...], \"meta\": {...}, \"links\": {...}}` with absolute links.
- **Errors** are `{\"message\": \"...\"}`, with `errors` per field on a 422.

The whole contract is `docs/API.md` in the repository.";

/// The document as JSON (without `servers`, which [`document`] adds).
pub fn spec() -> Value {
    let routes: Vec<&Route> = ROUTES.iter().collect();
    let mut examples = examples::examples();
    examples::envelopes(&mut examples, &routes);
    let mut paths = Map::new();
    for route in &routes {
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        item[route.method.as_str().to_ascii_lowercase()] = operations::operation(route, &examples);
    }
    let tags: Vec<Value> = operations::TAGS
        .iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "venue-groups",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Partner groups of the Venuzle Manager API, from one self-hosted binary.",
            "description": DESCRIPTION,
            "contact": {"name": "venue-groups maintainers", "url": "https://venue-groups.example/docs", "email": "support@venue-groups.example"},
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "http://127.0.0.1:8080", "description": "The default address"}],
        "security": [{"bearerAuth": []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "opaque",
                "description": "A token from `POST /api/internal/v1/auth/login`: 43 characters, opaque, valid for 12 h by default (`--token-ttl`), revoked by `POST /api/internal/v1/auth/logout`.",
            }},
            "schemas": schemas::schemas(&examples, &routes),
            "responses": components::responses(),
            "parameters": components::parameters(),
            "headers": components::headers(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::operations::{tag, TAGS};
    use super::*;
    use crate::api::routes::Guard;

    #[test]
    fn every_route_is_documented_with_its_statuses() {
        let doc = spec();
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
            assert!(op.is_object(), "{} {}", route.method.as_str(), route.path);
            assert!(op["responses"]["200"].is_object());
            assert!(op["responses"]["405"].is_object());
            assert!(op["responses"]["503"].is_object());
            assert!(op["responses"]["default"].is_object());
            assert_eq!(op["tags"].as_array().map(Vec::len), Some(1));
            assert!(op["description"].as_str().is_some_and(|d| d.contains("**")));
            if route.guard != Guard::Public {
                assert!(op["responses"]["401"].is_object(), "{}", route.path);
            }
            if let Some(body) = route.body {
                assert!(doc["components"]["schemas"][body].is_object(), "{body}");
                assert!(op["responses"]["422"].is_object());
            }
        }
    }

    #[test]
    fn every_reference_resolves_and_every_component_is_used() {
        let doc = spec();
        let text = doc.to_string();
        for kind in ["schemas", "responses", "parameters", "headers"] {
            let prefix = format!("#/components/{kind}/");
            for part in text.split(&prefix).skip(1) {
                let name: String = part.chars().take_while(|c| *c != '"').collect();
                assert!(doc["components"][kind][&name].is_object(), "{kind}/{name}");
            }
            for name in doc["components"][kind].as_object().unwrap().keys() {
                assert!(
                    text.contains(&format!("\"{prefix}{name}\"")),
                    "{kind}/{name} unused"
                );
            }
        }
    }

    #[test]
    fn every_schema_property_and_body_has_an_example() {
        let doc = spec();
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            assert!(schema["examples"].is_array(), "{name}");
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                assert!(
                    property["examples"].is_array() || property["$ref"].is_string(),
                    "{name}.{field}"
                );
            }
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for media in op["requestBody"]["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    assert!(
                        media.1["example"].is_string() || media.1["example"].is_object(),
                        "{method} {path}"
                    );
                }
                let ok = &op["responses"]["200"]["content"];
                assert!(
                    ok.as_object()
                        .unwrap()
                        .values()
                        .all(|m| !m["example"].is_null()),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn the_tags_used_are_the_tags_described() {
        let described: Vec<&str> = TAGS.iter().map(|(name, _)| *name).collect();
        for route in ROUTES {
            assert!(described.contains(&tag(route)), "{}", route.path);
        }
    }
}
