//! A partner's users (`/partners/:p/users`) and the admin's `/users/:id`
//! routes for permissions and partners.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod partner_users;

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
