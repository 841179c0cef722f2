//! A partner's users (`/partners/:p/users`) and the admin's `/users/:id`
//! routes for permissions and partners.

mod common;

use common::{Answer, TestServer, ALL, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn forbidden() -> Value {
    json!({"message": "This action is unauthorized."})
}

fn not_found() -> Value {
    json!({"message": "Not found."})
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn user_keys() -> BTreeSet<String> {
    set(&[
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
    ])
}

/// No answer may carry a password or a hash.
fn assert_no_secrets(a: &Answer) {
    let lower = a.text.to_lowercase();
    assert!(!lower.contains("password"), "{}", a.text);
    assert!(!a.text.contains("$argon2"), "{}", a.text);
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn ids(v: &Value) -> Vec<i64> {
    let mut out: Vec<i64> = v
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    out.sort_unstable();
    out
}

async fn create_user(s: &TestServer, token: &str, partner: i64, body: Value) -> Answer {
    s.post(&format!("/partners/{partner}/users"), token, body)
        .await
}

fn new_user(email: &str) -> Value {
    json!({"email": email, "password": "a-good-password", "first_name": "Nina", "last_name": "Novak"})
}

async fn login_status(s: &TestServer, email: &str, password: &str) -> StatusCode {
    s.call(
        Method::POST,
        "/auth/login",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
    .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partners_user_list_shows_only_id_names_and_email_of_its_users() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let other = s.partner("Pool").await;
    let (reader, token) = s.user("reader@example.com", &["users.read"], &[p]).await;
    let (colleague, _) = s.user("colleague@example.com", &[], &[p]).await;
    s.user("elsewhere@example.com", &[], &[other]).await;

    let a = s.get(&format!("/partners/{p}/users"), &token).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 2);
    let rows = a.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(keys(row), set(&["id", "first_name", "last_name", "email"]));
    }
    assert_eq!(
        a.body["data"],
        json!([
            {"id": reader, "first_name": "Test", "last_name": "User", "email": "reader@example.com"},
            {"id": colleague, "first_name": "Test", "last_name": "User", "email": "colleague@example.com"},
        ])
    );
    assert_no_secrets(&a);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_list_searches_names_and_email_ignoring_case() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, token) = s.user("reader@example.com", &["users.read"], &[p]).await;
    for (email, first, last) in [
        ("maria@venue.test", "Maria", "Huber"),
        ("jonas@venue.test", "Jonas", "Maier"),
        ("x_y@other.test", "Zoe", "Zach"),
    ] {
        let a = create_user(
            &s,
            &s.admin,
            p,
            json!({"email": email, "password": PASSWORD, "first_name": first, "last_name": last}),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }

    let mai = s
        .get(&format!("/partners/{p}/users?search=MAI"), &token)
        .await;
    let venue = s
        .get(&format!("/partners/{p}/users?search=venue.TEST"), &token)
        .await;
    let underscore = s
        .get(&format!("/partners/{p}/users?search=x_y"), &token)
        .await;
    let wildcard = s
        .get(&format!("/partners/{p}/users?search=%25"), &token)
        .await;

    let emails = |a: &Answer| -> Vec<String> {
        a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(mai.status, StatusCode::OK);
    assert_eq!(emails(&mai), vec!["jonas@venue.test"]);
    assert_eq!(emails(&venue), vec!["maria@venue.test", "jonas@venue.test"]);
    assert_eq!(emails(&underscore), vec!["x_y@other.test"]);
    assert_eq!(wildcard.body["meta"]["total"], 0);
    assert_eq!(
        mai.body["links"]["first"],
        format!(
            "{}/api/internal/v1/partners/{p}/users?search=MAI&page=1",
            s.url
        )
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_users_needs_users_read_and_access_to_the_partner() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let other = s.partner("Pool").await;
    let (_, without) = s.user("no-perm@example.com", &["users.create"], &[p]).await;
    let (_, reader) = s.user("reader@example.com", &["users.read"], &[p]).await;

    let no_permission = s.get(&format!("/partners/{p}/users"), &without).await;
    let foreign = s.get(&format!("/partners/{other}/users"), &reader).await;
    let missing = s.get("/partners/999999/users", &reader).await;
    let admin_missing = s.get("/partners/999999/users", &s.admin).await;

    for a in [&no_permission, &foreign, &missing] {
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert_eq!(a.body, forbidden());
    }
    assert_eq!(admin_missing.status, StatusCode::NOT_FOUND);
    assert_eq!(admin_missing.body, not_found());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_user_attaches_it_and_answers_a_plain_user_with_its_location() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, creator) = s.user("creator@example.com", &["users.create"], &[p]).await;

    let a = create_user(
        &s,
        &creator,
        p,
        json!({"email": "  New.Staff@Example.com ", "password": " spaced pass ",
               "first_name": "  Nina ", "last_name": " Novak  "}),
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let u = &a.body["data"];
    assert_eq!(keys(u), user_keys());
    let id = u["id"].as_i64().unwrap();
    assert_eq!(
        a.header("location"),
        Some(format!("/api/internal/v1/users/{id}").as_str())
    );
    assert_eq!(u["email"], "New.Staff@Example.com");
    assert_eq!(u["first_name"], "Nina");
    assert_eq!(u["last_name"], "Novak");
    assert_eq!(u["is_admin"], false);
    assert_eq!(u["permissions"], json!([]));
    assert_eq!(u["partner_ids"], json!([p]));
    assert_no_secrets(&a);
    // The password is kept exactly as given (not trimmed).
    assert_eq!(
        login_status(&s, "new.staff@example.com", " spaced pass ").await,
        StatusCode::OK
    );
    assert_eq!(
        login_status(&s, "new.staff@example.com", "spaced pass").await,
        StatusCode::UNAUTHORIZED
    );
    let shown = s.get(&format!("/users/{id}"), &s.admin).await;
    assert_eq!(shown.body, a.body);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_can_do_nothing_until_an_admin_grants_permissions() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let a = create_user(&s, &s.admin, p, new_user("fresh@example.com")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);

    let token = s.login("fresh@example.com", "a-good-password").await;
    let groups = s.get(&format!("/partners/{p}/groups"), &token).await;
    let users = s.get(&format!("/partners/{p}/users"), &token).await;
    let partner = s.get(&format!("/partners/{p}"), &token).await;

    assert_eq!(groups.status, StatusCode::FORBIDDEN);
    assert_eq!(users.status, StatusCode::FORBIDDEN);
    assert_eq!(partner.status, StatusCode::OK, "{}", partner.text);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_email_in_another_case_is_attached_and_keeps_its_name_and_password() {
    let s = TestServer::start().await;
    let p1 = s.partner("Hall").await;
    let p2 = s.partner("Pool").await;
    let first = create_user(&s, &s.admin, p1, new_user("shared@example.com")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let id = first.body["data"]["id"].as_i64().unwrap();
    let users_before: i64 = s
        .db()
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();

    let a = create_user(
        &s,
        &s.admin,
        p2,
        json!({"email": " SHARED@Example.COM ", "password": "another-password",
               "first_name": "Other", "last_name": "Name"}),
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let u = &a.body["data"];
    assert_eq!(u["id"], id);
    assert_eq!(u["email"], "shared@example.com");
    assert_eq!(u["first_name"], "Nina");
    assert_eq!(u["last_name"], "Novak");
    assert_eq!(ids(&u["partner_ids"]), vec![p1, p2]);
    assert_no_secrets(&a);
    let users_after: i64 = s
        .db()
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users_after, users_before);
    assert_eq!(
        login_status(&s, "shared@example.com", "a-good-password").await,
        StatusCode::OK
    );
    assert_eq!(
        login_status(&s, "shared@example.com", "another-password").await,
        StatusCode::UNAUTHORIZED
    );
    // Attaching again to a partner it already has changes nothing.
    let again = create_user(&s, &s.admin, p2, new_user("shared@example.com")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(ids(&again.body["data"]["partner_ids"]), vec![p1, p2]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_user_validates_email_password_and_names() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let long = "x".repeat(256);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"email": "not-an-email", "password": PASSWORD, "first_name": "A", "last_name": "B"}),
            "email",
            "The email field must be a valid email address.",
        ),
        (
            json!({"email": "a b@example.com", "password": PASSWORD, "first_name": "A", "last_name": "B"}),
            "email",
            "The email field must be a valid email address.",
        ),
        (
            json!({"password": PASSWORD, "first_name": "A", "last_name": "B"}),
            "email",
            "The email field is required.",
        ),
        (
            json!({"email": "ok@example.com", "password": "1234567", "first_name": "A", "last_name": "B"}),
            "password",
            "The password field must be at least 8 characters.",
        ),
        (
            json!({"email": "ok@example.com", "first_name": "A", "last_name": "B"}),
            "password",
            "The password field is required.",
        ),
        (
            json!({"email": "ok@example.com", "password": PASSWORD, "first_name": "  ", "last_name": "B"}),
            "first_name",
            "The first name field is required.",
        ),
        (
            json!({"email": "ok@example.com", "password": PASSWORD, "first_name": long, "last_name": "B"}),
            "first_name",
            "The first name field must not be greater than 255 characters.",
        ),
        (
            json!({"email": "ok@example.com", "password": PASSWORD, "first_name": "A", "last_name": ""}),
            "last_name",
            "The last name field is required.",
        ),
        (
            json!({"email": "ok@example.com", "password": PASSWORD, "first_name": "A", "last_name": long}),
            "last_name",
            "The last name field must not be greater than 255 characters.",
        ),
        (
            json!({"email": "ok@example.com", "password": PASSWORD, "first_name": "A", "last_name": "B", "is_admin": true}),
            "is_admin",
            "The is admin field is prohibited.",
        ),
    ];
    let users_before: i64 = s
        .db()
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();

    for (body, field, message) in cases {
        let a = create_user(&s, &s.admin, p, body.clone()).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            a.text
        );
        assert_eq!(
            a.body,
            json!({"message": message, "errors": {field: [message]}}),
            "{body}"
        );
    }

    let users_after: i64 = s
        .db()
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users_after, users_before);
    // The edges are fine: 8-character password, 255-character names.
    let edge = create_user(
        &s,
        &s.admin,
        p,
        json!({"email": "edge@example.com", "password": "12345678",
               "first_name": "é".repeat(255), "last_name": "L"}),
    )
    .await;
    assert_eq!(edge.status, StatusCode::OK, "{}", edge.text);
    assert_eq!(
        edge.body["data"]["first_name"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        255
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_user_needs_users_create_and_access_to_the_partner() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let other = s.partner("Pool").await;
    let (_, reader) = s.user("reader@example.com", &["users.read"], &[p]).await;
    let (_, creator) = s.user("creator@example.com", &["users.create"], &[p]).await;

    let no_permission = create_user(&s, &reader, p, new_user("x1@example.com")).await;
    let foreign = create_user(&s, &creator, other, new_user("x2@example.com")).await;
    let missing = create_user(&s, &creator, 424242, new_user("x3@example.com")).await;
    let admin_missing = create_user(&s, &s.admin, 424242, new_user("x4@example.com")).await;

    for a in [&no_permission, &foreign, &missing] {
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert_eq!(a.body, forbidden());
    }
    assert_eq!(admin_missing.status, StatusCode::NOT_FOUND);
    let count: i64 = s
        .db()
        .query_row(
            "SELECT count(*) FROM users WHERE email LIKE 'x_@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 0);
    s.stop().await;
}

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
