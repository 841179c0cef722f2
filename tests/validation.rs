//! Request bodies and routing: malformed or oversized bodies, content types,
//! unknown routes, wrong methods and bad path ids. Every error is the
//! contract's JSON, never a framework's default text.

mod common;

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

// --- Bodies -----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_400_with_a_malformed_json_message() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);
    let group = format!("/partners/{}/groups/{}", w.p, w.g);

    for (method, path) in [
        (Method::POST, groups.clone()),
        (Method::PUT, group.clone()),
        (Method::PATCH, group.clone()),
        (Method::POST, format!("{group}/customers")),
        (Method::POST, format!("/partners/{}/customers", w.p)),
        (Method::PUT, format!("/partners/{}/customers/{}", w.p, w.c)),
    ] {
        for body in [
            "{",
            "{\"name\": }",
            "{\"name\": \"x\",}",
            "{'name': 'x'}",
            "not json",
            "{\"name\": \"x\"} trailing",
            " ",
        ] {
            let a = raw(
                &w.s,
                method.clone(),
                &path,
                Some(&w.user),
                Some("application/json"),
                body,
            )
            .await;
            assert_malformed(&a, &format!("{method} {path} {body:?}"));
        }
    }
    let list = w.s.get(&groups, &w.s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_400() {
    let w = world().await;

    let a = raw(
        &w.s,
        Method::POST,
        &format!("/partners/{}/groups", w.p),
        Some(&w.user),
        Some("application/json"),
        b"{\"name\": \"\xff\xfe\"}".to_vec(),
    )
    .await;

    assert_malformed(&a, "invalid UTF-8");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_body_that_is_not_an_object_is_400() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);

    for body in [
        "[{\"name\": \"x\"}]",
        "[]",
        "\"name\"",
        "42",
        "null",
        "true",
    ] {
        let a = raw(
            &w.s,
            Method::POST,
            &groups,
            Some(&w.user),
            Some("application/json"),
            body,
        )
        .await;
        assert_malformed(&a, body);
    }
    let list = w.s.get(&groups, &w.s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_nested_33_levels_deep_is_400() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);

    for levels in [33, 34, 1000, 30_000] {
        let a = raw(
            &w.s,
            Method::POST,
            &groups,
            Some(&w.user),
            Some("application/json"),
            nested(levels),
        )
        .await;
        assert_malformed(&a, &format!("{levels} levels"));
    }
    let objects = format!("{}{}", "{\"a\":".repeat(33), "}".repeat(33));
    let a = raw(
        &w.s,
        Method::POST,
        &groups,
        Some(&w.user),
        Some("application/json"),
        objects,
    )
    .await;
    assert_malformed(&a, "33 nested objects");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_nested_32_levels_deep_is_read_and_its_unknown_field_is_422() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);

    let a = raw(
        &w.s,
        Method::POST,
        &groups,
        Some(&w.user),
        Some("application/json"),
        nested(32),
    )
    .await;

    let message = "The deep field is prohibited.";
    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {"deep": [message]}}),
        "32 levels",
    );
    // Brackets inside strings do not count as nesting.
    let a = raw(
        &w.s,
        Method::POST,
        &groups,
        Some(&w.user),
        Some("application/json"),
        format!("{{\"name\":\"{}\"}}", "[{".repeat(40)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "[{".repeat(40));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_by_content_type_is_415() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);
    let unsupported = json!({"message": "Unsupported media type."});

    for ct in [
        Some("text/plain"),
        Some("text/plain; charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonp"),
        None,
    ] {
        let a = raw(
            &w.s,
            Method::POST,
            &groups,
            Some(&w.user),
            ct,
            "{\"name\": \"Typed\"}",
        )
        .await;
        expect(
            &a,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            unsupported.clone(),
            &format!("{ct:?}"),
        );
        assert_json_error(&a, &format!("{ct:?}"));
    }
    let a = raw(
        &w.s,
        Method::PUT,
        &format!("{groups}/{}", w.g),
        Some(&w.user),
        Some("text/plain"),
        "{\"name\": \"Typed\"}",
    )
    .await;
    expect(&a, StatusCode::UNSUPPORTED_MEDIA_TYPE, unsupported, "PUT");
    let list = w.s.get(&groups, &w.s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    assert_eq!(list.body["data"][0]["name"], "Juniors");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_content_types_with_parameters_or_any_case_are_accepted() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);

    for (i, ct) in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ]
    .iter()
    .enumerate()
    {
        let a = raw(
            &w.s,
            Method::POST,
            &groups,
            Some(&w.user),
            Some(ct),
            format!("{{\"name\": \"Typed {i}\"}}"),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{ct}: {}", a.text);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_64_kib_is_413_and_64_kib_is_read() {
    let w = world().await;
    let groups = format!("/partners/{}/groups", w.p);
    let limit = 64 * 1024;
    // {"name":"Big","description":"xxx..."} padded to an exact size.
    let sized = |size: usize| {
        let frame = "{\"name\":\"Big\",\"description\":\"\"}".len();
        format!(
            "{{\"name\":\"Big\",\"description\":\"{}\"}}",
            "x".repeat(size - frame)
        )
    };
    assert_eq!(sized(limit).len(), limit);

    let at = raw(
        &w.s,
        Method::POST,
        &groups,
        Some(&w.user),
        Some("application/json"),
        sized(limit),
    )
    .await;
    let over = raw(
        &w.s,
        Method::POST,
        &groups,
        Some(&w.user),
        Some("application/json"),
        sized(limit + 1),
    )
    .await;
    let huge = raw(
        &w.s,
        Method::POST,
        &groups,
        Some(&w.user),
        Some("application/json"),
        sized(2 * 1024 * 1024),
    )
    .await;

    // At the limit the body is read: too long a description, so 422.
    assert_eq!(at.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", at.text);
    assert!(at.body["errors"]["description"].is_array(), "{}", at.text);
    expect(
        &over,
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({"message": "Payload too large."}),
        "64 KiB + 1",
    );
    expect(
        &huge,
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({"message": "Payload too large."}),
        "2 MiB",
    );
    assert_json_error(&over, "413");
    let list = w.s.get(&groups, &w.s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_without_a_token_is_401() {
    let w = world().await;

    let a = raw(
        &w.s,
        Method::POST,
        &format!("/partners/{}/groups", w.p),
        None,
        Some("application/json"),
        format!("{{\"name\":\"{}\"}}", "x".repeat(100 * 1024)),
    )
    .await;

    common::expect_unauthenticated(&a, "oversized without a token");
    w.s.stop().await;
}

// --- Routing ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_route_is_404_with_or_without_a_token() {
    let w = world().await;

    for path in [
        "/api/internal/v1/nope",
        "/api/internal/v1/partners/1/nope",
        "/api/internal/v1/partners/1/groups/1/customers/1/extra",
        "/api/internal/v1/partners/1/groups/",
        "/api/internal/v1/",
        "/api/internal/v2/partners",
        "/api/internal/v1//partners",
        "/nope",
        "/nope.js",
        "/livez/extra",
    ] {
        for token in [None, Some(w.s.admin.as_str()), Some("garbage")] {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                let mut req =
                    w.s.client
                        .request(method.clone(), format!("{}{path}", w.s.url));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let a = send(req).await;
                expect_not_found(&a, &format!("{method} {path} token {}", token.is_some()));
                assert_json_error(&a, path);
            }
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_path_with_a_wrong_method_is_405_with_allow_with_or_without_a_token() {
    let w = world().await;
    let (p, g, c) = (w.p, w.g, w.c);

    for (method, path, allow) in [
        (
            Method::DELETE,
            format!("/partners/{p}/groups"),
            "GET, HEAD, POST",
        ),
        (
            Method::POST,
            format!("/partners/{p}/groups/{g}"),
            "GET, HEAD, PUT, PATCH, DELETE",
        ),
        (
            Method::PUT,
            format!("/partners/{p}/groups/{g}/customers"),
            "GET, HEAD, POST",
        ),
        (
            Method::GET,
            format!("/partners/{p}/groups/{g}/customers/{c}"),
            "DELETE",
        ),
        (
            Method::PATCH,
            format!("/partners/{p}/customers"),
            "GET, HEAD, POST",
        ),
        (Method::GET, "/auth/login".to_string(), "POST"),
        (
            Method::POST,
            "/partners/999999/groups/999999".to_string(),
            "GET, HEAD, PUT, PATCH, DELETE",
        ),
    ] {
        for token in [
            None,
            Some(w.s.admin.as_str()),
            Some(w.user.as_str()),
            Some("garbage"),
        ] {
            let a = w.s.call(method.clone(), &path, token, None).await;
            expect(
                &a,
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"message": "Method not allowed."}),
                &format!("{method} {path}"),
            );
            assert_eq!(a.header("allow"), Some(allow), "{method} {path}");
            assert_json_error(&a, &path);
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_method_on_a_known_path_is_405() {
    let w = world().await;
    let method = Method::from_bytes(b"BREW").unwrap();

    let a =
        w.s.call(
            method,
            &format!("/partners/{}/groups", w.p),
            Some(&w.s.admin),
            None,
        )
        .await;

    expect(
        &a,
        StatusCode::METHOD_NOT_ALLOWED,
        json!({"message": "Method not allowed."}),
        "BREW",
    );
    assert_eq!(a.header("allow"), Some("GET, HEAD, POST"));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_path_ids_are_404_for_everyone() {
    let w = world().await;
    let (p, g, c) = (w.p, w.g, w.c);

    for bad in [
        "abc",
        "0",
        "-1",
        "1.5",
        "99999999999999999999",
        "9223372036854775808",
        "+1",
        "1e3",
        "%20",
        "01x",
    ] {
        for (method, path) in [
            (Method::GET, format!("/partners/{bad}/groups")),
            (Method::POST, format!("/partners/{bad}/groups")),
            (Method::GET, format!("/partners/{p}/groups/{bad}")),
            (Method::PUT, format!("/partners/{p}/groups/{bad}")),
            (Method::DELETE, format!("/partners/{p}/groups/{bad}")),
            (Method::GET, format!("/partners/{p}/groups/{bad}/customers")),
            (
                Method::DELETE,
                format!("/partners/{p}/groups/{g}/customers/{bad}"),
            ),
            (Method::GET, format!("/partners/{p}/customers/{bad}")),
            (Method::GET, format!("/users/{bad}")),
        ] {
            for token in [None, Some(w.s.admin.as_str()), Some(w.user.as_str())] {
                let a =
                    w.s.call(
                        method.clone(),
                        &path,
                        token,
                        Some(json!({"name": "x", "customer_id": c})),
                    )
                    .await;
                expect_not_found(&a, &format!("{method} {path} token {}", token.is_some()));
            }
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_i64_id_is_a_valid_id_that_finds_nothing() {
    let w = world().await;
    let max = i64::MAX;

    let a =
        w.s.get(&format!("/partners/{}/groups/{max}", w.p), &w.s.admin)
            .await;
    let b = w.s.get(&format!("/partners/{max}/groups"), &w.user).await;
    let c =
        w.s.get(&format!("/partners/{max}/groups"), &w.s.admin)
            .await;

    expect_not_found(&a, "group i64::MAX");
    common::expect_forbidden(&b, "partner i64::MAX as a partner user");
    expect_not_found(&c, "partner i64::MAX as admin");
    w.s.stop().await;
}

// --- Every error is JSON ----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_answer_is_json_with_a_message() {
    let w = world().await;
    let s = &w.s;
    let (p, g) = (w.p, w.g);
    let (_, reader) = s.user("reader@example.com", &["groups.read"], &[p]).await;
    let etag_stale = "\"stale\"";
    let mut answers: Vec<(String, Answer)> = Vec::new();

    answers.push((
        "400".into(),
        raw(
            s,
            Method::POST,
            &format!("/partners/{p}/groups"),
            Some(&w.user),
            Some("application/json"),
            "{",
        )
        .await,
    ));
    answers.push((
        "401".into(),
        s.call(Method::GET, &format!("/partners/{p}/groups"), None, None)
            .await,
    ));
    answers.push((
        "401 login".into(),
        s.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "nobody@example.com", "password": "wrong-password"})),
        )
        .await,
    ));
    answers.push((
        "403".into(),
        s.post(
            &format!("/partners/{p}/groups"),
            &reader,
            json!({"name": "x"}),
        )
        .await,
    ));
    answers.push((
        "404".into(),
        s.get(&format!("/partners/{p}/groups/999999"), &s.admin)
            .await,
    ));
    answers.push((
        "404 root".into(),
        send(s.client.get(format!("{}/definitely-not-here", s.url))).await,
    ));
    answers.push((
        "405".into(),
        s.call(Method::PATCH, &format!("/partners/{p}/groups"), None, None)
            .await,
    ));
    answers.push((
        "412".into(),
        send(
            s.client
                .put(s.api(&format!("/partners/{p}/groups/{g}")))
                .bearer_auth(&s.admin)
                .header("if-match", etag_stale)
                .json(&json!({"name": "x"})),
        )
        .await,
    ));
    answers.push((
        "413".into(),
        raw(
            s,
            Method::POST,
            &format!("/partners/{p}/groups"),
            Some(&w.user),
            Some("application/json"),
            "x".repeat(70 * 1024),
        )
        .await,
    ));
    answers.push((
        "415".into(),
        raw(
            s,
            Method::POST,
            &format!("/partners/{p}/groups"),
            Some(&w.user),
            Some("text/plain"),
            "{}",
        )
        .await,
    ));
    answers.push((
        "422".into(),
        s.post(&format!("/partners/{p}/groups"), &w.user, json!({}))
            .await,
    ));
    answers.push((
        "422 query".into(),
        s.get(&format!("/partners/{p}/groups?page=0"), &w.user)
            .await,
    ));
    answers.push((
        "409".into(),
        s.delete(&format!("/partners/{p}"), &s.admin).await,
    ));

    let expected = [
        ("400", 400),
        ("401", 401),
        ("401 login", 401),
        ("403", 403),
        ("404", 404),
        ("404 root", 404),
        ("405", 405),
        ("412", 412),
        ("413", 413),
        ("415", 415),
        ("422", 422),
        ("422 query", 422),
        ("409", 409),
    ];
    for ((what, a), (name, status)) in answers.iter().zip(expected) {
        assert_eq!(what, name);
        assert_eq!(a.status.as_u16(), status, "{what}: {}", a.text);
        assert_json_error(a, what);
        if status == 422 {
            assert!(a.body["errors"].is_object(), "{what}: {}", a.text);
            let first = a.body["errors"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()[0]
                .clone();
            assert_eq!(a.body["message"], first, "{what}");
        }
    }
    w.s.stop().await;
}
