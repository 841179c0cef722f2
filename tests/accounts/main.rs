//! Staff accounts over their whole life, over HTTP against the real server
//! (and the real binary for the command line): a user changes its own
//! password; a partner's managers read, correct and detach that partner's
//! users; an admin disables, promotes and ends sessions; the last enabled
//! admin stays; no password ever reaches an answer or the audit trail.
//!
//! Chapters, one module each:
//! - own_password: `PUT /me/password`
//! - partner_users: `GET/PUT/DELETE /partners/:partner_id/users/:user_id`
//! - admin: `PUT /users/:user_id`, `POST /users/:user_id/revoke-tokens`
//! - command_line: `user set-password`, `user disable`, `user list`
//! - migration: a file at the previous schema version keeps its users

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod command_line;
mod migration;
mod own_password;
mod partner_users;

use common::{Answer, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The status of a login attempt.
pub(crate) async fn login_status(s: &TestServer, email: &str, password: &str) -> StatusCode {
    s.call(
        Method::POST,
        "/auth/login",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
    .status
}

/// Whether a token still works.
pub(crate) async fn works(s: &TestServer, token: &str) -> bool {
    let a = s.get("/me", token).await;
    match a.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("/me answered {other}: {}", a.text),
    }
}

/// The `data` of a 200.
pub(crate) fn ok(a: &Answer) -> &Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    &a.body["data"]
}

/// A 422 with this message under this field.
pub(crate) fn invalid(a: &Answer, field: &str, message: &str) {
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(a.body["errors"][field][0], message, "{}", a.text);
}

/// The whole audit trail as the admin reads it, as text.
pub(crate) async fn audit_text(s: &TestServer) -> String {
    let a = s.get("/audit?per_page=100", &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.text
}

/// The newest entry for a user with this action.
pub(crate) async fn last_entry(s: &TestServer, user: i64, action: &str) -> Value {
    let a = s
        .get(
            &format!("/audit?subject_type=user&subject_id={user}&action={action}"),
            &s.admin,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"][0].clone()
}
