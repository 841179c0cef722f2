//! Request bodies and routing: malformed or oversized bodies, content types,
//! unknown routes, wrong methods and bad path ids. Every error is the
//! contract's JSON, never a framework's default text.

#[path = "../common/mod.rs"]
mod common;

mod bodies;
mod errors;
mod routing;

use common::{expect, expect_not_found, send, Answer, TestServer, ALL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A partner with a group and a customer, and a partner user with every
/// permission.
struct World {
    s: TestServer,
    p: i64,
    g: i64,
    c: i64,
    user: String,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Juniors").await;
    let c = s.customer(&s.admin, p, "Anna", "Berger", None).await;
    let (_, user) = s.user("staff@example.com", ALL, &[p]).await;
    World { s, p, g, c, user }
}

/// Sends raw bytes with a content type (or none) to an API path.
async fn raw(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut req = s.client.request(method, s.api(path)).body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    send(req).await
}

/// Asserts what every error answer has: a JSON content type and a JSON
/// object body with a `message` string.
fn assert_json_error(a: &Answer, what: &str) {
    assert!(a.status.as_u16() >= 400, "{what}: {}", a.status);
    let ct = a.header("content-type").unwrap_or("");
    assert!(
        ct.starts_with("application/json"),
        "{what}: content-type {ct:?}, body {:?}",
        a.text
    );
    let body: Value = serde_json::from_str(&a.text)
        .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {:?}", a.text));
    assert!(body["message"].is_string(), "{what}: {}", a.text);
    assert!(!body["message"].as_str().unwrap().is_empty(), "{what}");
}

/// JSON nested `levels` deep counting the outer object as level 1, with an
/// unknown field `deep` holding the nesting.
fn nested(levels: usize) -> String {
    assert!(levels >= 2);
    let inner = levels - 1;
    format!(
        "{{\"name\":\"Deep\",\"deep\":{}{}}}",
        "[".repeat(inner),
        "]".repeat(inner)
    )
}

fn assert_malformed(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{what}: {}", a.text);
    let message = a.body["message"].as_str().unwrap_or("");
    assert!(message.starts_with("Malformed JSON"), "{what}: {message:?}");
    assert_eq!(
        a.body.as_object().map(|o| o.len()),
        Some(1),
        "{what}: only a message: {}",
        a.text
    );
    assert_json_error(a, what);
}
