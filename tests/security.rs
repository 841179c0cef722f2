//! Security basics every answer keeps: `X-Content-Type-Options: nosniff`
//! and no `Server` header that gives a version away, on API answers,
//! errors and the admin page's files alike; CORS closed unless an origin is
//! configured, and then open to that one origin only.
//!
//! Tokens being stored only as their SHA-256 and the login throttle not
//! being dodged by the email's case or spaces are proven in tests/auth/
//! (`tokens_are_stored_only_as_their_sha256`,
//! `the_throttle_cannot_be_dodged_by_changing_case_or_adding_spaces`).

mod common;

use common::{send, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

const DESK: &str = "https://desk.example";

/// The cases of [`every_kind_of_answer`] that fetch the admin page's files.
const PAGE_FILES: &[&str] = &[
    "GET /",
    "GET /app.js",
    "GET /style.css",
    "GET / If-None-Match",
    "HEAD /",
];

/// Asserts the headers every response carries.
fn assert_basics(what: &str, r: &common::Answer) {
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what} ({})",
        r.status
    );
    if let Some(server) = r.header("server") {
        assert!(
            !server.chars().any(|c| c.is_ascii_digit()) && !server.contains('/'),
            "{what}: Server: {server}"
        );
    }
    assert!(r.header("x-powered-by").is_none(), "{what}");
}

/// Requests covering every kind of answer: API 200s, 400, 401, 403, 404,
/// 405, 413, 415, 422, the public routes, the page and its files (200 and
/// 304), with and without an `Origin`.
async fn every_kind_of_answer(
    s: &TestServer,
    origin: Option<&str>,
) -> Vec<(String, common::Answer)> {
    let p = s
        .partner(&format!("Venue {}", origin.unwrap_or("none")))
        .await;
    let (_, plain) = s
        .user(
            &format!("plain.{}@s.example", origin.map_or(0, str::len)),
            &[],
            &[p],
        )
        .await;
    let api = |path: &str| s.api(path);
    let root = |path: &str| format!("{}{path}", s.url);
    let admin = s.admin.clone();
    let index = send(s.client.get(root("/"))).await;
    let etag = index.header("etag").unwrap_or("\"none\"").to_string();
    let cases: Vec<(&str, reqwest::RequestBuilder, Option<StatusCode>)> = vec![
        (
            "GET /me",
            s.client.get(api("/me")).bearer_auth(&admin),
            Some(StatusCode::OK),
        ),
        (
            "GET groups list",
            s.client
                .get(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&admin),
            Some(StatusCode::OK),
        ),
        (
            "POST group",
            s.client
                .post(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&admin)
                .json(&json!({"name": format!("G {}", origin.unwrap_or(""))})),
            Some(StatusCode::OK),
        ),
        (
            "GET /livez",
            s.client.get(root("/livez")),
            Some(StatusCode::OK),
        ),
        (
            "GET /healthz",
            s.client.get(root("/healthz")),
            Some(StatusCode::OK),
        ),
        (
            "GET /api/openapi.json",
            s.client.get(root("/api/openapi.json")),
            Some(StatusCode::OK),
        ),
        ("GET /", s.client.get(root("/")), Some(StatusCode::OK)),
        (
            "GET /app.js",
            s.client.get(root("/app.js")),
            Some(StatusCode::OK),
        ),
        (
            "GET /style.css",
            s.client.get(root("/style.css")),
            Some(StatusCode::OK),
        ),
        (
            "GET / If-None-Match",
            s.client.get(root("/")).header("if-none-match", &etag),
            Some(StatusCode::NOT_MODIFIED),
        ),
        ("HEAD /", s.client.head(root("/")), Some(StatusCode::OK)),
        (
            "400",
            s.client
                .post(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body("{\"name\":"),
            Some(StatusCode::BAD_REQUEST),
        ),
        (
            "401",
            s.client.get(api("/me")),
            Some(StatusCode::UNAUTHORIZED),
        ),
        (
            "403",
            s.client
                .get(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&plain),
            Some(StatusCode::FORBIDDEN),
        ),
        (
            "404 API",
            s.client.get(api("/nowhere")).bearer_auth(&admin),
            Some(StatusCode::NOT_FOUND),
        ),
        (
            "404 root",
            s.client.get(root("/nowhere.html")),
            Some(StatusCode::NOT_FOUND),
        ),
        (
            "405",
            s.client.delete(api("/me")).bearer_auth(&admin),
            Some(StatusCode::METHOD_NOT_ALLOWED),
        ),
        (
            "413",
            s.client
                .post(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body(vec![b' '; 65 * 1024]),
            Some(StatusCode::PAYLOAD_TOO_LARGE),
        ),
        (
            "415",
            s.client
                .post(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&admin)
                .header("content-type", "text/plain")
                .body("{}"),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ),
        (
            "422",
            s.client
                .post(api(&format!("/partners/{p}/groups")))
                .bearer_auth(&admin)
                .json(&json!({"name": ""})),
            Some(StatusCode::UNPROCESSABLE_ENTITY),
        ),
        (
            "401 at login",
            s.client
                .post(api("/auth/login"))
                .json(&json!({"email": "nobody@s.example", "password": "wrong-password"})),
            Some(StatusCode::UNAUTHORIZED),
        ),
    ];
    let mut out = Vec::new();
    for (what, req, expected) in cases {
        let req = match origin {
            Some(o) => req.header("origin", o),
            None => req,
        };
        let a = send(req).await;
        if let Some(status) = expected {
            assert_eq!(a.status, status, "{what}: {}", a.text);
        }
        out.push((what.to_string(), a));
    }
    out
}

#[tokio::test]
async fn every_answer_says_nosniff_and_names_no_server_version() {
    let s = TestServer::start().await;
    for (what, a) in every_kind_of_answer(&s, None).await {
        assert_basics(&what, &a);
    }
    // A preflight, which routing answers itself (405 while CORS is closed).
    let a = send(
        s.client
            .request(Method::OPTIONS, s.api("/me"))
            .header("access-control-request-method", "GET"),
    )
    .await;
    assert_basics("OPTIONS /me", &a);
}

#[tokio::test]
async fn api_answers_are_never_cached_and_json_says_so() {
    let s = TestServer::start().await;
    for (what, a) in every_kind_of_answer(&s, None).await {
        let ct = a.header("content-type").unwrap_or("");
        if PAGE_FILES.contains(&what.as_str()) {
            // The page and its files are revalidated by ETag instead.
            assert_eq!(a.header("cache-control"), Some("no-cache"), "{what}");
            continue;
        }
        assert!(
            ct.starts_with("application/json"),
            "{what}: content type {ct:?}"
        );
        assert_eq!(a.header("cache-control"), Some("no-store"), "{what}");
    }
}

#[tokio::test]
async fn cors_is_closed_by_default_even_when_the_request_names_an_origin() {
    let s = TestServer::start().await;
    for (what, a) in every_kind_of_answer(&s, Some(DESK)).await {
        assert!(
            a.header("access-control-allow-origin").is_none(),
            "{what}: {:?}",
            a.header("access-control-allow-origin")
        );
        assert!(
            a.header("access-control-allow-credentials").is_none(),
            "{what}"
        );
    }
    let a = send(
        s.client
            .request(Method::OPTIONS, s.api("/partners/1/groups"))
            .header("origin", DESK)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            ),
    )
    .await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{}", a.text);
    assert!(a.header("access-control-allow-origin").is_none());
    assert!(a.header("access-control-allow-methods").is_none());
}

#[tokio::test]
async fn a_configured_origin_gets_cors_and_a_preflight_and_no_other_origin_does() {
    let s = TestServer::start_with(|c| c.cors_origin = Some(DESK.to_string())).await;

    // The configured origin: every answer, errors included (so the page can
    // read them), names it, never `*`, and says it varies by origin.
    for (what, a) in every_kind_of_answer(&s, Some(DESK)).await {
        assert_basics(&what, &a);
        assert_eq!(
            a.header("access-control-allow-origin"),
            Some(DESK),
            "{what} ({})",
            a.status
        );
        let vary = a.header("vary").unwrap_or("").to_ascii_lowercase();
        assert!(vary.contains("origin"), "{what}: Vary: {vary}");
        assert!(
            a.header("access-control-allow-credentials").is_none(),
            "{what}"
        );
    }

    // Its preflight: 204, the path's methods, the headers the API reads.
    let p = s.partner("Preflight Venue").await;
    let a = send(
        s.client
            .request(Method::OPTIONS, s.api(&format!("/partners/{p}/groups")))
            .header("origin", DESK)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    assert_basics("preflight", &a);
    assert_eq!(a.header("access-control-allow-origin"), Some(DESK));
    let methods = a.header("access-control-allow-methods").unwrap_or("");
    for m in ["GET", "POST"] {
        assert!(methods.contains(m), "allow-methods {methods:?}");
    }
    assert!(!methods.contains("DELETE"), "allow-methods {methods:?}");
    let headers = a
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    for h in ["authorization", "content-type", "if-match"] {
        assert!(headers.contains(h), "allow-headers {headers:?}");
    }
    assert!(a.text.is_empty(), "{}", a.text);
    // A path with a single method lists just that (and HEAD).
    let a = send(
        s.client
            .request(Method::OPTIONS, s.api("/me"))
            .header("origin", DESK)
            .header("access-control-request-method", "GET"),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.header("access-control-allow-methods"), Some("GET, HEAD"));

    // Any other origin, however close, gets nothing.
    for other in [
        "https://evil.example",
        "https://desk.example.evil.example",
        "https://desk.example:8443",
        "http://desk.example",
        "https://DESK.example",
        "https://desk.example/",
        "null",
    ] {
        let a = send(
            s.client
                .get(s.api("/me"))
                .bearer_auth(&s.admin)
                .header("origin", other),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(
            a.header("access-control-allow-origin").is_none(),
            "{other}: {:?}",
            a.header("access-control-allow-origin")
        );
        let a = send(
            s.client
                .request(Method::OPTIONS, s.api(&format!("/partners/{p}/groups")))
                .header("origin", other)
                .header("access-control-request-method", "POST"),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{other}: {}",
            a.text
        );
        assert!(a.header("access-control-allow-origin").is_none(), "{other}");
        assert!(
            a.header("access-control-allow-methods").is_none(),
            "{other}"
        );
        assert_basics(&format!("preflight from {other}"), &a);
    }

    // Without an Origin (same-origin page, curl): no CORS headers at all.
    let a = s.get("/me", &s.admin).await;
    assert!(a.header("access-control-allow-origin").is_none());
}
