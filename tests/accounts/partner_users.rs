//! A partner's users, one by one: read, corrected (names, email, a new
//! password), and taken off the partner; the checks in the contract's
//! order, and a login others rely on kept out of a manager's hands.

use crate::common::{expect_forbidden, expect_not_found, TestServer, PASSWORD};
use crate::{audit_text, invalid, login_status, ok, works};
use reqwest::{Method, StatusCode};
use serde_json::json;

const NEW: &str = "set-by-the-manager";

fn password(new: &str) -> serde_json::Value {
    json!({"new_password": new, "new_password_confirmation": new})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_of_the_partner_is_shown_and_anyone_else_is_404_after_the_permission_and_partner_checks(
) {
    // Arrange: Hall with a reader and staff; Pool with its own staff.
    let s = TestServer::start().await;
    let hall = s.partner("Hall").await;
    let pool = s.partner("Pool").await;
    let (_, reader) = s
        .user("reader@hall.example", &["users.read"], &[hall])
        .await;
    let (_, nobody) = s.user("nobody@hall.example", &[], &[hall]).await;
    let (both, _) = s.user("both@hall.example", &[], &[hall, pool]).await;
    let (pool_staff, _) = s.user("staff@pool.example", &[], &[pool]).await;

    // Act and assert: the user, with only the partners the reader shares.
    let a = s
        .get(&format!("/partners/{hall}/users/{both}"), &reader)
        .await;
    let user = ok(&a);
    assert_eq!(user["email"], "both@hall.example");
    assert_eq!(
        user["partner_ids"],
        json!([hall]),
        "Pool is not the reader's to see"
    );
    assert_eq!(user["disabled"], false);
    let a = s
        .get(&format!("/partners/{hall}/users/{both}"), &s.admin)
        .await;
    assert_eq!(ok(&a)["partner_ids"], json!([hall, pool]));

    // Pool's user under Hall's path: 404, as an unknown id is.
    expect_not_found(
        &s.get(&format!("/partners/{hall}/users/{pool_staff}"), &reader)
            .await,
        "another partner's user",
    );
    expect_not_found(
        &s.get(&format!("/partners/{hall}/users/999999"), &reader)
            .await,
        "unknown user",
    );
    // Permission (403) before the resource: no probing of ids.
    expect_forbidden(
        &s.get(&format!("/partners/{hall}/users/999999"), &nobody)
            .await,
        "no users.read",
    );
    // Partner access (403) before the resource, even for an existing id.
    expect_forbidden(
        &s.get(&format!("/partners/{pool}/users/{pool_staff}"), &reader)
            .await,
        "not Pool's",
    );
    let a = s
        .call(
            Method::GET,
            &format!("/partners/{hall}/users/{both}"),
            None,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_corrects_names_and_email_and_sets_a_password_that_ends_every_session() {
    // Arrange
    let s = TestServer::start().await;
    let hall = s.partner("Hall").await;
    let (manager_id, manager) = s
        .user(
            "manager@hall.example",
            &["users.read", "users.update"],
            &[hall],
        )
        .await;
    let (id, first) = s.user("lena@hall.example", &["groups.read"], &[hall]).await;
    let second = s.login("lena@hall.example", PASSWORD).await;
    let path = format!("/partners/{hall}/users/{id}");

    // Names and email: trimmed, NFC, matched ignoring case from then on.
    let a = s
        .put(&path, &manager, json!({"first_name": "  Léna ", "last_name": "Schmidt-Huber", "email": " Lena.Neu@Hall.example "}))
        .await;
    let user = ok(&a);
    assert_eq!(user["first_name"], "Léna");
    assert_eq!(user["last_name"], "Schmidt-Huber");
    assert_eq!(user["email"], "Lena.Neu@Hall.example");
    assert!(works(&s, &first).await, "names and email end no session");
    assert_eq!(
        login_status(&s, "lena.neu@hall.example", PASSWORD).await,
        StatusCode::OK
    );
    assert_eq!(
        login_status(&s, "lena@hall.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let found = s
        .get(
            &format!("/partners/{hall}/users?search=schmidt-huber"),
            &manager,
        )
        .await;
    assert_eq!(ok(&found)[0]["id"], id, "the search finds the new name");

    // `{}` changes nothing and writes no entry.
    let before = audit_text(&s).await;
    assert_eq!(
        ok(&s.put(&path, &manager, json!({})).await)["email"],
        "Lena.Neu@Hall.example"
    );
    assert_eq!(audit_text(&s).await, before);

    // A password set by someone else: every session of the user ends.
    let a = s.put(&path, &manager, password(NEW)).await;
    ok(&a);
    assert!(!a.text.contains(NEW), "{}", a.text);
    assert!(!works(&s, &first).await && !works(&s, &second).await);
    assert!(
        works(&s, &manager).await,
        "the manager's own session is untouched"
    );
    assert_eq!(
        login_status(&s, "lena.neu@hall.example", NEW).await,
        StatusCode::OK
    );
    assert_eq!(
        login_status(&s, "lena.neu@hall.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    // The partner's trail: who changed what; the password only as "changed".
    let a = s
        .get(
            &format!(
                "/partners/{hall}/audit?subject_type=user&subject_id={id}&action=user.updated"
            ),
            &s.admin,
        )
        .await;
    let entries = ok(&a).as_array().unwrap().clone();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["changes"], json!({"password": "changed"}));
    assert_eq!(entries[0]["user_id"], manager_id);
    assert_eq!(
        entries[1]["changes"]["email"],
        json!(["lena@hall.example", "Lena.Neu@Hall.example"])
    );
    assert_eq!(entries[1]["changes"]["first_name"], json!(["Test", "Léna"]));
    let trail = audit_text(&s).await;
    assert!(!trail.contains(NEW) && !trail.contains(PASSWORD), "{trail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_fields_and_a_taken_email_are_422_and_change_nothing() {
    let s = TestServer::start().await;
    let hall = s.partner("Hall").await;
    let (_, manager) = s
        .user("manager@hall.example", &["users.update"], &[hall])
        .await;
    let (id, _) = s.user("lena@hall.example", &[], &[hall]).await;
    let path = format!("/partners/{hall}/users/{id}");
    let long = "x".repeat(256);
    let cases = [
        (
            json!({"email": "MANAGER@hall.example"}),
            "email",
            "The email has already been taken.",
        ),
        (
            json!({"email": "not an email"}),
            "email",
            "The email field must be a valid email address.",
        ),
        (
            json!({"email": null}),
            "email",
            "The email field is required.",
        ),
        (
            json!({"first_name": ""}),
            "first_name",
            "The first name field is required.",
        ),
        (
            json!({"last_name": long}),
            "last_name",
            "The last name field must not be greater than 255 characters.",
        ),
        (
            json!({"new_password": NEW, "new_password_confirmation": "something else"}),
            "new_password",
            "The new password field confirmation does not match.",
        ),
        (
            password("short"),
            "new_password",
            "The new password field must be at least 8 characters.",
        ),
        (
            json!({"is_admin": true}),
            "is_admin",
            "The is admin field is prohibited.",
        ),
        (
            json!({"disabled": true}),
            "disabled",
            "The disabled field is prohibited.",
        ),
    ];
    for (body, field, message) in cases {
        invalid(&s.put(&path, &manager, body.clone()).await, field, message);
    }
    let a = s.get(&format!("/users/{id}"), &s.admin).await;
    assert_eq!(ok(&a)["email"], "lena@hall.example");
    assert_eq!(ok(&a)["first_name"], "Test");
    assert_eq!(
        login_status(&s, "lena@hall.example", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_of_someone_who_works_elsewhere_or_is_an_admin_is_theirs_or_an_admins_to_change()
{
    // Arrange: Hall's manager; Lena works for Hall and Pool; an admin on Hall.
    let s = TestServer::start().await;
    let hall = s.partner("Hall").await;
    let pool = s.partner("Pool").await;
    let (_, manager) = s
        .user(
            "manager@hall.example",
            &["users.read", "users.update"],
            &[hall],
        )
        .await;
    let (lena, lena_token) = s
        .user("lena@hall.example", &["users.update"], &[hall, pool])
        .await;
    let (boss, _) = s.user("boss@hall.example", &[], &[hall]).await;
    ok(&s
        .put(
            &format!("/users/{boss}"),
            &s.admin,
            json!({"is_admin": true}),
        )
        .await);

    // A manager may fix their names, not their login.
    for target in [lena, boss] {
        let path = format!("/partners/{hall}/users/{target}");
        expect_forbidden(
            &s.put(&path, &manager, json!({"email": "taken.over@hall.example"}))
                .await,
            "email",
        );
        expect_forbidden(&s.put(&path, &manager, password(NEW)).await, "password");
        ok(&s
            .put(&path, &manager, json!({"last_name": "Corrected"}))
            .await);
    }
    assert_eq!(
        login_status(&s, "lena@hall.example", PASSWORD).await,
        StatusCode::OK
    );

    // The user itself, and an admin, may; one's own new password keeps the
    // session that set it.
    let own = format!("/partners/{hall}/users/{lena}");
    ok(&s
        .put(&own, &lena_token, json!({"email": "lena.s@hall.example"}))
        .await);
    let lena_elsewhere = s.login("lena.s@hall.example", PASSWORD).await;
    ok(&s.put(&own, &lena_token, password("lenas-own-choice")).await);
    assert!(works(&s, &lena_token).await && !works(&s, &lena_elsewhere).await);
    ok(&s
        .put(
            &format!("/partners/{pool}/users/{lena}"),
            &s.admin,
            password(NEW),
        )
        .await);
    assert_eq!(
        login_status(&s, "lena.s@hall.example", NEW).await,
        StatusCode::OK
    );

    // Permission (403) comes before the resource (404).
    let (_, reader) = s
        .user("reader@hall.example", &["users.read"], &[hall])
        .await;
    expect_forbidden(
        &s.put(
            &format!("/partners/{hall}/users/999999"),
            &reader,
            json!({}),
        )
        .await,
        "no users.update",
    );
    expect_not_found(
        &s.put(
            &format!("/partners/{hall}/users/999999"),
            &manager,
            json!({}),
        )
        .await,
        "unknown user",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taking_a_user_off_the_partner_ends_its_access_there_at_once_and_keeps_the_user() {
    // Arrange
    let s = TestServer::start().await;
    let hall = s.partner("Hall").await;
    let pool = s.partner("Pool").await;
    s.group(&s.admin, hall, "Regulars").await;
    let (manager_id, manager) = s
        .user(
            "manager@hall.example",
            &["users.read", "users.delete"],
            &[hall],
        )
        .await;
    let (id, token) = s
        .user("lena@hall.example", &["groups.read"], &[hall, pool])
        .await;
    assert_eq!(
        s.get(&format!("/partners/{hall}/groups"), &token)
            .await
            .status,
        StatusCode::OK
    );

    // Act
    let a = s
        .delete(&format!("/partners/{hall}/users/{id}"), &manager)
        .await;

    // Assert: the user as it now is, shown to the manager (no Pool in it).
    let user = ok(&a);
    assert_eq!(user["id"], id);
    assert_eq!(user["partner_ids"], json!([]));
    expect_forbidden(
        &s.get(&format!("/partners/{hall}/groups"), &token).await,
        "Hall is gone from the token",
    );
    assert_eq!(
        s.get(&format!("/partners/{pool}/groups"), &token)
            .await
            .status,
        StatusCode::OK,
        "Pool stays"
    );
    assert_eq!(
        ok(&s.get(&format!("/users/{id}"), &s.admin).await)["partner_ids"],
        json!([pool])
    );
    expect_not_found(
        &s.delete(&format!("/partners/{hall}/users/{id}"), &manager)
            .await,
        "no longer Hall's",
    );
    expect_not_found(
        &s.get(&format!("/partners/{hall}/users/{id}"), &manager)
            .await,
        "no longer Hall's",
    );

    let a = s
        .get(
            &format!("/partners/{hall}/audit?action=user.partners_changed&subject_id={id}"),
            &s.admin,
        )
        .await;
    let entry = &ok(&a)[0];
    assert_eq!(entry["changes"], json!({"partner_ids": [[hall], []]}));
    assert_eq!(entry["user_id"], manager_id);

    // Without users.delete: 403, before the resource.
    let (_, reader) = s
        .user("reader@hall.example", &["users.read"], &[hall])
        .await;
    expect_forbidden(
        &s.delete(&format!("/partners/{hall}/users/{manager_id}"), &reader)
            .await,
        "no users.delete",
    );
}
