//! Who may call them.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_succeeds_for_a_user_with_just_its_permission() {
    let w = world().await;
    let mut i = 0;
    for (name, method, path, body, perm) in endpoints(w.p, w.c) {
        i += 1;
        let (_, t) =
            w.s.user(&format!("just{i}@example.com"), &[perm], &[w.p])
                .await;
        let a = w.s.call(method, &path, Some(&t), body).await;
        assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.text);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_is_401_without_a_valid_token() {
    let w = world().await;
    let (id, _) = w.s.user("staff@example.com", ALL, &[w.p]).await;
    let expired = expired_token(&w.s, id);
    let revoked = revoked_token(&w.s, "staff@example.com", PASSWORD).await;

    for (name, method, path, body, _) in endpoints(w.p, w.c) {
        for (token, what) in [
            (None, "no token"),
            (Some("garbage"), "garbage"),
            (Some(expired.as_str()), "expired"),
            (Some(revoked.as_str()), "revoked"),
        ] {
            let a = w.s.call(method.clone(), &path, token, body.clone()).await;
            expect_unauthenticated(&a, &format!("{name}, {what}"));
        }
    }
    let still = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(still.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_is_403_without_its_permission() {
    let w = world().await;
    let mut tokens = std::collections::HashMap::new();
    for perm in [
        "customers.read",
        "customers.create",
        "customers.update",
        "customers.delete",
    ] {
        let (_, t) =
            w.s.user(&format!("no-{perm}@example.com"), &all_but(perm), &[w.p])
                .await;
        tokens.insert(perm, t);
    }

    for (name, method, path, body, perm) in endpoints(w.p, w.c) {
        let a = w.s.call(method, &path, Some(&tokens[perm]), body).await;
        expect_forbidden(&a, name);
    }
    let still = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(still.body["data"]["phone"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_is_403_without_access_to_the_partner() {
    let w = world().await;
    let (_, t) = w.s.user("elsewhere@example.com", ALL, &[w.p2]).await;
    let (_, neither) =
        w.s.user("neither@example.com", &["groups.read"], &[w.p2])
            .await;

    for (name, method, path, body, _) in endpoints(w.p, w.c) {
        let a =
            w.s.call(method.clone(), &path, Some(&t), body.clone())
                .await;
        expect_forbidden(&a, name);
        let a = w.s.call(method, &path, Some(&neither), body).await;
        expect_forbidden(&a, &format!("{name}, no permission either"));
    }
    let still = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(still.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_customer_under_this_partner_is_404() {
    let w = world().await;
    let (_, both) = w.s.user("both@example.com", ALL, &[w.p, w.p2]).await;

    for (name, method, path, body, _) in endpoints(w.p, w.c2) {
        if !path.ends_with(&format!("/customers/{}", w.c2)) {
            continue;
        }
        for (token, who) in [(&w.s.admin, "admin"), (&both, "partner user")] {
            let a =
                w.s.call(method.clone(), &path, Some(token), body.clone())
                    .await;
            expect_not_found(&a, &format!("{name} as {who}"));
        }
    }
    let still = w.s.get(&customer(w.p2, w.c2), &w.s.admin).await;
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(still.body["data"]["phone"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_customer_is_404_even_with_an_invalid_body() {
    let w = world().await;
    let (_, t) = w.s.user("staff@example.com", ALL, &[w.p]).await;
    let missing = customer(w.p, 999_999);

    for token in [&t, &w.s.admin] {
        expect_not_found(&w.s.get(&missing, token).await, "GET");
        expect_not_found(&w.s.delete(&missing, token).await, "DELETE");
        expect_not_found(
            &w.s.put(&missing, token, json!({"first_name": ""})).await,
            "PUT with a blank name",
        );
        expect_not_found(
            &w.s.put(&missing, token, json!({"nickname": "x"})).await,
            "PUT with an unknown field",
        );
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_partner_is_404_for_an_admin_and_403_for_anyone_else() {
    let w = world().await;
    let (_, t) = w.s.user("staff@example.com", ALL, &[w.p]).await;

    for (name, method, path, body, _) in endpoints(999_999, w.c) {
        let a =
            w.s.call(method.clone(), &path, Some(&w.s.admin), body.clone())
                .await;
        expect_not_found(&a, &format!("{name} as admin"));
        let a = w.s.call(method, &path, Some(&t), body).await;
        expect_forbidden(&a, &format!("{name} as partner user"));
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_without_the_permission_is_403_not_422() {
    let w = world().await;
    let (_, t) =
        w.s.user("reader@example.com", &["customers.read"], &[w.p])
            .await;

    let a = w.s.post(&customers(w.p), &t, json!({})).await;
    let b =
        w.s.put(&customer(w.p, w.c), &t, json!({"nickname": "x"}))
            .await;

    expect_forbidden(&a, "POST");
    expect_forbidden(&b, "PUT");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_never_matches_across_two_fields_and_names_are_single_line() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    s.customer(&s.admin, p, "Anna", "Berger", Some("anna@example.com"))
        .await;

    // "annaberger" would be the two names run together; a line break in
    // a search only separates words.
    let a = s
        .get(&format!("/partners/{p}/customers?search=naber"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 0, "{}", a.text);
    let a = s
        .get(&format!("/partners/{p}/customers?search=a%0Ab"), &s.admin)
        .await;
    assert_eq!(a.body["meta"]["total"], 1, "{}", a.text);
    let a = s
        .get(&format!("/partners/{p}/customers?search=anna"), &s.admin)
        .await;
    assert_eq!(a.body["meta"]["total"], 1, "{}", a.text);

    let a = s
        .post(
            &format!("/partners/{p}/customers"),
            &s.admin,
            json!({"first_name": "Two\nLines", "last_name": "X"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.body["errors"]["first_name"].is_array(), "{}", a.text);
}
