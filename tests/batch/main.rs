//! `POST /partners/:partner_id/groups/:group_id/customers/batch`: many
//! members added and removed at once, all or nothing (API.md, "Bulk
//! membership").

#[path = "../common/mod.rs"]
mod common;

mod effects;
mod limits;

use common::{all_but, expect_forbidden, expect_not_found, send, Answer, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Partner A with a group and customers, partner B with a customer, and the
/// admin's token.
struct World {
    s: TestServer,
    t: String,
    a: i64,
    b: i64,
    group: i64,
    /// Customers of partner A.
    cs: Vec<i64>,
    /// A customer of partner B.
    foreign: i64,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let t = s.admin.clone();
    let a = s.partner("Hall A").await;
    let b = s.partner("Hall B").await;
    let group = s.group(&t, a, "Juniors").await;
    let mut cs = Vec::new();
    for i in 0..6 {
        cs.push(s.customer(&t, a, "Anna", &format!("A{i}"), None).await);
    }
    let foreign = s.customer(&t, b, "Bert", "Foreign", None).await;
    World {
        s,
        t,
        a,
        b,
        group,
        cs,
        foreign,
    }
}

impl World {
    fn path(&self) -> String {
        format!("/partners/{}/groups/{}/customers/batch", self.a, self.group)
    }

    async fn batch(&self, body: Value) -> Answer {
        self.s.post(&self.path(), &self.t, body).await
    }

    /// The group's `customers_count` as `GET` shows it.
    async fn count(&self) -> i64 {
        let a = self
            .s
            .get(
                &format!("/partners/{}/groups/{}", self.a, self.group),
                &self.t,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["data"]["customers_count"].as_i64().unwrap()
    }

    /// The group's member ids (every page) and the list's `meta.total`.
    async fn members(&self) -> (Vec<i64>, i64) {
        let mut ids = Vec::new();
        let mut total = 0;
        for page in 1.. {
            let a = self
                .s
                .get(
                    &format!(
                        "/partners/{}/groups/{}/customers?per_page=100&page={page}",
                        self.a, self.group
                    ),
                    &self.t,
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
            total = a.body["meta"]["total"].as_i64().unwrap();
            let data = a.body["data"].as_array().unwrap();
            if data.is_empty() {
                break;
            }
            ids.extend(data.iter().map(|m| m["id"].as_i64().unwrap()));
        }
        (ids, total)
    }

    /// How many audit entries exist over all partners.
    async fn audit_total(&self) -> i64 {
        let a = self.s.get("/audit", &self.t).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["meta"]["total"].as_i64().unwrap()
    }

    /// Adds members one at a time (the seed's endpoint).
    async fn join(&self, customers: &[i64]) {
        for c in customers {
            let a = self.s.add_member(&self.t, self.a, self.group, *c).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        }
    }
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

/// Creates `n` customers of a partner through the CSV import; their ids in
/// order.
async fn many_customers(s: &TestServer, partner: i64, n: usize) -> Vec<i64> {
    let mut csv = String::from("first_name,last_name\n");
    for i in 0..n {
        csv.push_str(&format!("Bulk,Customer {i}\n"));
    }
    let a = send(
        s.client
            .post(s.api(&format!("/partners/{partner}/customers/import")))
            .bearer_auth(&s.admin)
            .header("content-type", "text/csv")
            .body(csv),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["created"], n);
    let c = s.db();
    let mut stmt = c
        .prepare("SELECT id FROM customers WHERE partner_id = ?1 AND last_name LIKE 'Customer %' ORDER BY id")
        .unwrap();
    let ids: Vec<i64> = stmt
        .query_map([partner], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(ids.len(), n);
    ids
}
