//! One partner's data is never reachable from another partner's path:
//! ids are never reused, an export in flight stays inside its partner and
//! its token, and nothing a partner's user is shown names another partner.

mod common;

use common::world::{read_head, read_to_close, send_head, small_socket, World};
use common::TestServer;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

fn id(a: &common::Answer) -> i64 {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"]["id"].as_i64().expect("an id")
}

#[tokio::test]
async fn a_deleted_id_is_never_given_again_to_a_group_customer_partner_or_user() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let admin = &s.admin;

    let group = s.group(admin, w.a, "Newest").await;
    s.delete(&format!("/partners/{}/groups/{group}", w.a), admin)
        .await;
    let next = s.group(admin, w.b, "Next").await;
    assert!(next > group, "group id {group} was given again ({next})");

    let customer = s.customer(admin, w.a, "Anna", "Berger", None).await;
    s.delete(&format!("/partners/{}/customers/{customer}", w.a), admin)
        .await;
    let next = s.customer(admin, w.b, "Bert", "Brandt", None).await;
    assert!(
        next > customer,
        "customer id {customer} was given again ({next})"
    );

    let partner = s.partner("Short-lived").await;
    let a = s.delete(&format!("/partners/{partner}"), admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let next = s.partner("Successor").await;
    assert!(
        next > partner,
        "partner id {partner} was given again ({next})"
    );

    // No route deletes a user; the file may (an operator's cleanup).
    let user = id(&s
        .post(
            &format!("/partners/{}/users", w.a),
            admin,
            json!({"email": "gone@world.test", "password": "a-long-password", "first_name": "Gone", "last_name": "User"}),
        )
        .await);
    s.db()
        .execute("DELETE FROM users WHERE id = ?1", [user])
        .unwrap();
    let next = id(&s
        .post(
            &format!("/partners/{}/users", w.b),
            admin,
            json!({"email": "new@world.test", "password": "a-long-password", "first_name": "New", "last_name": "User"}),
        )
        .await);
    assert!(next > user, "user id {user} was given again ({next})");
}

#[tokio::test]
async fn a_deleted_partners_audit_trail_does_not_reappear_under_the_next_partner() {
    let s = TestServer::start().await;
    let gone = s.partner("Closed venue").await;
    let customer = s
        .customer(
            &s.admin,
            gone,
            "Private",
            "Person",
            Some("private@closed.test"),
        )
        .await;
    s.delete(&format!("/partners/{gone}/customers/{customer}"), &s.admin)
        .await;
    let a = s.delete(&format!("/partners/{gone}"), &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);

    let next = s.partner("New venue").await;
    let (_, token) = s.user("auditor@new.test", &["audit.read"], &[next]).await;
    let a = s.get(&format!("/partners/{next}/audit"), &token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(!a.text.contains("private@closed.test"), "{}", a.text);
    assert!(
        a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["partner_id"] == json!(next)),
        "{}",
        a.text
    );
}

/// Starts an export on a socket that reads almost nothing; returns the
/// socket after the response head.
async fn paused_export(
    s: &TestServer,
    partner: i64,
    group: i64,
    token: &str,
) -> tokio::net::TcpStream {
    let mut stream = small_socket(s.addr()).await;
    let path = format!("/partners/{partner}/groups/{group}/customers/export");
    send_head(&mut stream, "GET", &path, Some(token), &[], b"").await;
    let (status, head, _) = read_head(&mut stream).await;
    assert_eq!(status, 200, "{head}");
    stream
}

/// Whether a raw chunked body ended with its last chunk (a stream the
/// server broke off has none).
fn finished(body: &[u8]) -> bool {
    body.ends_with(b"\r\n0\r\n\r\n")
}

#[tokio::test]
async fn an_export_in_flight_never_reaches_another_partners_customers() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, a_token) = &w.a_user;
    let group = s.group(a_token, w.a, "Big group").await;
    s.fill_group(w.a, group, 100_000, "a");

    // Act: A's user starts exporting and stops reading; deletes the group;
    // B creates a group and fills it; A reads on.
    let mut stream = paused_export(&s, w.a, group, a_token).await;
    let a = s
        .delete(&format!("/partners/{}/groups/{group}", w.a), a_token)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let (_, b_token) = &w.b_user;
    let b_group = s.group(b_token, w.b, "B's group").await;
    assert_ne!(b_group, group, "the deleted group's id was given to B");
    s.fill_group(w.b, b_group, 2_000, "secret-b");
    let body = read_to_close(&mut stream, Duration::from_secs(20)).await;

    // Assert: nothing of B's, and the stream was cut short, not finished.
    let text = String::from_utf8_lossy(&body);
    assert!(
        !text.contains("secret-b"),
        "B's customers reached A's export"
    );
    assert!(
        !finished(&body),
        "the export of a deleted group ran to its end"
    );
    assert!(
        text.matches("@bulk.test").count() < 100_000,
        "every row came through though the group was deleted"
    );
}

#[tokio::test]
async fn an_export_stops_when_its_token_is_revoked() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let group = s.group(&s.admin, w.a, "Big group").await;
    s.fill_group(w.a, group, 100_000, "a");
    let token = s.login("a@world.test", common::PASSWORD).await;

    let mut stream = paused_export(&s, w.a, group, &token).await;
    let a = s
        .call(reqwest::Method::POST, "/auth/logout", Some(&token), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let body = read_to_close(&mut stream, Duration::from_secs(20)).await;

    assert!(!finished(&body), "the export ran on after logout");
    assert!(String::from_utf8_lossy(&body).matches("@bulk.test").count() < 100_000);
}

#[tokio::test]
async fn an_export_stops_when_the_user_loses_the_partner() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (a_id, a_token) = &w.a_user;
    let group = s.group(a_token, w.a, "Big group").await;
    s.fill_group(w.a, group, 100_000, "a");

    let mut stream = paused_export(&s, w.a, group, a_token).await;
    let a = s
        .put(
            &format!("/users/{a_id}/partners"),
            &s.admin,
            json!({"partner_ids": []}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let body = read_to_close(&mut stream, Duration::from_secs(20)).await;

    assert!(
        !finished(&body),
        "the export ran on after access was taken away"
    );
}

#[tokio::test]
async fn attaching_another_partners_user_discloses_nothing_of_the_other_partner() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (b_id, _) = &w.b_user;
    let (_, a_token) = &w.a_user;

    // Act: A's user attaches B's user by email.
    let a = s
        .post(
            &format!("/partners/{}/users", w.a),
            a_token,
            json!({"email": "b@world.test", "password": "whatever-password", "first_name": "X", "last_name": "Y"}),
        )
        .await;

    // Assert: the answer lists only A; A's trail names only A.
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["id"], json!(b_id));
    assert_eq!(a.body["data"]["partner_ids"], json!([w.a]), "{}", a.text);
    let trail = s
        .get(
            &format!(
                "/partners/{}/audit?subject_type=user&subject_id={b_id}",
                w.a
            ),
            a_token,
        )
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
    let entry = &trail.body["data"][0];
    assert_eq!(
        entry["action"],
        json!("user.partners_changed"),
        "{}",
        trail.text
    );
    assert_eq!(entry["changes"], json!({"partner_ids": [[], [w.a]]}));

    // The user itself and an admin still see both partners.
    let me = s.get("/me", &w.b_user.1).await;
    assert_eq!(me.body["data"]["partner_ids"], json!([w.a, w.b]));
    let admin = s.get(&format!("/users/{b_id}"), &s.admin).await;
    assert_eq!(admin.body["data"]["partner_ids"], json!([w.a, w.b]));
}

#[tokio::test]
async fn a_partners_user_list_and_answers_hold_only_that_partners_data() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, b_token) = &w.b_user;
    s.customer(b_token, w.b, "Bea", "Secret", Some("bea@b.test"))
        .await;
    let (_, a_token) = &w.a_user;

    // Act / Assert: every list A's user can reach names none of B's rows.
    for path in ["/customers", "/groups", "/users", "/audit"] {
        let a = s.get(&format!("/partners/{}{path}", w.a), a_token).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text);
        assert!(!a.text.contains("bea@b.test"), "{path}: {}", a.text);
        assert!(!a.text.contains("b@world.test"), "{path}: {}", a.text);
    }
    let a = s
        .get(&format!("/partners/{}/customers", w.b), a_token)
        .await;
    common::expect_forbidden(&a, "B's customers with A's token");
}
