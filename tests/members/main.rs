//! A group's members: `/partners/:partner_id/groups/:group_id/customers`.
//! Listing, adding (idempotent, also under concurrency), removing, search,
//! and an exact `customers_count` through every change.

#[path = "../common/mod.rs"]
mod common;

mod adding;
mod counts;
mod refusals;

use common::{expect, expect_not_found, is_utc_timestamp, Answer, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A partner with one group and three customers, none a member yet; and a
/// second partner with a customer of its own.
struct World {
    s: TestServer,
    p: i64,
    g: i64,
    anna: i64,
    bert: i64,
    carla: i64,
    foreign: i64,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let t = s.admin.clone();
    let p = s.partner("Hall").await;
    let p2 = s.partner("Pool").await;
    let g = s.group(&t, p, "Juniors").await;
    let anna = s
        .customer(&t, p, "Anna", "Berger", Some("anna@example.com"))
        .await;
    let bert = s
        .customer(&t, p, "Bert", "Huber", Some("bert@mail.example"))
        .await;
    let carla = s.customer(&t, p, "Carla", "Zimmer", None).await;
    let foreign = s
        .customer(&t, p2, "Fritz", "Fremd", Some("fritz@example.com"))
        .await;
    World {
        s,
        p,
        g,
        anna,
        bert,
        carla,
        foreign,
    }
}

impl World {
    fn members(&self) -> String {
        format!("/partners/{}/groups/{}/customers", self.p, self.g)
    }

    async fn add(&self, customer: i64) -> Answer {
        self.s
            .add_member(&self.s.admin, self.p, self.g, customer)
            .await
    }

    async fn remove(&self, customer: i64) -> Answer {
        self.s
            .delete(&format!("{}/{customer}", self.members()), &self.s.admin)
            .await
    }

    async fn count(&self, group: i64) -> Value {
        let a = self
            .s
            .get(
                &format!("/partners/{}/groups/{group}", self.p),
                &self.s.admin,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["data"]["customers_count"].clone()
    }

    /// Memberships of a group as the database holds them.
    fn rows(&self, group: i64) -> i64 {
        self.s
            .db()
            .query_row(
                "SELECT count(*) FROM group_customers WHERE group_id = ?1",
                [group],
                |r| r.get(0),
            )
            .unwrap()
    }

    async fn listed_ids(&self, query: &str) -> Vec<i64> {
        let a = self
            .s
            .get(&format!("{}{query}", self.members()), &self.s.admin)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect()
    }
}

fn customer_id_error(message: &str) -> Value {
    json!({"message": message, "errors": {"customer_id": [message]}})
}
