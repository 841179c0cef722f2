//! The admin's `PUT /users/:user_id` and `POST /users/:user_id/revoke-tokens`:
//! a disabled login ends at once and cannot log in (the same answer in about
//! the same time as a wrong password), and the box always keeps an enabled
//! admin.

use crate::common::{
    expect_forbidden, expect_not_found, user_id_of, TestServer, ADMIN_EMAIL, ADMIN_PASSWORD,
    PASSWORD,
};
use crate::{audit_text, invalid, last_entry, login_status, ok, works};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_is_signed_out_everywhere_at_once_and_cannot_log_in_until_enabled() {
    // Arrange: a user signed in twice.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, first) = s.user("left@hall.example", &["groups.read"], &[p]).await;
    let second = s.login("left@hall.example", PASSWORD).await;

    // Act
    let a = s
        .put(&format!("/users/{id}"), &s.admin, json!({"disabled": true}))
        .await;

    // Assert
    assert_eq!(ok(&a)["disabled"], true);
    assert!(!works(&s, &first).await && !works(&s, &second).await);
    let a = s
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "left@hall.example", "password": PASSWORD})),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body, json!({"message": "Invalid credentials."}));
    let entry = last_entry(&s, id, "user.updated").await;
    assert_eq!(
        entry["changes"],
        json!({"disabled": [false, true]}),
        "{entry}"
    );
    // The user stays, for the trail; listed for its partner as before.
    assert_eq!(
        ok(&s.get(&format!("/partners/{p}/users/{id}"), &s.admin).await)["disabled"],
        true
    );

    // Enabled again: a new login works, the old sessions stay ended.
    ok(&s
        .put(
            &format!("/users/{id}"),
            &s.admin,
            json!({"disabled": false}),
        )
        .await);
    assert!(!works(&s, &first).await, "enabling revives no old session");
    assert_eq!(
        login_status(&s, "left@hall.example", PASSWORD).await,
        StatusCode::OK
    );
}

/// The median of some durations.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_users_login_costs_about_what_a_wrong_password_costs() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (gone, _) = s.user("gone@hall.example", &[], &[p]).await;
    s.user("here@hall.example", &[], &[p]).await;
    ok(&s
        .put(
            &format!("/users/{gone}"),
            &s.admin,
            json!({"disabled": true}),
        )
        .await);

    // Four of each, taking turns (under the throttle's five per email).
    let (mut wrong, mut disabled) = (Vec::new(), Vec::new());
    for _ in 0..4 {
        let t = Instant::now();
        assert_eq!(
            login_status(&s, "here@hall.example", "not-the-password").await,
            StatusCode::UNAUTHORIZED
        );
        wrong.push(t.elapsed());
        let t = Instant::now();
        assert_eq!(
            login_status(&s, "gone@hall.example", PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        disabled.push(t.elapsed());
    }

    // Both did the password work: neither is a fraction of the other.
    let (wrong, disabled) = (median(wrong), median(disabled));
    assert!(
        disabled * 3 >= wrong && wrong * 3 >= disabled,
        "a disabled login took {disabled:?}, a wrong password {wrong:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_enabled_admin_cannot_be_disabled_or_demoted() {
    let s = TestServer::start().await;
    let root = user_id_of(&s, &s.admin).await;
    let conflict = |a: &crate::common::Answer| {
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
        assert!(
            a.body["message"]
                .as_str()
                .unwrap()
                .contains("last enabled admin"),
            "{}",
            a.text
        );
    };

    conflict(
        &s.put(
            &format!("/users/{root}"),
            &s.admin,
            json!({"disabled": true}),
        )
        .await,
    );
    conflict(
        &s.put(
            &format!("/users/{root}"),
            &s.admin,
            json!({"is_admin": false}),
        )
        .await,
    );
    // A 409 changes nothing, not even the fields beside it.
    conflict(
        &s.put(
            &format!("/users/{root}"),
            &s.admin,
            json!({"first_name": "Changed", "disabled": true}),
        )
        .await,
    );
    assert_eq!(
        ok(&s.get(&format!("/users/{root}"), &s.admin).await)["first_name"],
        "Admin"
    );

    // A second admin, disabled, does not count; enabled, it does.
    let p = s.partner("Hall").await;
    let (second, _) = s.user("second@hall.example", &[], &[p]).await;
    ok(&s
        .put(
            &format!("/users/{second}"),
            &s.admin,
            json!({"is_admin": true, "disabled": true}),
        )
        .await);
    conflict(
        &s.put(
            &format!("/users/{root}"),
            &s.admin,
            json!({"is_admin": false}),
        )
        .await,
    );
    ok(&s
        .put(
            &format!("/users/{second}"),
            &s.admin,
            json!({"disabled": false}),
        )
        .await);
    let a = s
        .put(
            &format!("/users/{root}"),
            &s.admin,
            json!({"is_admin": false}),
        )
        .await;
    assert_eq!(ok(&a)["is_admin"], false);

    // Now the second is the last one.
    let boss = s.login("second@hall.example", PASSWORD).await;
    conflict(
        &s.put(
            &format!("/users/{second}"),
            &boss,
            json!({"disabled": true}),
        )
        .await,
    );
    // The first, no admin any more, is refused the admin routes at once.
    expect_forbidden(
        &s.get(&format!("/users/{second}"), &s.admin).await,
        "demoted",
    );
    assert_eq!(
        login_status(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_corrects_a_user_and_a_new_password_ends_every_session() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, token) = s.user("lena@hall.example", &[], &[p]).await;
    s.user("taken@hall.example", &[], &[p]).await;
    let path = format!("/users/{id}");

    let a = s.put(&path, &s.admin, json!({"first_name": "Lena", "last_name": "Berger", "email": "lena.berger@hall.example"})).await;
    let user = ok(&a);
    assert_eq!(
        (user["first_name"].as_str(), user["email"].as_str()),
        (Some("Lena"), Some("lena.berger@hall.example"))
    );
    assert!(works(&s, &token).await);

    let new = "chosen-by-the-admin";
    ok(&s
        .put(
            &path,
            &s.admin,
            json!({"new_password": new, "new_password_confirmation": new}),
        )
        .await);
    assert!(!works(&s, &token).await);
    assert_eq!(
        login_status(&s, "lena.berger@hall.example", new).await,
        StatusCode::OK
    );
    let entry = last_entry(&s, id, "user.updated").await;
    assert_eq!(entry["changes"], json!({"password": "changed"}));
    assert_eq!(entry["partner_id"], json!(null));
    let trail = audit_text(&s).await;
    assert!(!trail.contains(new) && !trail.contains(PASSWORD), "{trail}");

    // One's own new password keeps the session that set it, and no other.
    let other = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let root = user_id_of(&s, &s.admin).await;
    ok(&s
        .put(
            &format!("/users/{root}"),
            &s.admin,
            json!({"new_password": new, "new_password_confirmation": new}),
        )
        .await);
    assert!(works(&s, &s.admin).await && !works(&s, &other).await);

    for (body, field, message) in [
        (
            json!({"email": "Taken@Hall.example"}),
            "email",
            "The email has already been taken.",
        ),
        (
            json!({"is_admin": "yes"}),
            "is_admin",
            "The is admin field must be true or false.",
        ),
        (
            json!({"disabled": null}),
            "disabled",
            "The disabled field must be true or false.",
        ),
        (
            json!({"new_password": new, "new_password_confirmation": "other-password"}),
            "new_password",
            "The new password field confirmation does not match.",
        ),
        (
            json!({"permissions": []}),
            "permissions",
            "The permissions field is prohibited.",
        ),
    ] {
        invalid(&s.put(&path, &s.admin, body.clone()).await, field, message);
    }

    // Admin only; an unknown user is 404 after that.
    let (_, staff) = s.user("staff@hall.example", &["users.update"], &[p]).await;
    expect_forbidden(
        &s.put(&path, &staff, json!({"disabled": true})).await,
        "not an admin",
    );
    expect_not_found(
        &s.put("/users/999999", &s.admin, json!({})).await,
        "unknown user",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_tokens_ends_every_session_of_the_user_and_says_how_many() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (id, first) = s.user("lena@hall.example", &[], &[p]).await;
    let second = s.login("lena@hall.example", PASSWORD).await;
    let third = s.login("lena@hall.example", PASSWORD).await;
    let path = format!("/users/{id}/revoke-tokens");

    let a = s.post(&path, &s.admin, json!({})).await;

    assert_eq!(ok(&a), &json!({"revoked": 3}));
    for t in [&first, &second, &third] {
        assert!(!works(&s, t).await);
    }
    assert!(works(&s, &s.admin).await, "only that user's sessions");
    assert_eq!(
        last_entry(&s, id, "user.tokens_revoked").await["changes"],
        json!({"tokens": [3, 0]})
    );
    let again = s.post(&path, &s.admin, json!({})).await;
    assert_eq!(ok(&again), &json!({"revoked": 0}));
    // The user may log in again.
    let fresh = s.login("lena@hall.example", PASSWORD).await;
    expect_forbidden(&s.post(&path, &fresh, json!({})).await, "not an admin");
    expect_not_found(
        &s.post("/users/999999/revoke-tokens", &s.admin, json!({}))
            .await,
        "unknown user",
    );
    invalid(
        &s.post(&path, &s.admin, json!({"all": true})).await,
        "all",
        "The all field is prohibited.",
    );
}
