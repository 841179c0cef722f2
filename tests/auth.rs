//! Logging in and out, `/me`, the login throttle, and how tokens are kept.

mod common;

use common::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::time::Duration;

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into unix seconds (no fractions, UTC only).
fn parse_rfc3339(text: &str) -> i64 {
    let b = text.as_bytes();
    assert_eq!(b.len(), 20, "not YYYY-MM-DDTHH:MM:SSZ: {text}");
    assert!(
        b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':',
        "not RFC 3339: {text}"
    );
    assert_eq!(b[19], b'Z', "not UTC: {text}");
    let n = |from: usize, to: usize| -> i64 { text[from..to].parse().expect(text) };
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let (hh, mm, ss) = (n(11, 13), n(14, 16), n(17, 19));
    assert!((1..=12).contains(&m) && (1..=31).contains(&d) && hh < 24 && mm < 60 && ss < 60);
    // days_from_civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hh * 3600 + mm * 60 + ss
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn user_keys() -> BTreeSet<String> {
    [
        "id",
        "email",
        "first_name",
        "last_name",
        "is_admin",
        "disabled",
        "permissions",
        "partner_ids",
        "created_at",
        "updated_at",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

async fn login(s: &TestServer, body: Value) -> common::Answer {
    s.call(Method::POST, "/auth/login", None, Some(body)).await
}

async fn login_as(s: &TestServer, email: &str, password: &str) -> common::Answer {
    login(s, json!({"email": email, "password": password})).await
}

fn invalid_credentials() -> Value {
    json!({"message": "Invalid credentials."})
}

fn too_many() -> Value {
    json!({"message": "Too many attempts."})
}

fn assert_throttled(a: &common::Answer) {
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert_eq!(a.body, too_many());
    let retry: u64 = a
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("a numeric Retry-After");
    assert!((1..=61).contains(&retry), "Retry-After {retry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_answers_a_bearer_token_that_expires_in_twelve_hours_and_the_user() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, _) = s.user("anna@example.com", &["groups.read"], &[p]).await;

    let before = now();
    let a = login_as(&s, "anna@example.com", PASSWORD).await;
    let after = now();

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let data = &a.body["data"];
    assert_eq!(
        keys(data),
        ["token", "token_type", "expires_at", "user"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(data["token_type"], "Bearer");
    let expires = parse_rfc3339(data["expires_at"].as_str().unwrap());
    assert!(
        expires >= before + 12 * 3600 - 1 && expires <= after + 12 * 3600 + 1,
        "expires_at {} is not 12 h ahead",
        data["expires_at"]
    );
    let user = &data["user"];
    assert_eq!(keys(user), user_keys());
    assert_eq!(user["id"], id);
    assert_eq!(user["email"], "anna@example.com");
    assert_eq!(user["is_admin"], false);
    assert_eq!(user["permissions"], json!(["groups.read"]));
    assert_eq!(user["partner_ids"], json!([p]));
    assert!(!a.text.contains("password"), "{}", a.text);
    assert!(!a.text.contains("$argon2"), "{}", a.text);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_64_hex_characters_and_each_login_gets_a_new_one() {
    let s = TestServer::start().await;

    let first = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    for t in [&first, &second] {
        assert_eq!(t.len(), 64, "{t}");
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit()), "not hex: {t}");
    }
    assert_ne!(first, second);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let s = TestServer::start().await;

    let wrong = login_as(&s, ADMIN_EMAIL, "not-the-password").await;
    let unknown = login_as(&s, "nobody@example.com", ADMIN_PASSWORD).await;

    for a in [&wrong, &unknown] {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
        assert_eq!(a.body, invalid_credentials());
    }
    assert_eq!(wrong.text, unknown.text);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_login_fields_are_422_naming_each_field() {
    let s = TestServer::start().await;

    let none = login(&s, json!({})).await;
    let no_password = login(&s, json!({"email": ADMIN_EMAIL})).await;
    let no_email = login(&s, json!({"password": ADMIN_PASSWORD})).await;

    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        none.text
    );
    assert_eq!(
        none.body,
        json!({
            "message": "The email field is required.",
            "errors": {
                "email": ["The email field is required."],
                "password": ["The password field is required."]
            }
        })
    );
    assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_password.body,
        json!({
            "message": "The password field is required.",
            "errors": {"password": ["The password field is required."]}
        })
    );
    assert_eq!(no_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_email.body,
        json!({
            "message": "The email field is required.",
            "errors": {"email": ["The email field is required."]}
        })
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_email_is_matched_trimmed_and_ignoring_case() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, _) = s.user("mixed.case@example.com", &[], &[p]).await;

    let a = login_as(&s, "  MIXED.Case@Example.COM \t", PASSWORD).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["user"]["id"], id);
    assert_eq!(a.body["data"]["user"]["email"], "mixed.case@example.com");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixth_attempt_after_five_failures_is_429_even_with_the_right_password() {
    let s = TestServer::start().await;

    for i in 0..5 {
        let a = login_as(&s, ADMIN_EMAIL, "wrong-password").await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            a.text
        );
        assert_eq!(a.body, invalid_credentials());
    }
    let sixth = login_as(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    assert_throttled(&sixth);
    // Another email is not affected.
    let other = login_as(&s, "someone-else@example.com", "whatever-pass").await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttle_cannot_be_dodged_by_changing_case_or_adding_spaces() {
    let s = TestServer::start().await;
    let variants = [
        "admin@test.local",
        "ADMIN@test.local",
        " admin@test.local",
        "Admin@Test.Local ",
        "\tadmin@TEST.local\t",
    ];

    for v in variants {
        let a = login_as(&s, v, "wrong-password").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{v:?}: {}", a.text);
    }
    let a = login_as(&s, "  ADMIN@TEST.LOCAL  ", ADMIN_PASSWORD).await;
    let b = login_as(&s, "admin@test.local", ADMIN_PASSWORD).await;

    assert_throttled(&a);
    assert_throttled(&b);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_login_clears_the_failure_count() {
    let s = TestServer::start().await;

    for _ in 0..4 {
        let a = login_as(&s, ADMIN_EMAIL, "wrong-password").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let ok = login_as(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    for i in 0..5 {
        let a = login_as(&s, ADMIN_EMAIL, "wrong-password").await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "failure {i}: {}",
            a.text
        );
        assert_eq!(a.body, invalid_credentials());
    }
    let sixth = login_as(&s, ADMIN_EMAIL, "wrong-password").await;

    assert_throttled(&sixth);
    s.stop().await;
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_guesses_cannot_slip_past_the_throttle() {
    let s = std::sync::Arc::new(TestServer::start().await);

    let mut tasks = Vec::new();
    for _ in 0..12 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            login_as(&s, ADMIN_EMAIL, "wrong-password").await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }

    let unauthorized = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    let throttled: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(unauthorized, 5);
    assert_eq!(throttled.len(), 7);
    for a in throttled {
        assert_eq!(a.body, too_many());
        assert!(a.header("retry-after").is_some());
    }
    assert_throttled(&login_as(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_not_trimmed() {
    let s = TestServer::start().await;

    let padded = login_as(&s, ADMIN_EMAIL, &format!(" {ADMIN_PASSWORD} ")).await;

    assert_eq!(padded.status, StatusCode::UNAUTHORIZED, "{}", padded.text);
    assert_eq!(padded.body, invalid_credentials());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_logout_refuse_unknown_fields_and_wrong_types() {
    let s = TestServer::start().await;
    let token = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let extra = login(
        &s,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "remember": true}),
    )
    .await;
    let number = login(&s, json!({"email": 42, "password": ADMIN_PASSWORD})).await;
    let logout = s.post("/auth/logout", &token, json!({"all": true})).await;

    assert_eq!(
        extra.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        extra.text
    );
    assert_eq!(
        extra.body,
        json!({"message": "The remember field is prohibited.",
               "errors": {"remember": ["The remember field is prohibited."]}})
    );
    assert_eq!(number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        number.body,
        json!({"message": "The email field must be a string.",
               "errors": {"email": ["The email field must be a string."]}})
    );
    assert_eq!(logout.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        logout.body["errors"]["all"],
        json!(["The all field is prohibited."])
    );
    // A refused logout revokes nothing.
    assert_eq!(s.get("/me", &token).await.status, StatusCode::OK);
    s.stop().await;
}
