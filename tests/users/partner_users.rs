//! A partner's users: listing and creating them.

use super::*;

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
