//! The eight group endpoints under `/partners/:partner_id/groups`: their
//! answers, validation, `ETag`/`If-Match`, and who may call them (in the
//! contract's order of checks).

#[path = "../common/mod.rs"]
mod common;

mod access;
mod answers;
mod etags;
mod names;

use common::world::Venues;
use common::{
    all_but, expect, expect_forbidden, expect_not_found, expect_unauthenticated, expired_token,
    is_utc_timestamp, revoked_token, send, user_id_of, Answer, TestServer, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// One of the eight endpoints, as a request that succeeds for someone
/// allowed to make it.
struct Endpoint {
    name: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    permission: &'static str,
}

/// The eight endpoints on group `g` of partner `p`; `c` is a customer of
/// `p` that is a member of `g`. Made in this order, each succeeds (the
/// delete comes last).
fn endpoints(p: i64, g: i64, c: i64) -> Vec<Endpoint> {
    let e = |name, method, path: String, body, permission| Endpoint {
        name,
        method,
        path,
        body,
        permission,
    };
    vec![
        e(
            "list groups",
            Method::GET,
            format!("/partners/{p}/groups"),
            None,
            "groups.read",
        ),
        e(
            "create group",
            Method::POST,
            format!("/partners/{p}/groups"),
            Some(json!({"name": "Brand new"})),
            "groups.create",
        ),
        e(
            "show group",
            Method::GET,
            format!("/partners/{p}/groups/{g}"),
            None,
            "groups.read",
        ),
        e(
            "update group",
            Method::PUT,
            format!("/partners/{p}/groups/{g}"),
            Some(json!({"description": "changed"})),
            "groups.update",
        ),
        e(
            "list members",
            Method::GET,
            format!("/partners/{p}/groups/{g}/customers"),
            None,
            "groups.read",
        ),
        e(
            "add member",
            Method::POST,
            format!("/partners/{p}/groups/{g}/customers"),
            Some(json!({"customer_id": c})),
            "groups.update",
        ),
        e(
            "remove member",
            Method::DELETE,
            format!("/partners/{p}/groups/{g}/customers/{c}"),
            None,
            "groups.update",
        ),
        e(
            "delete group",
            Method::DELETE,
            format!("/partners/{p}/groups/{g}"),
            None,
            "groups.delete",
        ),
    ]
}

/// The endpoints that name a group in their path.
fn group_endpoints(p: i64, g: i64, c: i64) -> Vec<Endpoint> {
    endpoints(p, g, c)
        .into_iter()
        .filter(|e| e.path.contains("/groups/"))
        .collect()
}

impl Endpoint {
    async fn call(&self, s: &TestServer, token: Option<&str>) -> Answer {
        s.call(self.method.clone(), &self.path, token, self.body.clone())
            .await
    }
}

/// Two partners, each with a group holding one customer.
async fn world() -> Venues {
    Venues::start().await
}

fn group_path(p: i64, g: i64) -> String {
    format!("/partners/{p}/groups/{g}")
}

/// A request with a JSON body and an `If-Match` header.
async fn with_if_match(
    s: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    if_match: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = s
        .client
        .request(method, s.api(path))
        .bearer_auth(token)
        .header("if-match", if_match);
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

fn name_error(message: &str) -> Value {
    json!({"message": message, "errors": {"name": [message]}})
}
