//! Logging in and out, `/me`, the login throttle, and how tokens are kept.

#[path = "../common/mod.rs"]
mod common;

mod in_one_transaction;
mod login;
mod tokens;

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
