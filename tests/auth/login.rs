//! Logging in and the throttle.

use super::*;

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
