//! The audit trail: an entry for every successful change, none for a failed
//! or idempotent one, listed newest first with filters, readable only with
//! `audit.read` (or by an admin over all partners), and append-only (API.md,
//! "Audit trail").

#[path = "../common/mod.rs"]
mod common;

mod access;
mod listing;
mod quiet;
mod writes;

use common::{
    all_but, expect_forbidden, send, user_id_of, Answer, TestServer, ADMIN_PASSWORD, ALL, PASSWORD,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

// --- Helpers ---

/// Every entry a list path answers (all pages, newest first), plus the raw
/// text of each page.
async fn entries(s: &TestServer, token: &str, path: &str) -> (Vec<Value>, String) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut all = Vec::new();
    let mut texts = String::new();
    for page in 1.. {
        let a = s
            .get(&format!("{path}{sep}per_page=100&page={page}"), token)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text);
        texts.push_str(&a.text);
        let data = a.body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        all.extend(data);
    }
    (all, texts)
}

/// Every entry over all partners (the admin's view).
async fn all_entries(s: &TestServer) -> Vec<Value> {
    entries(s, &s.admin, "/audit").await.0
}

/// How many entries exist over all partners.
async fn total(s: &TestServer) -> i64 {
    let a = s.get("/audit", &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

/// The newest entry over all partners.
async fn newest(s: &TestServer) -> Value {
    let a = s.get("/audit?per_page=1", &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"][0].clone()
}

/// What an entry must say.
struct Expected<'a> {
    action: &'a str,
    subject_type: &'a str,
    subject_id: Value,
    partner_id: Value,
    user_id: Value,
    changes: Value,
}

/// Asserts an entry's shape and every field but `id` and `created_at`
/// (which must be a UTC timestamp).
fn check(entry: &Value, e: Expected<'_>) {
    let mut keys: Vec<&str> = entry
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {entry}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "action",
            "changes",
            "created_at",
            "id",
            "partner_id",
            "subject_id",
            "subject_type",
            "user_id"
        ],
        "{entry}"
    );
    assert!(entry["id"].as_i64().is_some_and(|id| id >= 1), "{entry}");
    assert!(common::is_utc_timestamp(&entry["created_at"]), "{entry}");
    assert_eq!(entry["action"], e.action, "{entry}");
    assert_eq!(entry["subject_type"], e.subject_type, "{entry}");
    assert_eq!(entry["subject_id"], e.subject_id, "{entry}");
    assert_eq!(entry["partner_id"], e.partner_id, "{entry}");
    assert_eq!(entry["user_id"], e.user_id, "{entry}");
    assert_eq!(entry["changes"], e.changes, "{entry}");
}

/// A partner with a staff user holding every permission: (partner, user id,
/// token).
async fn staffed(s: &TestServer, name: &str, email: &str) -> (i64, i64, String) {
    let p = s.partner(name).await;
    let (u, t) = s.user(email, ALL, &[p]).await;
    (p, u, t)
}

fn ok(a: &Answer) -> &Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    &a.body["data"]
}
