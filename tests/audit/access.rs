//! Who may read; secrets and immutability.

use super::*;

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
