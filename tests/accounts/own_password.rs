//! `PUT /me/password`: the current password is checked like a login, the
//! new one confirmed; the token used stays and every other one ends.

use crate::common::{TestServer, PASSWORD};
use crate::{audit_text, invalid, last_entry, login_status, ok, works};
use reqwest::{Method, StatusCode};
use serde_json::json;

const NEW: &str = "a-brand-new-password";

fn change(current: &str, new: &str, confirmation: &str) -> serde_json::Value {
    json!({"current_password": current, "new_password": new, "new_password_confirmation": confirmation})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_changes_its_password_keeps_this_session_and_ends_the_others() {
    // Arrange: one user, signed in twice.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, here) = s.user("lena@hall.example", &["groups.read"], &[p]).await;
    let elsewhere = s.login("lena@hall.example", PASSWORD).await;

    // Act
    let a = s
        .put("/me/password", &here, change(PASSWORD, NEW, NEW))
        .await;

    // Assert: the user, no secret in it; this token works, the other not.
    let user = ok(&a);
    assert_eq!(user["id"], id);
    assert_eq!(user["disabled"], false);
    assert!(
        !a.text.contains(NEW) && !a.text.contains(PASSWORD),
        "{}",
        a.text
    );
    assert!(!a.text.contains("argon2"), "{}", a.text);
    assert!(works(&s, &here).await, "the token used stays");
    assert!(!works(&s, &elsewhere).await, "every other token ends");
    assert_eq!(
        login_status(&s, "lena@hall.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&s, "lena@hall.example", NEW).await,
        StatusCode::OK
    );

    // The trail says that it changed, never what to.
    let entry = last_entry(&s, id, "user.password_changed").await;
    assert_eq!(entry["changes"], json!({"password": "changed"}), "{entry}");
    assert_eq!(entry["user_id"], id);
    assert_eq!(entry["partner_id"], json!(null));
    let trail = audit_text(&s).await;
    assert!(!trail.contains(NEW) && !trail.contains(PASSWORD), "{trail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_new_password_is_422_and_changes_nothing() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, token) = s.user("lena@hall.example", &[], &[p]).await;
    let long = "x".repeat(1025);
    // 1024 bytes, but fewer characters: the limit is on bytes.
    let wide = "ä".repeat(513);
    let cases = [
        (
            change(PASSWORD, NEW, "a-brand-new-passwor"),
            "new_password",
            "The new password field confirmation does not match.",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": NEW}),
            "new_password",
            "The new password field confirmation does not match.",
        ),
        (
            change(PASSWORD, "short", "short"),
            "new_password",
            "The new password field must be at least 8 characters.",
        ),
        (
            change(PASSWORD, &long, &long),
            "new_password",
            "The new password field must not be greater than 1024 characters.",
        ),
        (
            change(PASSWORD, &wide, &wide),
            "new_password",
            "The new password field must not be greater than 1024 characters.",
        ),
        (
            json!({"new_password": NEW, "new_password_confirmation": NEW}),
            "current_password",
            "The current password field is required.",
        ),
        (
            json!({"current_password": 7, "new_password": NEW, "new_password_confirmation": NEW}),
            "current_password",
            "The current password field must be a string.",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": NEW, "new_password_confirmation": NEW, "is_admin": true}),
            "is_admin",
            "The is admin field is prohibited.",
        ),
    ];
    for (body, field, message) in cases {
        let a = s.put("/me/password", &token, body.clone()).await;
        invalid(&a, field, message);
    }
    assert!(works(&s, &token).await);
    assert_eq!(
        login_status(&s, "lena@hall.example", PASSWORD).await,
        StatusCode::OK
    );

    let a = s
        .call(
            Method::PUT,
            "/me/password",
            None,
            Some(change(PASSWORD, NEW, NEW)),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_current_password_is_422_and_counts_toward_the_login_throttle() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, token) = s.user("lena@hall.example", &[], &[p]).await;

    for _ in 0..5 {
        let a = s
            .put("/me/password", &token, change("not-my-password", NEW, NEW))
            .await;
        invalid(&a, "current_password", "The password is incorrect.");
    }

    // Five guesses: the sixth, and a login with the right password from the
    // same address, wait like after five failed logins.
    let a = s
        .put("/me/password", &token, change(PASSWORD, NEW, NEW))
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert!(a.header("retry-after").is_some());
    assert_eq!(
        login_status(&s, "lena@hall.example", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Nothing changed, and the session goes on.
    assert!(works(&s, &token).await);
    let hash_unchanged: i64 = s
        .db()
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'user.password_changed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hash_unchanged, 0);
}
