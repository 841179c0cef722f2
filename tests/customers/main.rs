//! A partner's customers: `/partners/:partner_id/customers...`. CRUD,
//! validation of every field, partial updates, and who may call them.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod crud;
mod fields;

use common::world::Venues;
use common::{
    all_but, expect, expect_forbidden, expect_not_found, expect_unauthenticated, expired_token,
    is_utc_timestamp, revoked_token, Answer, TestServer, ALL, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn customers(p: i64) -> String {
    format!("/partners/{p}/customers")
}

fn customer(p: i64, c: i64) -> String {
    format!("/partners/{p}/customers/{c}")
}

/// A 422 with one message on one field.
fn field_error(field: &str, message: &str) -> Value {
    json!({"message": message, "errors": {field: [message]}})
}

async fn create(s: &TestServer, p: i64, body: Value) -> Answer {
    s.post(&customers(p), &s.admin, body).await
}

/// Two partners with a customer each (and a group each, holding it).
async fn world() -> Venues {
    Venues::start().await
}

/// The five customer endpoints, as requests that succeed for someone
/// allowed to make them (in this order; the delete comes last).
fn endpoints(p: i64, c: i64) -> Vec<(&'static str, Method, String, Option<Value>, &'static str)> {
    vec![
        (
            "list customers",
            Method::GET,
            customers(p),
            None,
            "customers.read",
        ),
        (
            "create customer",
            Method::POST,
            customers(p),
            Some(json!({"first_name": "New", "last_name": "Person"})),
            "customers.create",
        ),
        (
            "show customer",
            Method::GET,
            customer(p, c),
            None,
            "customers.read",
        ),
        (
            "update customer",
            Method::PUT,
            customer(p, c),
            Some(json!({"phone": "+43 1 234"})),
            "customers.update",
        ),
        (
            "delete customer",
            Method::DELETE,
            customer(p, c),
            None,
            "customers.delete",
        ),
    ]
}
