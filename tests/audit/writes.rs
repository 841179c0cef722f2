//! An entry for every kind of write.

use super::*;

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
            changes: json!({"partner_ids": [[p], [p, q]]}),
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
