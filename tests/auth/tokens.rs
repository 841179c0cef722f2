//! Logging out, /me, and what a token carries.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_only_the_token_used() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, first) = s.user("two.tokens@example.com", &[], &[p]).await;
    let second = s.login("two.tokens@example.com", PASSWORD).await;

    let a = s
        .call(Method::POST, "/auth/logout", Some(&first), None)
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, json!({"data": {"revoked": true}}));
    let me = s.get("/me", &first).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.body, json!({"message": "Unauthenticated."}));
    assert_eq!(me.header("www-authenticate"), Some("Bearer"));
    let again = s
        .call(Method::POST, "/auth/logout", Some(&first), None)
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    let other = s.get("/me", &second).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text);
    assert_eq!(other.body["data"]["email"], "two.tokens@example.com");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_accepts_an_empty_json_object() {
    let s = TestServer::start().await;
    let token = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let a = s.post("/auth/logout", &token, json!({})).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, json!({"data": {"revoked": true}}));
    assert_eq!(s.get("/me", &token).await.status, StatusCode::UNAUTHORIZED);
    // The harness's own admin token is another token: still fine.
    assert_eq!(s.get("/me", &s.admin).await.status, StatusCode::OK);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_without_a_token_is_401() {
    let s = TestServer::start().await;

    let a = s.call(Method::POST, "/auth/logout", None, None).await;

    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body, json!({"message": "Unauthenticated."}));
    assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_answers_the_signed_in_user_in_the_user_shape() {
    let s = TestServer::start().await;
    let p1 = s.partner("One").await;
    let p2 = s.partner("Two").await;
    let (id, token) = s
        .user(
            "me@example.com",
            &["customers.read", "groups.read"],
            &[p2, p1],
        )
        .await;

    let a = s.get("/me", &token).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let u = &a.body["data"];
    assert_eq!(keys(&a.body), ["data".to_string()].into_iter().collect());
    assert_eq!(keys(u), user_keys());
    assert_eq!(u["id"], id);
    assert_eq!(u["email"], "me@example.com");
    assert_eq!(u["first_name"], "Test");
    assert_eq!(u["last_name"], "User");
    assert_eq!(u["is_admin"], false);
    let perms: BTreeSet<&str> = u["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        perms,
        ["customers.read", "groups.read"].into_iter().collect()
    );
    assert_eq!(u["permissions"].as_array().unwrap().len(), 2);
    let mut partners: Vec<i64> = u["partner_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    partners.sort_unstable();
    assert_eq!(partners, vec![p1, p2]);
    let created = parse_rfc3339(u["created_at"].as_str().unwrap());
    let updated = parse_rfc3339(u["updated_at"].as_str().unwrap());
    assert!(created <= updated);
    assert!((now() - created).abs() < 120);

    let admin = s.get("/me", &s.admin).await;
    assert_eq!(admin.status, StatusCode::OK);
    assert_eq!(admin.body["data"]["email"], ADMIN_EMAIL);
    assert_eq!(admin.body["data"]["is_admin"], true);
    assert_eq!(keys(&admin.body["data"]), user_keys());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_without_a_token_or_with_a_bad_or_expired_one_is_401() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, _) = s.user("expired@example.com", &[], &[p]).await;
    let expired = common::expired_token(&s, id);

    let none = s.call(Method::GET, "/me", None, None).await;
    let bogus = s.get("/me", &"0".repeat(64)).await;
    let old = s.get("/me", &expired).await;

    for a in [&none, &bogus, &old] {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
        assert_eq!(a.body, json!({"message": "Unauthenticated."}));
        assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_permissions_applies_to_an_existing_token_at_once() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, token) = s.user("staff@example.com", &[], &[p]).await;
    let groups = format!("/partners/{p}/groups");

    let before = s.get(&groups, &token).await;
    assert_eq!(before.status, StatusCode::FORBIDDEN);
    assert_eq!(
        before.body,
        json!({"message": "This action is unauthorized."})
    );

    let grant = s
        .put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": ["groups.read", "groups.create"]}),
        )
        .await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.text);
    let granted = s.get(&groups, &token).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text);
    let created = s.post(&groups, &token, json!({"name": "Coaches"})).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);

    let revoke = s
        .put(
            &format!("/users/{id}/permissions"),
            &s.admin,
            json!({"permissions": ["groups.read"]}),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK);
    let denied = s.post(&groups, &token, json!({"name": "Members"})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        denied.body,
        json!({"message": "This action is unauthorized."})
    );
    assert_eq!(s.get(&groups, &token).await.status, StatusCode::OK);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_partners_applies_to_an_existing_token_at_once() {
    let s = TestServer::start().await;
    let p1 = s.partner("One").await;
    let p2 = s.partner("Two").await;
    let (id, token) = s.user("mover@example.com", &["groups.read"], &[p1]).await;

    assert_eq!(
        s.get(&format!("/partners/{p2}/groups"), &token)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let moved = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": [p2]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);

    let now_p2 = s.get(&format!("/partners/{p2}/groups"), &token).await;
    let now_p1 = s.get(&format!("/partners/{p1}/groups"), &token).await;

    assert_eq!(now_p2.status, StatusCode::OK, "{}", now_p2.text);
    assert_eq!(now_p1.status, StatusCode::FORBIDDEN);
    assert_eq!(
        now_p1.body,
        json!({"message": "This action is unauthorized."})
    );
    let me = s.get("/me", &token).await;
    assert_eq!(me.body["data"]["partner_ids"], json!([p2]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_token_lifetime_shows_in_expires_at() {
    let s = TestServer::start_with(|c| c.token_ttl = Duration::from_secs(600)).await;

    let before = now();
    let a = login_as(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let after = now();

    assert_eq!(a.status, StatusCode::OK);
    let expires = parse_rfc3339(a.body["data"]["expires_at"].as_str().unwrap());
    assert!(
        expires >= before + 600 - 1 && expires <= after + 600 + 1,
        "expires_at {} is not 10 min ahead",
        a.body["data"]["expires_at"]
    );
    let stored: i64 = s
        .db()
        .query_row("SELECT max(expires_at) FROM tokens", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, expires);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_stored_only_as_their_sha256() {
    let s = TestServer::start().await;
    let token = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let db = s.db();
    let mut stmt = db.prepare("SELECT * FROM tokens").unwrap();
    let columns = stmt.column_count();
    let rows: Vec<Vec<rusqlite::types::Value>> = stmt
        .query_map([], |r| {
            (0..columns)
                .map(|i| r.get::<_, rusqlite::types::Value>(i))
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();

    assert_eq!(rows.len(), 2, "the harness's token and this one");
    for row in &rows {
        for value in row {
            let as_text = match value {
                rusqlite::types::Value::Text(t) => t.clone(),
                rusqlite::types::Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Real(f) => f.to_string(),
                rusqlite::types::Value::Null => String::new(),
            };
            assert!(
                !as_text.contains(&token) && !as_text.contains(&token.to_uppercase()),
                "the token is stored in clear"
            );
        }
    }
    let digest: Vec<u8> = Sha256::digest(token.as_bytes()).to_vec();
    let found: i64 = db
        .query_row(
            "SELECT count(*) FROM tokens WHERE token_hash = ?1",
            [&digest],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 1);
    s.stop().await;
}
