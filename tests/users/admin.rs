//! The admin's user routes: one user, its permissions, its partners.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_any_user_and_gets_404_for_an_unknown_one() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, _) = s
        .user("someone@example.com", &["groups.read", "audit.read"], &[p])
        .await;

    let a = s.get(&format!("/users/{id}"), &s.admin).await;
    let missing = s.get("/users/999999", &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(keys(&a.body["data"]), user_keys());
    assert_eq!(a.body["data"]["id"], id);
    assert_eq!(a.body["data"]["email"], "someone@example.com");
    assert_eq!(
        strings(&a.body["data"]["permissions"]),
        set(&["groups.read", "audit.read"])
    );
    assert_eq!(a.body["data"]["partner_ids"], json!([p]));
    assert_no_secrets(&a);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body, not_found());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_routes_are_admin_only_even_for_a_user_with_every_permission() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, token) = s.user("mighty@example.com", ALL, &[p]).await;
    let (other, _) = s.user("other@example.com", &[], &[p]).await;

    let answers = [
        s.get(&format!("/users/{id}"), &token).await,
        s.get(&format!("/users/{other}"), &token).await,
        s.get("/users/999999", &token).await,
        s.put(
            &format!("/users/{other}/permissions"),
            &token,
            json!({"permissions": ["groups.read"]}),
        )
        .await,
        s.put(
            &format!("/users/{id}/partners"),
            &token,
            json!({"partner_ids": [p]}),
        )
        .await,
        s.put(
            "/users/999999/permissions",
            &token,
            json!({"permissions": []}),
        )
        .await,
    ];

    for a in &answers {
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert_eq!(a.body, forbidden());
    }
    let unchanged = s.get(&format!("/users/{other}"), &s.admin).await;
    assert_eq!(unchanged.body["data"]["permissions"], json!([]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_permissions_replaces_the_whole_set() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, _) = s
        .user("perm@example.com", &["groups.read", "groups.create"], &[p])
        .await;

    let a = s
        .put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": ["customers.read", "audit.read"]}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(keys(&a.body["data"]), user_keys());
    assert_eq!(
        strings(&a.body["data"]["permissions"]),
        set(&["customers.read", "audit.read"])
    );
    assert_eq!(a.body["data"]["permissions"].as_array().unwrap().len(), 2);
    assert_no_secrets(&a);
    let shown = s.get(&format!("/users/{id}"), &s.admin).await;
    assert_eq!(
        strings(&shown.body["data"]["permissions"]),
        set(&["customers.read", "audit.read"])
    );
    let cleared = s
        .put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": []}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["data"]["permissions"], json!([]));
    let all = s
        .put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": ALL}),
        )
        .await;
    assert_eq!(strings(&all.body["data"]["permissions"]), set(ALL));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_permission_is_422_under_its_position_and_changes_nothing() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, _) = s.user("perm@example.com", &["groups.read"], &[p]).await;

    let a = s
        .put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": ["groups.create", "groups.fly", "customers.read", 7]}),
        )
        .await;
    let missing = s
        .put(&format!("/users/{id}/permissions"), &s.admin, json!({}))
        .await;
    let unknown_user = s
        .put(
            "/users/999999/permissions",
            &s.admin,
            json!({"permissions": ["groups.read"]}),
        )
        .await;

    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    let errors = a.body["errors"].as_object().unwrap();
    assert_eq!(
        errors.keys().cloned().collect::<BTreeSet<_>>(),
        set(&["permissions.1", "permissions.3"])
    );
    assert_eq!(
        a.body["message"], a.body["errors"]["permissions.1"][0],
        "the message is the first error"
    );
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing.body,
        json!({"message": "The permissions field is required.",
               "errors": {"permissions": ["The permissions field is required."]}})
    );
    assert_eq!(unknown_user.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_user.body, not_found());
    let shown = s.get(&format!("/users/{id}"), &s.admin).await;
    assert_eq!(shown.body["data"]["permissions"], json!(["groups.read"]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_partners_replaces_the_whole_set() {
    let s = TestServer::start().await;
    let p1 = s.partner("One").await;
    let p2 = s.partner("Two").await;
    let p3 = s.partner("Three").await;
    let (id, _) = s.user("mover@example.com", &[], &[p1, p2]).await;

    let a = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": [p3, p2]}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(keys(&a.body["data"]), user_keys());
    assert_eq!(ids(&a.body["data"]["partner_ids"]), vec![p2, p3]);
    assert_no_secrets(&a);
    let shown = s.get(&format!("/users/{id}"), &s.admin).await;
    assert_eq!(ids(&shown.body["data"]["partner_ids"]), vec![p2, p3]);
    let cleared = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": []}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["data"]["partner_ids"], json!([]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_partner_is_422_under_its_position_and_changes_nothing() {
    let s = TestServer::start().await;
    let p1 = s.partner("One").await;
    let p2 = s.partner("Two").await;
    let (id, _) = s.user("mover@example.com", &[], &[p1]).await;

    let a = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": [p2, 999999]}),
        )
        .await;
    let not_ids = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": ["x", p2]}),
        )
        .await;
    let unknown_user = s
        .put(
            "/users/999999/partners",
            &s.admin,
            json!({"partner_ids": [p1]}),
        )
        .await;

    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    let errors = a.body["errors"].as_object().unwrap();
    assert_eq!(
        errors.keys().cloned().collect::<BTreeSet<_>>(),
        set(&["partner_ids.1"])
    );
    assert_eq!(a.body["message"], a.body["errors"]["partner_ids.1"][0]);
    assert_eq!(not_ids.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_ids.body["errors"]["partner_ids.0"].is_array(),
        "{}",
        not_ids.text
    );
    assert_eq!(unknown_user.status, StatusCode::NOT_FOUND);
    let shown = s.get(&format!("/users/{id}"), &s.admin).await;
    assert_eq!(shown.body["data"]["partner_ids"], json!([p1]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_user_answer_ever_carries_a_password_or_hash() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, token) = s
        .user("quiet@example.com", &["users.read", "users.create"], &[p])
        .await;

    let answers = vec![
        s.get("/me", &token).await,
        s.get(&format!("/users/{id}"), &s.admin).await,
        s.get(&format!("/partners/{p}/users"), &token).await,
        create_user(&s, &token, p, new_user("another@example.com")).await,
        create_user(&s, &token, p, new_user("QUIET@example.com")).await,
        s.put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": ["users.read"]}),
        )
        .await,
        s.put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": [p]}),
        )
        .await,
        s.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "quiet@example.com", "password": PASSWORD})),
        )
        .await,
    ];

    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_no_secrets(a);
    }
    s.stop().await;
}
