//! Routing.

use super::*;

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
