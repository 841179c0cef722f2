//! The audit trail: an entry for every successful change, none for a failed
//! or idempotent one, listed newest first with filters, readable only with
//! `audit.read` (or by an admin over all partners), and append-only (API.md,
//! "Audit trail").

mod common;

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

// --- An entry for every kind of write ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_updating_and_deleting_a_group_each_append_an_entry_with_old_and_new_values() {
    // Arrange
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;

    // Act + Assert: create.
    let g = ok(&s
        .post(
            &format!("/partners/{p}/groups"),
            &t,
            json!({"name": "Juniors", "description": "U12"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    check(
        &newest(&s).await,
        Expected {
            action: "group.created",
            subject_type: "group",
            subject_id: json!(g),
            partner_id: json!(p),
            user_id: json!(u),
            changes: json!({"name": [null, "Juniors"], "description": [null, "U12"]}),
        },
    );

    // Act + Assert: update only the name (the description is given unchanged).
    ok(&s
        .put(
            &format!("/partners/{p}/groups/{g}"),
            &t,
            json!({"name": "Juniors A", "description": "U12"}),
        )
        .await);
    check(
        &newest(&s).await,
        Expected {
            action: "group.updated",
            subject_type: "group",
            subject_id: json!(g),
            partner_id: json!(p),
            user_id: json!(u),
            changes: json!({"name": ["Juniors", "Juniors A"]}),
        },
    );

    // Act + Assert: delete.
    ok(&s.delete(&format!("/partners/{p}/groups/{g}"), &t).await);
    check(
        &newest(&s).await,
        Expected {
            action: "group.deleted",
            subject_type: "group",
            subject_id: json!(g),
            partner_id: json!(p),
            user_id: json!(u),
            changes: json!({"name": ["Juniors A", null], "description": ["U12", null]}),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_a_group_description_records_old_and_null() {
    // Arrange
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let g = ok(&s
        .post(
            &format!("/partners/{p}/groups"),
            &t,
            json!({"name": "Seniors", "description": "Over 60"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();

    // Act
    ok(&s
        .put(
            &format!("/partners/{p}/groups/{g}"),
            &t,
            json!({"description": null}),
        )
        .await);

    // Assert
    check(
        &newest(&s).await,
        Expected {
            action: "group.updated",
            subject_type: "group",
            subject_id: json!(g),
            partner_id: json!(p),
            user_id: json!(u),
            changes: json!({"description": ["Over 60", null]}),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_removing_and_batching_members_append_entries_on_the_group() {
    // Arrange
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let g = s.group(&t, p, "Members").await;
    let c1 = s.customer(&t, p, "Anna", "One", None).await;
    let c2 = s.customer(&t, p, "Ben", "Two", None).await;
    let c3 = s.customer(&t, p, "Cleo", "Three", None).await;
    let entry = |action: &'static str, changes: Value| Expected {
        action,
        subject_type: "group",
        subject_id: json!(g),
        partner_id: json!(p),
        user_id: json!(u),
        changes,
    };

    // Act + Assert: add.
    ok(&s.add_member(&t, p, g, c1).await);
    check(
        &newest(&s).await,
        entry("group.member_added", json!({"customer_id": [null, c1]})),
    );

    // Act + Assert: remove.
    ok(&s
        .delete(&format!("/partners/{p}/groups/{g}/customers/{c1}"), &t)
        .await);
    check(
        &newest(&s).await,
        entry("group.member_removed", json!({"customer_id": [c1, null]})),
    );

    // Act + Assert: one batch, one entry listing what it added and removed.
    ok(&s.add_member(&t, p, g, c3).await);
    let before = total(&s).await;
    ok(&s
        .post(
            &format!("/partners/{p}/groups/{g}/customers/batch"),
            &t,
            json!({"add": [c1, c2, c3], "remove": [c3]}),
        )
        .await);
    assert_eq!(total(&s).await, before + 1, "one entry for the whole batch");
    check(
        &newest(&s).await,
        entry(
            "group.members_batch",
            json!({"added": [c1, c2], "removed": [c3]}),
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_updating_and_deleting_a_customer_each_append_an_entry() {
    // Arrange
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let entry = |action: &'static str, id: i64, changes: Value| Expected {
        action,
        subject_type: "customer",
        subject_id: json!(id),
        partner_id: json!(p),
        user_id: json!(u),
        changes,
    };

    // Act + Assert: create with every field.
    let c = ok(&s
        .post(
            &format!("/partners/{p}/customers"),
            &t,
            json!({"first_name": "Anna", "last_name": "Berger",
                   "email": "anna@example.com", "phone": "+43 660 1"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    check(
        &newest(&s).await,
        entry(
            "customer.created",
            c,
            json!({"first_name": [null, "Anna"], "last_name": [null, "Berger"],
                   "email": [null, "anna@example.com"], "phone": [null, "+43 660 1"]}),
        ),
    );

    // Act + Assert: a partial update that clears the phone.
    ok(&s
        .put(
            &format!("/partners/{p}/customers/{c}"),
            &t,
            json!({"last_name": "Huber", "phone": null, "first_name": "Anna"}),
        )
        .await);
    check(
        &newest(&s).await,
        entry(
            "customer.updated",
            c,
            json!({"last_name": ["Berger", "Huber"], "phone": ["+43 660 1", null]}),
        ),
    );

    // Act + Assert: delete.
    ok(&s.delete(&format!("/partners/{p}/customers/{c}"), &t).await);
    let deleted = newest(&s).await;
    assert_eq!(deleted["action"], "customer.deleted", "{deleted}");
    assert_eq!(deleted["subject_type"], "customer");
    assert_eq!(deleted["subject_id"], c);
    assert_eq!(deleted["partner_id"], p);
    assert_eq!(deleted["user_id"], u);
    let changes = &deleted["changes"];
    assert_eq!(changes["first_name"], json!(["Anna", null]), "{deleted}");
    assert_eq!(changes["last_name"], json!(["Huber", null]), "{deleted}");
    assert_eq!(
        changes["email"],
        json!(["anna@example.com", null]),
        "{deleted}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_appends_one_entry_listing_the_customers_it_created() {
    // Arrange: one existing customer the file matches.
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let g = s.group(&t, p, "Season").await;
    let old = s
        .customer(&t, p, "Old", "One", Some("old@example.com"))
        .await;
    let before = total(&s).await;

    // Act
    let a = send(
        s.client
            .post(s.api(&format!("/partners/{p}/customers/import?group_id={g}")))
            .bearer_auth(&t)
            .header("content-type", "text/csv")
            .body("first_name,last_name,email\nX,Y,OLD@example.com\nNew,A,a@example.com\nNew,B,\n"),
    )
    .await;

    // Assert
    assert_eq!(ok(&a)["created"], 2);
    assert_eq!(
        total(&s).await,
        before + 1,
        "one entry for the whole import"
    );
    let entry = newest(&s).await;
    assert_eq!(entry["action"], "customers.imported", "{entry}");
    assert_eq!(entry["partner_id"], p);
    assert_eq!(entry["user_id"], u);
    assert_eq!(entry["subject_type"], "customer");
    let created: Vec<i64> = s
        .db()
        .prepare("SELECT id FROM customers WHERE partner_id = ?1 AND id <> ?2 ORDER BY id")
        .unwrap()
        .query_map([p, old], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(entry["changes"]["created"], json!(created), "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_user_and_changing_permissions_and_partners_append_entries() {
    // Arrange
    let s = TestServer::start().await;
    let admin = user_id_of(&s, &s.admin).await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let q = s.partner("Second hall").await;

    // Act + Assert: a partner's user creates a user.
    let new = ok(&s
        .post(
            &format!("/partners/{p}/users"),
            &t,
            json!({"email": "desk@test.local", "password": "desk-secret-1",
                   "first_name": "Front", "last_name": "Desk"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();
    let created = newest(&s).await;
    assert_eq!(created["action"], "user.created", "{created}");
    assert_eq!(created["subject_type"], "user");
    assert_eq!(created["subject_id"], new);
    assert_eq!(created["partner_id"], p);
    assert_eq!(created["user_id"], u);
    assert_eq!(
        created["changes"]["email"],
        json!([null, "desk@test.local"])
    );
    assert_eq!(created["changes"]["first_name"], json!([null, "Front"]));
    assert_eq!(created["changes"]["last_name"], json!([null, "Desk"]));

    // Act + Assert: the admin grants permissions.
    ok(&s
        .put(
            &format!("/users/{new}/permissions"),
            &s.admin,
            json!({"permissions": ["audit.read", "groups.read"]}),
        )
        .await);
    check(
        &newest(&s).await,
        Expected {
            action: "user.permissions_changed",
            subject_type: "user",
            subject_id: json!(new),
            partner_id: Value::Null,
            user_id: json!(admin),
            changes: json!({"permissions": [[], ["groups.read", "audit.read"]]}),
        },
    );

    // Act + Assert: the admin adds a partner.
    ok(&s
        .put(
            &format!("/users/{new}/partners"),
            &s.admin,
            json!({"partner_ids": [q, p]}),
        )
        .await);
    check(
        &newest(&s).await,
        Expected {
            action: "user.partners_changed",
            subject_type: "user",
            subject_id: json!(new),
            partner_id: Value::Null,
            user_id: json!(admin),
            // Partner q's trail names no other partner (p stays unsaid).
            changes: json!({"partner_ids": [[], [q]]}),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attaching_an_existing_user_to_a_partner_appends_partners_changed() {
    // Arrange
    let s = TestServer::start().await;
    let (p, _, _) = staffed(&s, "Hall", "staff@test.local").await;
    let (q, uq, tq) = staffed(&s, "Other hall", "other@test.local").await;
    let existing = ok(&s
        .post(
            &format!("/partners/{p}/users"),
            &s.admin,
            json!({"email": "shared@test.local", "password": "shared-secret-1",
                   "first_name": "Sha", "last_name": "Red"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();

    // Act
    ok(&s
        .post(
            &format!("/partners/{q}/users"),
            &tq,
            json!({"email": "SHARED@test.local", "password": "ignored-secret",
                   "first_name": "Ignored", "last_name": "Name"}),
        )
        .await);

    // Assert
    check(
        &newest(&s).await,
        Expected {
            action: "user.partners_changed",
            subject_type: "user",
            subject_id: json!(existing),
            partner_id: json!(q),
            user_id: json!(uq),
            // Partner q's trail names no other partner (p stays unsaid).
            changes: json!({"partner_ids": [[], [q]]}),
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_renaming_and_deleting_a_partner_each_append_an_entry() {
    // Arrange
    let s = TestServer::start().await;
    let admin = user_id_of(&s, &s.admin).await;
    let entry = |action: &'static str, id: i64, changes: Value| Expected {
        action,
        subject_type: "partner",
        subject_id: json!(id),
        partner_id: json!(id),
        user_id: json!(admin),
        changes,
    };

    // Act + Assert
    let p = s.partner("Pool").await;
    check(
        &newest(&s).await,
        entry("partner.created", p, json!({"name": [null, "Pool"]})),
    );
    ok(&s
        .put(
            &format!("/partners/{p}"),
            &s.admin,
            json!({"name": "Pool 2"}),
        )
        .await);
    check(
        &newest(&s).await,
        entry("partner.updated", p, json!({"name": ["Pool", "Pool 2"]})),
    );
    ok(&s.delete(&format!("/partners/{p}"), &s.admin).await);
    check(
        &newest(&s).await,
        entry("partner.deleted", p, json!({"name": ["Pool 2", null]})),
    );
    let (kept, _) = entries(&s, &s.admin, &format!("/audit?partner_id={p}")).await;
    let actions: Vec<&str> = kept.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec!["partner.deleted", "partner.updated", "partner.created"],
        "the entries outlive the partner"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_created_on_the_command_line_has_no_user_id() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let args = venue_groups::cli::UserCreateArgs {
        email: "cli@test.local".into(),
        first_name: "Com".into(),
        last_name: "Mand".into(),
        admin: false,
        permissions: vec!["groups.read".into()],
        partners: vec![p],
        password_stdin: false,
        password: Some("cli-secret-password".into()),
    };
    let db = s.db_path.clone();

    // Act
    tokio::task::spawn_blocking(move || venue_groups::commands::user_create(&db, &args))
        .await
        .unwrap()
        .unwrap();

    // Assert
    let entry = newest(&s).await;
    assert_eq!(entry["action"], "user.created", "{entry}");
    assert_eq!(entry["subject_type"], "user");
    assert_eq!(entry["user_id"], Value::Null, "{entry}");
    assert_eq!(entry["changes"]["email"], json!([null, "cli@test.local"]));
    assert!(!entry.to_string().contains("cli-secret-password"));
}

// --- No entry for failed or idempotent writes ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_that_fail_leave_no_entry() {
    // Arrange
    let s = TestServer::start().await;
    let (p, _, t) = staffed(&s, "Hall", "staff@test.local").await;
    let other = s.partner("Other").await;
    let foreign = s.customer(&s.admin, other, "For", "Eign", None).await;
    let g = s.group(&t, p, "Taken").await;
    let c = s
        .customer(&t, p, "Anna", "A", Some("anna@example.com"))
        .await;
    let etag = s
        .get(&format!("/partners/{p}/groups/{g}"), &t)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let stale = format!("\"not-{}", &etag[1..]);
    let before = total(&s).await;
    let group = format!("/partners/{p}/groups/{g}");

    // Act
    let answers = vec![
        s.post(
            &format!("/partners/{p}/groups"),
            &t,
            json!({"name": "TAKEN"}),
        )
        .await,
        send(
            s.client
                .put(s.api(&group))
                .bearer_auth(&t)
                .header("if-match", &stale)
                .json(&json!({"name": "Renamed"})),
        )
        .await,
        send(
            s.client
                .delete(s.api(&group))
                .bearer_auth(&t)
                .header("if-match", &stale),
        )
        .await,
        s.post(
            &format!("/partners/{p}/customers"),
            &t,
            json!({"first_name": "Dup", "last_name": "Licate", "email": "ANNA@example.com"}),
        )
        .await,
        s.add_member(&t, p, g, foreign).await,
        s.delete(&format!("{group}/customers/{c}"), &t).await,
        s.post(
            &format!("{group}/customers/batch"),
            &t,
            json!({"add": [c, foreign]}),
        )
        .await,
        s.delete(&format!("/partners/{p}"), &s.admin).await,
        s.put(
            &format!("/users/{}/permissions", user_id_of(&s, &t).await),
            &s.admin,
            json!({"permissions": ["groups.read", "no.such"]}),
        )
        .await,
        s.post(
            &format!("/partners/{p}/users"),
            &t,
            json!({"email": "short@test.local", "password": "short",
                   "first_name": "S", "last_name": "P"}),
        )
        .await,
    ];

    // Assert
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(
        statuses,
        vec![422, 412, 412, 422, 422, 404, 422, 409, 422, 422],
        "{:#?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    assert_eq!(total(&s).await, before, "{:#?}", newest(&s).await);
    let still = s.get(&group, &t).await;
    assert_eq!(still.body["data"]["name"], "Taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_writes_that_change_nothing_leave_no_entry() {
    // Arrange
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let g = s.group(&t, p, "Members").await;
    let c = s
        .customer(&t, p, "Anna", "A", Some("anna@example.com"))
        .await;
    ok(&s.add_member(&t, p, g, c).await);
    let group = format!("/partners/{p}/groups/{g}");
    let customer = format!("/partners/{p}/customers/{c}");
    let permissions: Vec<String> = ok(&s.get(&format!("/users/{u}"), &s.admin).await)
        ["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let before = total(&s).await;

    // Act
    let answers = vec![
        s.add_member(&t, p, g, c).await,
        s.put(&group, &t, json!({})).await,
        s.put(&group, &t, json!({"name": "Members", "description": null}))
            .await,
        s.put(&customer, &t, json!({})).await,
        s.put(
            &customer,
            &t,
            json!({"first_name": "Anna", "email": "anna@example.com"}),
        )
        .await,
        s.post(&format!("{group}/customers/batch"), &t, json!({"add": [c]}))
            .await,
        s.put(
            &format!("/users/{u}/permissions"),
            &s.admin,
            json!({ "permissions": permissions }),
        )
        .await,
        s.put(
            &format!("/users/{u}/partners"),
            &s.admin,
            json!({"partner_ids": [p]}),
        )
        .await,
        s.put(&format!("/partners/{p}"), &s.admin, json!({"name": "Hall"}))
            .await,
        s.post(
            &format!("/partners/{p}/users"),
            &t,
            json!({"email": "staff@test.local", "password": "whatever-1",
                   "first_name": "X", "last_name": "Y"}),
        )
        .await,
        send(
            s.client
                .post(s.api(&format!("/partners/{p}/customers/import")))
                .bearer_auth(&t)
                .header("content-type", "text/csv")
                .body("first_name,last_name,email\nAnna,A,anna@example.com\n"),
        )
        .await,
        send(
            s.client
                .post(s.api(&format!("/partners/{p}/customers/import?group_id={g}")))
                .bearer_auth(&t)
                .header("content-type", "text/csv")
                .body("first_name,last_name,email\nAnna,A,anna@example.com\n"),
        )
        .await,
    ];

    // Assert
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.status, StatusCode::OK, "write {i}: {}", a.text);
    }
    assert_eq!(total(&s).await, before, "{:#?}", newest(&s).await);
}

// --- Listing: filters, order, pagination ---

/// A partner with two staff users and a mix of entries; (server, partner,
/// first user's id, first user's token, second user's id, group, customer).
async fn busy() -> (TestServer, i64, i64, String, i64, i64, i64) {
    let s = TestServer::start().await;
    let (p, u1, t1) = staffed(&s, "Hall", "one@test.local").await;
    let (u2, t2) = s.user("two@test.local", ALL, &[p]).await;
    let g = s.group(&t1, p, "G1").await;
    let g2 = s.group(&t2, p, "G2").await;
    let c = s.customer(&t1, p, "Anna", "A", None).await;
    let c2 = s.customer(&t2, p, "Ben", "B", None).await;
    ok(&s.add_member(&t1, p, g, c).await);
    ok(&s.add_member(&t2, p, g2, c2).await);
    ok(&s
        .put(
            &format!("/partners/{p}/customers/{c}"),
            &t2,
            json!({"last_name": "Changed"}),
        )
        .await);
    ok(&s
        .put(
            &format!("/partners/{p}/groups/{g}"),
            &t1,
            json!({"name": "G1 renamed"}),
        )
        .await);
    (s, p, u1, t1, u2, g, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partners_entries_are_listed_newest_first() {
    // Arrange
    let (s, p, _, t1, ..) = busy().await;

    // Act
    let (list, _) = entries(&s, &t1, &format!("/partners/{p}/audit")).await;

    // Assert
    let ids: Vec<i64> = list.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert_eq!(list[0]["action"], "group.updated");
    assert_eq!(list[1]["action"], "customer.updated");
    let actions: Vec<&str> = list.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "group.created").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_the_audit_list_follow_each_other_and_links_keep_the_filters() {
    // Arrange
    let (s, p, _, t1, ..) = busy().await;
    let (all, _) = entries(&s, &t1, &format!("/partners/{p}/audit")).await;
    let groups: Vec<&Value> = all
        .iter()
        .filter(|e| e["subject_type"] == "group")
        .collect();
    assert!(groups.len() >= 3);

    // Act: walk the filtered list two at a time by its own `next` links.
    let mut seen = Vec::new();
    let mut next = Some(format!(
        "/api/internal/v1/partners/{p}/audit?subject_type=group&per_page=2"
    ));
    let mut first_meta = Value::Null;
    while let Some(link) = next {
        let a = send(s.client.get(format!("{}{link}", s.url)).bearer_auth(&t1)).await;
        assert_eq!(a.status, StatusCode::OK, "{link}: {}", a.text);
        if first_meta.is_null() {
            first_meta = a.body["meta"].clone();
        }
        seen.extend(a.body["data"].as_array().unwrap().iter().cloned());
        next = a.body["links"]["next"].as_str().map(str::to_string);
    }

    // Assert
    assert_eq!(first_meta["total"], groups.len());
    assert_eq!(first_meta["per_page"], 2);
    let seen: Vec<&Value> = seen.iter().collect();
    assert_eq!(seen, groups);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_list_filters_by_subject_type_subject_id_action_and_user_id() {
    // Arrange
    let (s, p, u1, t1, u2, g, c) = busy().await;
    let base = format!("/partners/{p}/audit");
    let (all, _) = entries(&s, &t1, &base).await;
    let expect = |keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|e| keep(e)).cloned().collect()
    };

    for (query, wanted) in [
        (
            "subject_type=customer".to_string(),
            expect(&|e| e["subject_type"] == "customer"),
        ),
        (
            format!("subject_type=group&subject_id={g}"),
            expect(&|e| e["subject_type"] == "group" && e["subject_id"] == g),
        ),
        (
            format!("subject_id={c}&subject_type=customer"),
            expect(&|e| e["subject_type"] == "customer" && e["subject_id"] == c),
        ),
        (
            "action=group.created".to_string(),
            expect(&|e| e["action"] == "group.created"),
        ),
        (format!("user_id={u2}"), expect(&|e| e["user_id"] == u2)),
        (
            format!("user_id={u1}&action=group.member_added"),
            expect(&|e| e["user_id"] == u1 && e["action"] == "group.member_added"),
        ),
        ("action=no.such.action".to_string(), vec![]),
    ] {
        // Act
        let (got, _) = entries(&s, &t1, &format!("{base}?{query}")).await;

        // Assert
        assert_eq!(got, wanted, "{query}");
    }
    // The filters select something, so the test can tell them apart.
    assert_eq!(expect(&|e| e["action"] == "group.created").len(), 2);
    assert!(expect(&|e| e["user_id"] == u2).len() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_that_are_not_positive_integers_are_422() {
    // Arrange
    let (s, p, _, t1, ..) = busy().await;

    for query in [
        "subject_id=abc",
        "user_id=-1",
        "user_id=1.5",
        "page=0",
        "per_page=101",
    ] {
        // Act
        let a = s.get(&format!("/partners/{p}/audit?{query}"), &t1).await;

        // Assert
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            a.text
        );
        assert!(a.body["errors"].is_object(), "{query}");
    }
}

// --- Who may read ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_partners_audit_needs_audit_read_and_access_to_the_partner() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("A").await;
    let q = s.partner("B").await;
    let (_, without) = s
        .user("no-audit@test.local", &all_but("audit.read"), &[p])
        .await;
    let (_, reader) = s.user("reader@test.local", &["audit.read"], &[p]).await;

    // Act
    let refused = s.get(&format!("/partners/{p}/audit"), &without).await;
    let allowed = s.get(&format!("/partners/{p}/audit"), &reader).await;
    let elsewhere = s.get(&format!("/partners/{q}/audit"), &reader).await;
    let anonymous = s
        .call(
            reqwest::Method::GET,
            &format!("/partners/{p}/audit"),
            None,
            None,
        )
        .await;

    // Assert
    expect_forbidden(&refused, "without audit.read");
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text);
    expect_forbidden(&elsewhere, "no access to partner B");
    common::expect_unauthenticated(&anonymous, "no token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admin_reads_the_audit_of_all_partners_and_can_filter_by_partner() {
    // Arrange
    let s = TestServer::start().await;
    let (a, _, ta) = staffed(&s, "A", "a@test.local").await;
    let (b, _, tb) = staffed(&s, "B", "b@test.local").await;
    s.group(&ta, a, "A group").await;
    s.group(&tb, b, "B group").await;

    // Act
    let refused = s.get("/audit", &ta).await;
    let all = all_entries(&s).await;
    let (only_b, _) = entries(&s, &s.admin, &format!("/audit?partner_id={b}")).await;

    // Assert
    expect_forbidden(&refused, "a non-admin with every permission");
    let partners: std::collections::BTreeSet<String> =
        all.iter().map(|e| e["partner_id"].to_string()).collect();
    assert!(partners.contains(&a.to_string()), "{partners:?}");
    assert!(partners.contains(&b.to_string()), "{partners:?}");
    assert!(
        partners.contains("null"),
        "changes outside a partner: {partners:?}"
    );
    assert!(!only_b.is_empty());
    assert!(only_b.iter().all(|e| e["partner_id"] == b), "{only_b:?}");
    assert_eq!(
        only_b.len(),
        all.iter().filter(|e| e["partner_id"] == b).count()
    );
    assert!(only_b.iter().any(|e| e["action"] == "group.created"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partners_user_never_sees_another_partners_entries() {
    // Arrange: both partners busy.
    let s = TestServer::start().await;
    let (a, _, ta) = staffed(&s, "A", "a@test.local").await;
    let (b, ub, tb) = staffed(&s, "B", "b@test.local").await;
    for (p, t) in [(a, &ta), (b, &tb)] {
        let g = s.group(t, p, "G").await;
        let c = s.customer(t, p, "C", "D", None).await;
        ok(&s.add_member(t, p, g, c).await);
    }
    let b_entries = entries(&s, &s.admin, &format!("/audit?partner_id={b}"))
        .await
        .0;
    assert!(b_entries.len() >= 4);

    for path in [
        format!("/partners/{a}/audit"),
        format!("/partners/{a}/audit?partner_id={b}"),
        format!("/partners/{a}/audit?user_id={ub}"),
        format!("/partners/{a}/audit?subject_type=group"),
    ] {
        // Act
        let (seen, _) = entries(&s, &ta, &path).await;

        // Assert
        assert!(!seen.is_empty() || path.contains("user_id"), "{path}");
        assert!(
            seen.iter().all(|e| e["partner_id"] == a),
            "{path}: {seen:?}"
        );
        for e in &b_entries {
            assert!(!seen.contains(e), "{path} shows B's {e}");
        }
    }
}

// --- Secrets and immutability ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_or_hash_appears_in_any_entry() {
    // Arrange: users made every way there is, each with its own password.
    let s = TestServer::start().await;
    let (p, _, t) = staffed(&s, "Hall", "staff@test.local").await;
    let passwords = [
        "first-Secret-9431",
        "second-Secret-2287",
        "third-Secret-7714",
    ];
    ok(&s
        .post(
            &format!("/partners/{p}/users"),
            &s.admin,
            json!({"email": "one@test.local", "password": passwords[0],
                   "first_name": "One", "last_name": "User"}),
        )
        .await);
    ok(&s
        .post(
            &format!("/partners/{p}/users"),
            &t,
            json!({"email": "two@test.local", "password": passwords[1],
                   "first_name": "Two", "last_name": "User"}),
        )
        .await);
    let args = venue_groups::cli::UserCreateArgs {
        email: "three@test.local".into(),
        first_name: "Three".into(),
        last_name: "User".into(),
        admin: true,
        permissions: vec![],
        partners: vec![],
        password_stdin: false,
        password: Some(passwords[2].into()),
    };
    let db = s.db_path.clone();
    tokio::task::spawn_blocking(move || venue_groups::commands::user_create(&db, &args))
        .await
        .unwrap()
        .unwrap();
    s.login("three@test.local", passwords[2]).await;

    // Act: every entry, as the admin and as the partner sees them, and raw.
    let (all, admin_text) = entries(&s, &s.admin, "/audit").await;
    let (_, partner_text) = entries(&s, &t, &format!("/partners/{p}/audit")).await;
    let raw: String = s
        .db()
        .query_row("SELECT group_concat(changes, ' ') FROM audit", [], |r| {
            r.get(0)
        })
        .unwrap();

    // Assert
    assert!(
        all.iter().filter(|e| e["action"] == "user.created").count() >= 5,
        "bootstrap admin, staff, two via the API, one via the CLI"
    );
    for text in [&admin_text, &partner_text, &raw] {
        for secret in passwords.iter().chain([&PASSWORD, &ADMIN_PASSWORD]) {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(!text.contains("$argon2"), "a hash in {text}");
        assert!(!text.to_lowercase().contains("password"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_table_refuses_updates_and_deletes_even_over_a_direct_connection() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    s.group(&s.admin, p, "Group").await;
    let before = all_entries(&s).await;
    assert!(before.len() >= 3);
    let first = before.last().unwrap()["id"].as_i64().unwrap();
    let db = s.db();

    // Act
    let update = db.execute("UPDATE audit SET action = 'forged'", []);
    let update_one = db.execute("UPDATE audit SET changes = '{}' WHERE id = ?1", [first]);
    let delete_all = db.execute("DELETE FROM audit", []);
    let delete_one = db.execute("DELETE FROM audit WHERE id = ?1", [first]);
    let upsert = db.execute(
        "INSERT INTO audit (id, partner_id, user_id, action, subject_type, subject_id, changes, created_at)
         SELECT id, partner_id, user_id, 'forged', subject_type, subject_id, '{}', created_at
         FROM audit WHERE id = ?1
         ON CONFLICT (id) DO UPDATE SET action = excluded.action",
        [first],
    );
    let replace = db.execute(
        "INSERT OR REPLACE INTO audit (id, partner_id, user_id, action, subject_type, subject_id, changes, created_at)
         VALUES (?1, NULL, NULL, 'forged', 'user', 1, '{}', '2000-01-01T00:00:00Z')",
        [first],
    );

    // Assert
    for (what, result) in [
        ("UPDATE all", update),
        ("UPDATE one", update_one),
        ("DELETE all", delete_all),
        ("DELETE one", delete_one),
        ("upsert", upsert),
        ("INSERT OR REPLACE", replace),
    ] {
        let err = result.expect_err(what);
        assert!(err.to_string().contains("append-only"), "{what}: {err}");
    }
    assert_eq!(all_entries(&s).await, before);
}
