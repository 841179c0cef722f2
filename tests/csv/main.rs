//! The CSV export of a group's members and the CSV import of customers
//! (API.md, "CSV export" and "CSV import").

#[path = "../common/mod.rs"]
mod common;

mod export;
mod formats;
mod into_group;
mod matching;
mod refusals;

use common::{all_but, expect_forbidden, expect_not_found, send, Answer, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const HEADER: [&str; 6] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "added_at",
];

// --- Helpers ---

/// GET the export of a group.
async fn export(s: &TestServer, token: &str, partner: i64, group: i64) -> Answer {
    send(
        s.client
            .get(s.api(&format!(
                "/partners/{partner}/groups/{group}/customers/export"
            )))
            .bearer_auth(token),
    )
    .await
}

/// Parses an export with the `csv` crate: the header row and the records.
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader
        .records()
        .map(|r| {
            r.expect("a well-formed CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, records)
}

/// POSTs a CSV file to the import with a query string and content type.
async fn import(
    s: &TestServer,
    token: &str,
    partner: i64,
    query: &str,
    content_type: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> Answer {
    let mut req = s
        .client
        .post(s.api(&format!("/partners/{partner}/customers/import{query}")))
        .bearer_auth(token)
        .body(body.into());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    send(req).await
}

/// A partner's customers (every page), as the API lists them.
async fn customers(s: &TestServer, partner: i64) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let a = s
            .get(
                &format!("/partners/{partner}/customers?per_page=100&page={page}"),
                &s.admin,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let data = a.body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        all.extend(data);
    }
    all
}

/// A partner's customer total (`meta.total`).
async fn customers_total(s: &TestServer, partner: i64) -> i64 {
    let a = s
        .get(&format!("/partners/{partner}/customers"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

/// A group's `customers_count`.
async fn group_count(s: &TestServer, partner: i64, group: i64) -> i64 {
    let a = s
        .get(&format!("/partners/{partner}/groups/{group}"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"]["customers_count"].as_i64().unwrap()
}

/// How many audit entries exist over all partners.
async fn audit_total(s: &TestServer) -> i64 {
    let a = s.get("/audit", &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

/// Creates a customer with every field; returns its id.
async fn full_customer(
    s: &TestServer,
    partner: i64,
    first: &str,
    last: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> i64 {
    let a = s
        .post(
            &format!("/partners/{partner}/customers"),
            &s.admin,
            json!({"first_name": first, "last_name": last, "email": email, "phone": phone}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"]["id"].as_i64().unwrap()
}

/// The `errors` keys of a 422, sorted.
fn error_keys(a: &Answer) -> Vec<String> {
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.body["message"].is_string(), "{}", a.text);
    let mut keys: Vec<String> = a.body["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors object: {}", a.text))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn ok_data(a: &Answer) -> &Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    &a.body["data"]
}
