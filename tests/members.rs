//! A group's members: `/partners/:partner_id/groups/:group_id/customers`.
//! Listing, adding (idempotent, also under concurrency), removing, search,
//! and an exact `customers_count` through every change.

mod common;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_member_answers_the_customer_with_added_at_and_no_location() {
    let w = world().await;
    let customer =
        w.s.get(
            &format!("/partners/{}/customers/{}", w.p, w.anna),
            &w.s.admin,
        )
        .await;

    let a = w.add(w.anna).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let added_at = a.body["data"]["added_at"].clone();
    assert!(is_utc_timestamp(&added_at), "{added_at}");
    let mut expected = customer.body["data"].clone();
    expected["added_at"] = added_at;
    assert_eq!(a.body, json!({ "data": expected }));
    assert_eq!(a.header("location"), None);
    assert_eq!(w.count(w.g).await, 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_members_answers_each_member_as_customer_fields_and_added_at() {
    let w = world().await;
    let added = w.add(w.bert).await;

    let a = w.s.get(&w.members(), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let data = a.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let m = &data[0];
    let keys: Vec<&str> = {
        let mut k: Vec<&str> = m.as_object().unwrap().keys().map(|s| s.as_str()).collect();
        k.sort_unstable();
        k
    };
    assert_eq!(
        keys,
        [
            "added_at",
            "created_at",
            "email",
            "first_name",
            "id",
            "last_name",
            "partner_id",
            "phone",
            "updated_at"
        ]
    );
    assert_eq!(*m, added.body["data"]);
    assert_eq!(m["id"], w.bert);
    assert_eq!(m["partner_id"], w.p);
    assert_eq!(m["first_name"], "Bert");
    assert_eq!(m["last_name"], "Huber");
    assert_eq!(m["email"], "bert@mail.example");
    assert_eq!(m["phone"], Value::Null);
    assert!(is_utc_timestamp(&m["created_at"]));
    assert!(is_utc_timestamp(&m["updated_at"]));
    assert_eq!(a.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_groups_member_list_is_empty() {
    let w = world().await;

    let a = w.s.get(&w.members(), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"], json!([]));
    assert_eq!(a.body["meta"]["total"], 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_listed_by_customer_id_whatever_order_they_joined_in() {
    let w = world().await;
    for c in [w.carla, w.anna, w.bert] {
        assert_eq!(w.add(c).await.status, StatusCode::OK);
    }

    let ids = w.listed_ids("").await;

    assert_eq!(ids, vec![w.anna, w.bert, w.carla]);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_member_again_answers_the_same_membership_and_changes_nothing() {
    let w = world().await;
    let first = w.add(w.anna).await;
    let group_before =
        w.s.get(&format!("/partners/{}/groups/{}", w.p, w.g), &w.s.admin)
            .await;

    let again = w.add(w.anna).await;
    let group_after =
        w.s.get(&format!("/partners/{}/groups/{}", w.p, w.g), &w.s.admin)
            .await;

    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), None);
    assert_eq!(group_after.body, group_before.body);
    assert_eq!(group_after.body["data"]["customers_count"], 1);
    assert_eq!(group_after.header("etag"), group_before.header("etag"));
    assert_eq!(w.rows(w.g), 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_without_a_customer_id_is_422() {
    let w = world().await;
    let required = customer_id_error("The customer id field is required.");

    let a = w.s.post(&w.members(), &w.s.admin, json!({})).await;
    let b =
        w.s.post(&w.members(), &w.s.admin, json!({"customer_id": null}))
            .await;
    let empty =
        w.s.call(reqwest::Method::POST, &w.members(), Some(&w.s.admin), None)
            .await;

    expect(&a, StatusCode::UNPROCESSABLE_ENTITY, required.clone(), "{}");
    expect(
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        required.clone(),
        "null",
    );
    expect(
        &empty,
        StatusCode::UNPROCESSABLE_ENTITY,
        required,
        "no body",
    );
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_with_a_customer_id_that_is_not_an_integer_is_422() {
    let w = world().await;

    for bad in [
        json!("abc"),
        json!(1.5),
        json!(true),
        json!([w.anna]),
        json!({"id": w.anna}),
        json!(18_446_744_073_709_551_615u64),
    ] {
        let a =
            w.s.post(&w.members(), &w.s.admin, json!({"customer_id": bad}))
                .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            a.text
        );
        assert_eq!(
            a.body["errors"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["customer_id"],
            "{bad}"
        );
        assert_eq!(
            a.body["errors"]["customer_id"][0], a.body["message"],
            "{bad}"
        );
        assert!(a.body["message"].as_str().unwrap().contains("customer id"));
    }
    let a =
        w.s.post(&w.members(), &w.s.admin, json!({"customer_id": "abc"}))
            .await;
    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        customer_id_error("The customer id field must be an integer."),
        "a string",
    );
    assert_eq!(w.count(w.g).await, 0);
    assert_eq!(w.rows(w.g), 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_an_unknown_or_non_positive_customer_id_is_422() {
    let w = world().await;
    let invalid = customer_id_error("The selected customer id is invalid.");

    for bad in [json!(999_999), json!(0), json!(-1)] {
        let a =
            w.s.post(&w.members(), &w.s.admin, json!({"customer_id": bad}))
                .await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            invalid.clone(),
            &bad.to_string(),
        );
    }
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_another_partners_customer_is_422_and_changes_nothing() {
    let w = world().await;

    let a = w.add(w.foreign).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        customer_id_error("The selected customer id is invalid."),
        "foreign customer",
    );
    assert_eq!(w.count(w.g).await, 0);
    assert_eq!(w.rows(w.g), 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_with_an_unknown_field_is_422_under_that_field() {
    let w = world().await;

    let a =
        w.s.post(
            &w.members(),
            &w.s.admin,
            json!({"customer_id": w.anna, "role": "captain"}),
        )
        .await;

    let message = "The role field is prohibited.";
    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {"role": [message]}}),
        "unknown field",
    );
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_member_answers_the_member_and_the_count_drops() {
    let w = world().await;
    let added = w.add(w.anna).await;
    w.add(w.bert).await;

    let a = w.remove(w.anna).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, added.body);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.listed_ids("").await, vec![w.bert]);
    let customer =
        w.s.get(
            &format!("/partners/{}/customers/{}", w.p, w.anna),
            &w.s.admin,
        )
        .await;
    assert_eq!(customer.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_customer_that_is_not_a_member_is_404() {
    let w = world().await;
    w.add(w.anna).await;

    let never = w.remove(w.bert).await;
    w.remove(w.anna).await;
    let twice = w.remove(w.anna).await;
    let unknown = w.remove(999_999).await;

    expect_not_found(&never, "never a member");
    expect_not_found(&twice, "removed already");
    expect_not_found(&unknown, "no such customer");
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_can_join_again_after_being_removed() {
    let w = world().await;
    w.add(w.anna).await;
    w.remove(w.anna).await;

    let a = w.add(w.anna).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.rows(w.g), 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_count_is_exact_through_adds_removes_and_deletions() {
    let w = world().await;
    let s = &w.s;
    let g2 = s.group(&s.admin, w.p, "Seniors").await;
    for c in [w.anna, w.bert, w.carla] {
        assert_eq!(w.add(c).await.status, StatusCode::OK);
    }
    for c in [w.anna, w.bert] {
        let a = s.add_member(&s.admin, w.p, g2, c).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(w.count(w.g).await, 3);
    assert_eq!(w.count(g2).await, 2);

    // A removal.
    assert_eq!(w.remove(w.carla).await.status, StatusCode::OK);
    assert_eq!(w.count(w.g).await, 2);
    assert_eq!(w.count(g2).await, 2);

    // Deleting a customer that is in both groups.
    let a = s
        .delete(&format!("/partners/{}/customers/{}", w.p, w.anna), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.count(g2).await, 1);
    assert_eq!(w.listed_ids("").await, vec![w.bert]);

    // Deleting a group leaves the other's count alone.
    let a = s
        .delete(&format!("/partners/{}/groups/{g2}", w.p), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["customers_count"], 1);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.rows(g2), 0);

    // The counter agrees with the rows.
    let drift: i64 = s
        .db()
        .query_row(
            "SELECT count(*) FROM groups g WHERE customers_count !=
                 (SELECT count(*) FROM group_customers m WHERE m.group_id = g.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(drift, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_customer_removes_its_memberships() {
    let w = world().await;
    w.add(w.anna).await;
    w.add(w.bert).await;

    let a =
        w.s.delete(
            &format!("/partners/{}/customers/{}", w.p, w.bert),
            &w.s.admin,
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(w.listed_ids("").await, vec![w.anna]);
    assert_eq!(w.count(w.g).await, 1);
    let rows: i64 =
        w.s.db()
            .query_row(
                "SELECT count(*) FROM group_customers WHERE customer_id = ?1",
                [w.bert],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(rows, 0);
    expect_not_found(&w.remove(w.bert).await, "removing a deleted customer");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_members_matches_first_name_last_name_and_email_ignoring_case() {
    let w = world().await;
    for c in [w.anna, w.bert, w.carla] {
        w.add(c).await;
    }
    // A customer matching the searches but not a member.
    w.s.customer(&w.s.admin, w.p, "Anna", "Huber", Some("x@mail.example"))
        .await;

    assert_eq!(w.listed_ids("?search=ANN").await, vec![w.anna]);
    assert_eq!(w.listed_ids("?search=huBER").await, vec![w.bert]);
    assert_eq!(w.listed_ids("?search=MAIL.example").await, vec![w.bert]);
    assert_eq!(w.listed_ids("?search=zimmer").await, vec![w.carla]);
    assert_eq!(
        w.listed_ids("?search=er").await,
        vec![w.anna, w.bert, w.carla]
    );
    assert_eq!(w.listed_ids("?search=nobody").await, Vec::<i64>::new());
    let a =
        w.s.get(&format!("{}?search=huber", w.members()), &w.s.admin)
            .await;
    assert_eq!(a.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_of_one_group_are_not_listed_in_another() {
    let w = world().await;
    let g2 = w.s.group(&w.s.admin, w.p, "Seniors").await;
    w.add(w.anna).await;

    let a =
        w.s.get(
            &format!("/partners/{}/groups/{g2}/customers", w.p),
            &w.s.admin,
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"], json!([]));
    assert_eq!(a.body["meta"]["total"], 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parallel_adds_of_the_same_customer_leave_one_membership() {
    let w = world().await;
    let (s, path, token) = (&w.s, w.members(), w.s.admin.clone());

    let answers = futures_util::future::join_all((0..20).map(|_| {
        let req = s
            .client
            .post(s.api(&path))
            .bearer_auth(&token)
            .json(&json!({"customer_id": w.anna}));
        async move { common::send(req).await }
    }))
    .await;

    let first = &answers[0];
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body, first.body);
    }
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.rows(w.g), 1);
    assert_eq!(w.listed_ids("").await, vec![w.anna]);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_adds_and_removes_of_many_customers_keep_the_count_exact() {
    let w = world().await;
    let s = &w.s;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            s.customer(&s.admin, w.p, &format!("C{i}"), "Many", None)
                .await,
        );
    }

    let tasks = ids.iter().map(|c| {
        let req = s
            .client
            .post(s.api(&w.members()))
            .bearer_auth(&s.admin)
            .json(&json!({"customer_id": c}));
        async move { common::send(req).await }
    });
    let answers = futures_util::future::join_all(tasks).await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(w.count(w.g).await, 30);

    let removes = ids.iter().take(10).map(|c| {
        let req = s
            .client
            .delete(s.api(&format!("{}/{c}", w.members())))
            .bearer_auth(&s.admin);
        async move { common::send(req).await }
    });
    let answers = futures_util::future::join_all(removes).await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }

    assert_eq!(w.count(w.g).await, 20);
    assert_eq!(w.rows(w.g), 20);
    let a = s.get(&w.members(), &s.admin).await;
    assert_eq!(a.body["meta"]["total"], 20);
    w.s.stop().await;
}
