//! Who may call them.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_succeeds_for_a_user_with_just_its_permission() {
    let w = world().await;
    let s = &w.s;
    let mut i = 0;
    for e in endpoints(w.p, w.g, w.c) {
        i += 1;
        let (_, t) = s
            .user(&format!("just{i}@example.com"), &[e.permission], &[w.p])
            .await;
        let a = e.call(s, Some(&t)).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", e.name, a.text);
        assert!(a.body["data"].is_object() || a.body["data"].is_array());
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_without_a_token() {
    let w = world().await;
    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(&w.s, None).await;
        expect_unauthenticated(&a, e.name);
    }
    let after = w.s.get(&group_path(w.p, w.g), &w.s.admin).await;
    assert_eq!(after.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_with_a_garbage_token() {
    let w = world().await;
    for e in endpoints(w.p, w.g, w.c) {
        for garbage in ["garbage", "vg_0000000000000000000000000000000000"] {
            let a = e.call(&w.s, Some(garbage)).await;
            expect_unauthenticated(&a, e.name);
        }
        let a = send(
            w.s.client
                .request(e.method.clone(), w.s.api(&e.path))
                .header("authorization", format!("Basic {}", w.s.admin)),
        )
        .await;
        expect_unauthenticated(&a, &format!("{} with Basic", e.name));
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_with_an_expired_token() {
    let w = world().await;
    let (id, _) = w.s.user("staff@example.com", common::ALL, &[w.p]).await;
    let admin_id = user_id_of(&w.s, &w.s.admin).await;
    let expired = expired_token(&w.s, id);
    let expired_admin = expired_token(&w.s, admin_id);

    for e in endpoints(w.p, w.g, w.c) {
        expect_unauthenticated(&e.call(&w.s, Some(&expired)).await, e.name);
        expect_unauthenticated(&e.call(&w.s, Some(&expired_admin)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_with_a_revoked_token() {
    let w = world().await;
    w.s.user("staff@example.com", common::ALL, &[w.p]).await;
    let revoked = revoked_token(&w.s, "staff@example.com", PASSWORD).await;
    let revoked_admin = revoked_token(&w.s, common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;

    for e in endpoints(w.p, w.g, w.c) {
        expect_unauthenticated(&e.call(&w.s, Some(&revoked)).await, e.name);
        expect_unauthenticated(&e.call(&w.s, Some(&revoked_admin)).await, e.name);
    }
    // The admin's other token keeps working.
    let a = w.s.get(&group_path(w.p, w.g), &w.s.admin).await;
    assert_eq!(a.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_403_without_its_permission() {
    let w = world().await;
    let s = &w.s;
    let mut tokens = std::collections::HashMap::new();
    for perm in [
        "groups.read",
        "groups.create",
        "groups.update",
        "groups.delete",
    ] {
        let (_, t) = s
            .user(&format!("no-{perm}@example.com"), &all_but(perm), &[w.p])
            .await;
        tokens.insert(perm, t);
    }

    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(s, Some(&tokens[e.permission])).await;
        expect_forbidden(&a, e.name);
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.body["data"]["customers_count"], 1);
    assert_eq!(after.body["data"]["description"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_403_without_access_to_the_partner() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("elsewhere@example.com", common::ALL, &[w.p2]).await;

    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(s, Some(&t)).await;
        expect_forbidden(&a, e.name);
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_lacking_both_the_permission_and_the_partner_is_403() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s
        .user("nothing@example.com", &["audit.read"], &[w.p2])
        .await;

    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(s, Some(&t)).await;
        expect_forbidden(&a, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_group_under_this_partner_is_404_for_an_admin() {
    let w = world().await;
    let s = &w.s;

    for e in group_endpoints(w.p, w.g2, w.c) {
        let a = e.call(s, Some(&s.admin)).await;
        expect_not_found(&a, e.name);
    }
    let other = s.get(&group_path(w.p2, w.g2), &s.admin).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.body["data"]["customers_count"], 1);
    assert_eq!(other.body["data"]["description"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_group_under_this_partner_is_404_for_a_partner_user() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("both@example.com", common::ALL, &[w.p, w.p2]).await;
    let (_, mine) = s.user("mine@example.com", common::ALL, &[w.p]).await;

    for e in group_endpoints(w.p, w.g2, w.c) {
        expect_not_found(&e.call(s, Some(&t)).await, e.name);
        expect_not_found(&e.call(s, Some(&mine)).await, e.name);
    }
    let other = s.get(&group_path(w.p2, w.g2), &s.admin).await;
    assert_eq!(other.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_another_partners_customer_from_a_group_is_404() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .delete(
            &format!("/partners/{}/groups/{}/customers/{}", w.p, w.g, w.c2),
            &s.admin,
        )
        .await;
    let b = s
        .delete(
            &format!("/partners/{}/groups/{}/customers/{}", w.p, w.g2, w.c2),
            &s.admin,
        )
        .await;

    expect_not_found(&a, "foreign customer");
    expect_not_found(&b, "foreign group and customer");
    let other = s.get(&group_path(w.p2, w.g2), &s.admin).await;
    assert_eq!(other.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_the_permission_asking_for_a_missing_group_is_404() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("staff@example.com", common::ALL, &[w.p]).await;

    for e in group_endpoints(w.p, 999_999, w.c) {
        expect_not_found(&e.call(s, Some(&t)).await, e.name);
        expect_not_found(&e.call(s, Some(&s.admin)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_group_without_a_token_is_401_not_404() {
    let w = world().await;
    for e in group_endpoints(w.p, 999_999, w.c) {
        expect_unauthenticated(&e.call(&w.s, None).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_group_without_the_permission_is_403_not_404() {
    let w = world().await;
    let (_, t) =
        w.s.user("reader@example.com", &["customers.read"], &[w.p])
            .await;
    for e in group_endpoints(w.p, 999_999, w.c) {
        expect_forbidden(&e.call(&w.s, Some(&t)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_on_a_missing_group_is_404_not_422() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("staff@example.com", common::ALL, &[w.p]).await;
    let missing = group_path(w.p, 999_999);

    for token in [&t, &s.admin] {
        let a = s.put(&missing, token, json!({"name": ""})).await;
        expect_not_found(&a, "PUT with a blank name");
        let a = s.put(&missing, token, json!({"bogus": 1})).await;
        expect_not_found(&a, "PUT with an unknown field");
        let a = s
            .post(&format!("{missing}/customers"), token, json!({}))
            .await;
        expect_not_found(&a, "add member without customer_id");
        let a = send(
            s.client
                .put(s.api(&missing))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
        expect_not_found(&a, "PUT with malformed JSON");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_without_the_permission_is_403_not_422() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s
        .user("noupdate@example.com", &all_but("groups.update"), &[w.p])
        .await;
    let (_, nc) = s
        .user("nocreate@example.com", &all_but("groups.create"), &[w.p])
        .await;

    let a = s.put(&group_path(w.p, w.g), &t, json!({"name": ""})).await;
    let b = s
        .post(&format!("/partners/{}/groups", w.p), &nc, json!({}))
        .await;
    let c = s
        .post(
            &format!("{}/customers", group_path(w.p, w.g)),
            &t,
            json!({"customer_id": "x"}),
        )
        .await;
    let d = s
        .call(
            Method::POST,
            &format!("/partners/{}/groups", w.p),
            None,
            Some(json!({})),
        )
        .await;

    expect_forbidden(&a, "PUT");
    expect_forbidden(&b, "POST groups");
    expect_forbidden(&c, "POST members");
    expect_unauthenticated(&d, "POST groups without a token");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_on_a_missing_partner_gets_404_for_every_group_endpoint() {
    let w = world().await;
    for e in endpoints(999_999, w.g, w.c) {
        expect_not_found(&e.call(&w.s, Some(&w.s.admin)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_on_a_missing_partner_gets_403_for_every_group_endpoint() {
    let w = world().await;
    let (_, t) = w.s.user("staff@example.com", common::ALL, &[w.p]).await;
    for e in endpoints(999_999, w.g, w.c) {
        expect_forbidden(&e.call(&w.s, Some(&t)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_partner_access_applies_to_an_existing_token_at_once() {
    let w = world().await;
    let s = &w.s;
    let (id, t) = s.user("staff@example.com", common::ALL, &[w.p]).await;
    assert_eq!(
        s.get(&group_path(w.p, w.g), &t).await.status,
        StatusCode::OK
    );

    let a = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": [w.p2]}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    expect_forbidden(
        &s.get(&group_path(w.p, w.g), &t).await,
        "after losing access",
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_if_match_with_an_invalid_body_is_422_as_the_write_would_fail_anyway() {
    let w = world().await;
    let s = &w.s;

    let a = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        "\"stale\"",
        Some(json!({"name": ""})),
    )
    .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name field is required."),
        "stale If-Match and a blank name",
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_on_a_missing_group_is_404() {
    let w = world().await;
    let s = &w.s;
    let etag = s
        .get(&group_path(w.p, w.g), &s.admin)
        .await
        .header("etag")
        .unwrap()
        .to_string();

    for method in [Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| json!({"name": "x"}));
        for tag in [etag.as_str(), "*"] {
            let a = with_if_match(
                s,
                method.clone(),
                &group_path(w.p, 999_999),
                &s.admin,
                tag,
                body.clone(),
            )
            .await;
            expect_not_found(&a, &format!("{method} If-Match {tag}"));
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptions_are_trimmed_and_a_blank_one_is_null() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let a = s
        .post(
            &path,
            &s.admin,
            json!({"name": "One", "description": "  Kids \n"}),
        )
        .await;
    let b = s
        .post(
            &path,
            &s.admin,
            json!({"name": "Two", "description": "   "}),
        )
        .await;
    let c = s
        .post(
            &path,
            &s.admin,
            json!({"name": "Three", "description": format!(" {} ", "d".repeat(2000))}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["description"], "Kids");
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body["data"]["description"], Value::Null);
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert_eq!(c.body["data"]["description"], "d".repeat(2000));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_groups_matches_the_name_only() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");
    let named = s.group(&s.admin, p, "Zebra club").await;
    s.post(
        &path,
        &s.admin,
        json!({"name": "Other", "description": "about zebras"}),
    )
    .await;

    let a = s.get(&format!("{path}?search=ZEBRA"), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 1);
    assert_eq!(a.body["data"][0]["id"], named);
    s.stop().await;
}
