//! `POST /partners/:partner_id/groups/:group_id/customers/batch`: many
//! members added and removed at once, all or nothing (API.md, "Bulk
//! membership").

mod common;

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

// --- All or nothing ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_a_foreign_and_an_unknown_id_is_422_keyed_by_position_and_changes_nothing() {
    // Arrange: one member already, whom the batch would remove.
    let w = world().await;
    w.join(&[w.cs[0]]).await;
    let audit_before = w.audit_total().await;

    // Act: positions 1 (partner B's customer) and 3 (no such customer) are bad.
    let a = w
        .batch(json!({
            "add": [w.cs[1], w.foreign, w.cs[2], 999_999],
            "remove": [w.cs[0]]
        }))
        .await;

    // Assert
    assert_eq!(error_keys(&a), vec!["add.1", "add.3"]);
    assert_eq!(w.count().await, 1);
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
    assert_eq!(w.audit_total().await, audit_before, "no audit entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_whose_only_bad_id_is_the_first_reports_add_0() {
    // Arrange
    let w = world().await;

    // Act
    let a = w.batch(json!({"add": [w.foreign, w.cs[0]]})).await;

    // Assert
    assert_eq!(error_keys(&a), vec!["add.0"]);
    assert_eq!(w.members().await, (vec![], 0));
}

// --- What a batch does ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_adds_and_removes_and_answers_the_counts_and_the_new_customers_count() {
    // Arrange: members 0 and 1.
    let w = world().await;
    w.join(&[w.cs[0], w.cs[1]]).await;

    // Act: add 2, 3, 4; remove 0.
    let a = w
        .batch(json!({"add": [w.cs[2], w.cs[3], w.cs[4]], "remove": [w.cs[0]]}))
        .await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 3, "removed": 1, "customers_count": 4}})
    );
    assert_eq!(w.count().await, 4);
    assert_eq!(
        w.members().await,
        (vec![w.cs[1], w.cs[2], w.cs[3], w.cs[4]], 4)
    );
    assert_eq!(a.header("location"), None, "a batch creates no resource");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_batch_twice_adds_nothing_the_second_time() {
    // Arrange
    let w = world().await;
    let body = json!({"add": [w.cs[0], w.cs[1], w.cs[2]]});
    let first = w.batch(body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["data"]["added"], 3);
    let audit_before = w.audit_total().await;

    // Act
    let second = w.batch(body).await;

    // Assert
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(
        second.body,
        json!({"data": {"added": 0, "removed": 0, "customers_count": 3}})
    );
    assert_eq!(w.count().await, 3);
    assert_eq!(w.members().await.1, 3);
    assert_eq!(
        w.audit_total().await,
        audit_before,
        "a batch that changed nothing leaves no audit entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_id_twice_in_add_is_added_once() {
    // Arrange
    let w = world().await;

    // Act
    let a = w.batch(json!({"add": [w.cs[0], w.cs[0]]})).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 1, "removed": 0, "customers_count": 1}})
    );
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_non_members_unknown_ids_and_foreign_customers_is_ignored() {
    // Arrange: members 0 and 1.
    let w = world().await;
    w.join(&[w.cs[0], w.cs[1]]).await;

    // Act: only cs[1] is a member.
    let a = w
        .batch(json!({"remove": [w.cs[3], w.cs[1], w.foreign, 999_999]}))
        .await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 0, "removed": 1, "customers_count": 1}})
    );
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_existing_members_in_a_batch_counts_only_the_new_ones() {
    // Arrange
    let w = world().await;
    w.join(&[w.cs[0], w.cs[1]]).await;

    // Act
    let a = w.batch(json!({"add": [w.cs[0], w.cs[1], w.cs[2]]})).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 1, "removed": 0, "customers_count": 3}})
    );
    assert_eq!(w.count().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_count_stays_exact_through_a_sequence_of_batches() {
    // Arrange
    let w = world().await;
    let cs = &w.cs;
    let steps = [
        json!({"add": [cs[0], cs[1], cs[2], cs[3]]}),
        json!({"add": [cs[4]], "remove": [cs[0], cs[1]]}),
        json!({"remove": [cs[2], cs[5]]}),
        json!({"add": [cs[0], cs[5]], "remove": [cs[4]]}),
    ];

    for (i, body) in steps.into_iter().enumerate() {
        // Act
        let a = w.batch(body).await;

        // Assert: the answer, GET and the list agree after every step.
        assert_eq!(a.status, StatusCode::OK, "step {i}: {}", a.text);
        let answered = a.body["data"]["customers_count"].as_i64().unwrap();
        let (ids, total) = w.members().await;
        assert_eq!(answered, w.count().await, "step {i}");
        assert_eq!(answered, total, "step {i}");
        assert_eq!(answered, ids.len() as i64, "step {i}");
    }
    assert_eq!(w.members().await.0, vec![cs[0], cs[3], cs[5]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_etag_changes_after_a_batch_that_changed_the_count() {
    // Arrange
    let w = world().await;
    let path = format!("/partners/{}/groups/{}", w.a, w.group);
    let before = w.s.get(&path, &w.t).await;
    let etag = before.header("etag").unwrap().to_string();

    // Act
    let a = w.batch(json!({"add": [w.cs[0]]})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);

    // Assert
    let after = w.s.get(&path, &w.t).await;
    assert_ne!(after.header("etag"), Some(etag.as_str()));
}

// --- Limits and validation ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_object_or_both_lists_empty_or_no_body_is_422() {
    // Arrange
    let w = world().await;
    w.join(&[w.cs[0]]).await;

    for body in [
        Some(json!({})),
        Some(json!({"add": []})),
        Some(json!({"remove": []})),
        Some(json!({"add": [], "remove": []})),
        None,
    ] {
        // Act
        let a =
            w.s.call(Method::POST, &w.path(), Some(&w.t), body.clone())
                .await;

        // Assert
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}: {}",
            a.text
        );
        assert!(
            a.body["errors"].as_object().is_some_and(|e| !e.is_empty()),
            "{body:?}: {}",
            a.text
        );
    }
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_1000_ids_are_taken() {
    // Arrange
    let w = world().await;
    let ids = many_customers(&w.s, w.a, 1000).await;

    // Act
    let a = w.batch(json!({ "add": ids })).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 1000, "removed": 0, "customers_count": 1000}})
    );
    assert_eq!(w.count().await, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_1000_ids_in_all_is_422_and_changes_nothing() {
    // Arrange: 1001 real customers, so only the limit can refuse them.
    let w = world().await;
    let ids = many_customers(&w.s, w.a, 1001).await;
    let audit_before = w.audit_total().await;

    for body in [
        json!({ "add": ids }),
        json!({"add": ids[..600], "remove": ids[600..]}),
        json!({ "remove": ids }),
    ] {
        // Act
        let a = w.batch(body).await;

        // Assert
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        assert!(a.body["errors"].as_object().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(w.count().await, 0);
    assert_eq!(w.audit_total().await, audit_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_are_not_positive_integers_are_422_keyed_by_position() {
    // Arrange
    let w = world().await;

    // Act
    let a = w
        .batch(json!({
            "add": [w.cs[0], "x", 1.5, null, {"id": 1}, w.cs[1], "7"],
            "remove": [true]
        }))
        .await;

    // Assert
    assert_eq!(
        error_keys(&a),
        vec!["add.1", "add.2", "add.3", "add.4", "add.6", "remove.0"]
    );
    assert_eq!(w.members().await, (vec![], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_that_are_not_arrays_and_unknown_fields_are_422_under_their_names() {
    // Arrange
    let w = world().await;

    for (body, key) in [
        (json!({"add": w.cs[0]}), "add"),
        (json!({"add": "1,2"}), "add"),
        (json!({"remove": {"0": w.cs[0]}}), "remove"),
        (
            json!({"add": [w.cs[0]], "customer_ids": [w.cs[1]]}),
            "customer_ids",
        ),
    ] {
        // Act
        let a = w.batch(body.clone()).await;

        // Assert
        assert!(
            error_keys(&a).iter().any(|k| k == key),
            "{body}: {}",
            a.text
        );
    }
    assert_eq!(w.members().await, (vec![], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_is_400_or_415() {
    // Arrange
    let w = world().await;

    // Act
    let malformed = send(
        w.s.client
            .post(w.s.api(&w.path()))
            .bearer_auth(&w.t)
            .header("content-type", "application/json")
            .body("{\"add\": [1,"),
    )
    .await;
    let not_json = send(
        w.s.client
            .post(w.s.api(&w.path()))
            .bearer_auth(&w.t)
            .header("content-type", "text/plain")
            .body(format!("{{\"add\": [{}]}}", w.cs[0])),
    )
    .await;

    // Assert
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.text
    );
    assert_eq!(
        not_json.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        not_json.text
    );
    assert_eq!(w.members().await, (vec![], 0));
}

// --- Who may ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_needs_groups_update() {
    // Arrange
    let w = world().await;
    let (_, without) =
        w.s.user("no-update@test.local", &all_but("groups.update"), &[w.a])
            .await;
    let (_, with) =
        w.s.user("update@test.local", &["groups.update"], &[w.a])
            .await;

    // Act
    let refused =
        w.s.post(&w.path(), &without, json!({"add": [w.cs[0]]}))
            .await;
    let allowed = w.s.post(&w.path(), &with, json!({"add": [w.cs[1]]})).await;

    // Assert
    expect_forbidden(&refused, "without groups.update");
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text);
    assert_eq!(w.members().await, (vec![w.cs[1]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_on_another_partners_group_or_an_unknown_group_is_404() {
    // Arrange
    let w = world().await;
    let group_b = w.s.group(&w.t, w.b, "B's group").await;

    // Act
    let other =
        w.s.post(
            &format!("/partners/{}/groups/{group_b}/customers/batch", w.a),
            &w.t,
            json!({"add": [w.cs[0]]}),
        )
        .await;
    let unknown =
        w.s.post(
            &format!("/partners/{}/groups/999999/customers/batch", w.a),
            &w.t,
            json!({"add": [w.cs[0]]}),
        )
        .await;

    // Assert
    expect_not_found(&other, "partner B's group under partner A");
    expect_not_found(&unknown, "no such group");
    let a =
        w.s.get(&format!("/partners/{}/groups/{group_b}", w.b), &w.t)
            .await;
    assert_eq!(a.body["data"]["customers_count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_of_partner_a_cannot_batch_on_partner_b() {
    // Arrange
    let w = world().await;
    let group_b = w.s.group(&w.t, w.b, "B's group").await;
    let (_, token) = w.s.user("a-only@test.local", common::ALL, &[w.a]).await;

    // Act
    let a =
        w.s.post(
            &format!("/partners/{}/groups/{group_b}/customers/batch", w.b),
            &token,
            json!({"add": [w.foreign]}),
        )
        .await;

    // Assert
    expect_forbidden(&a, "no access to partner B");
    let g =
        w.s.get(&format!("/partners/{}/groups/{group_b}", w.b), &w.t)
            .await;
    assert_eq!(g.body["data"]["customers_count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_without_a_token_is_401() {
    // Arrange
    let w = world().await;

    // Act
    let a =
        w.s.call(
            Method::POST,
            &w.path(),
            None,
            Some(json!({"add": [w.cs[0]]})),
        )
        .await;

    // Assert
    common::expect_unauthenticated(&a, "no token");
    assert_eq!(w.members().await, (vec![], 0));
}
