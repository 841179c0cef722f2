//! Bodies.

use super::*;

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
