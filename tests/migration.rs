//! A database file written by an older release (schema version 1, before
//! the audit trail) is brought to the current schema on start, keeps every
//! row, and takes audited writes afterwards.

mod common;

use common::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use reqwest::StatusCode;
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The schema as this build has it.
const SCHEMA: &str = include_str!("../schema.sql");

/// The schema text before the line `-- version: {next}` (the statements of
/// every version below `next`). Panics if there is no such line.
fn schema_before(next: i64) -> String {
    let marker = format!("-- version: {next}");
    let mut out = String::new();
    for line in SCHEMA.lines() {
        if line.trim_end() == marker {
            return out;
        }
        out.push_str(line);
        out.push('\n');
    }
    panic!("schema.sql has no line {marker:?}");
}

/// The highest `-- version: N` in schema.sql.
fn latest_version() -> i64 {
    SCHEMA
        .lines()
        .filter_map(|l| l.strip_prefix("-- version: "))
        .map(|v| v.trim().parse::<i64>().expect("a version number"))
        .max()
        .expect("schema.sql has versions")
}

fn user_version(c: &Connection) -> i64 {
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn schema_object_exists(c: &Connection, kind: &str, name: &str) -> bool {
    c.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name = ?2",
        params![kind, name],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        == 1
}

const T0: &str = "2025-03-01T09:00:00Z";
const T1: &str = "2025-03-02T10:30:00Z";

/// What the old file holds.
struct Old {
    path: PathBuf,
    partner: i64,
    staff: i64,
    group: i64,
    /// Anna (member), Zoë (not a member), Carl (member).
    customers: [i64; 3],
}

/// Writes a database file as a release at schema `version` would have: only
/// the versions up to it, `user_version` set, and rows inserted the way
/// that release did (the triggers keep the counters).
fn old_file(dir: &Path, version: i64) -> Old {
    let path = dir.join("venue-groups.db");
    let c = Connection::open(&path).unwrap();
    c.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    c.execute_batch(&schema_before(version + 1)).unwrap();
    c.pragma_update(None, "user_version", version).unwrap();

    c.execute(
        "INSERT INTO partners (name, created_at, updated_at) VALUES ('Old Hall', ?1, ?2)",
        [T0, T1],
    )
    .unwrap();
    let partner = c.last_insert_rowid();
    let user = |email: &str, password: &str, first: &str, last: &str, admin: bool| -> i64 {
        c.execute(
            "INSERT INTO users (email, email_key, password_hash, first_name, last_name, is_admin,
                                search_key, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                email,
                email.to_lowercase(),
                venue_groups::secrets::hash_password(password),
                first,
                last,
                admin,
                format!(
                    "{}\n{}\n{}",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    email.to_lowercase()
                ),
                T0
            ],
        )
        .unwrap();
        c.last_insert_rowid()
    };
    user(ADMIN_EMAIL, ADMIN_PASSWORD, "Old", "Admin", true);
    let staff = user("Staff@Old.local", PASSWORD, "Stef", "Staff", false);
    for p in [
        "groups.read",
        "groups.update",
        "customers.read",
        "customers.update",
        "audit.read",
    ] {
        c.execute(
            "INSERT INTO user_permissions (user_id, permission) VALUES (?1, ?2)",
            params![staff, p],
        )
        .unwrap();
    }
    c.execute(
        "INSERT INTO partner_users (user_id, partner_id) VALUES (?1, ?2)",
        [staff, partner],
    )
    .unwrap();

    c.execute(
        "INSERT INTO groups (partner_id, name, name_key, description, created_at, updated_at)
         VALUES (?1, 'Seniors', 'seniors', 'Over 60', ?2, ?2)",
        params![partner, T0],
    )
    .unwrap();
    let group = c.last_insert_rowid();
    let mut customers = [0i64; 3];
    for (i, (first, last, email, phone)) in [
        (
            "Anna",
            "Berger",
            Some("anna@example.com"),
            Some("+43 1 5550100"),
        ),
        ("Zoë", "Ørsted", None, None),
        ("Carl", "Dunn", Some("Carl@Example.com"), None),
    ]
    .into_iter()
    .enumerate()
    {
        c.execute(
            "INSERT INTO customers (partner_id, first_name, last_name, email, email_key, phone,
                                    search_key, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                partner,
                first,
                last,
                email,
                email.map(str::to_lowercase),
                phone,
                format!(
                    "{}\n{}\n{}",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    email.map(str::to_lowercase).unwrap_or_default()
                ),
                T0
            ],
        )
        .unwrap();
        customers[i] = c.last_insert_rowid();
    }
    for customer in [customers[0], customers[2]] {
        c.execute(
            "INSERT INTO group_customers (group_id, customer_id, added_at) VALUES (?1, ?2, ?3)",
            params![group, customer, T1],
        )
        .unwrap();
    }
    drop(c);
    Old {
        path,
        partner,
        staff,
        group,
        customers,
    }
}

fn ok(a: &common::Answer) -> &Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    &a.body["data"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_file_is_migrated_to_the_latest_schema_on_start() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 1);
    {
        let c = Connection::open(&old.path).unwrap();
        assert_eq!(user_version(&c), 1);
        assert!(!schema_object_exists(&c, "table", "audit"));
    }

    // Act
    let s = TestServer::start_in(dir, |_| {}).await;

    // Assert
    let c = s.db();
    assert_eq!(user_version(&c), latest_version());
    assert_eq!(latest_version(), venue_groups::db::migrations::latest());
    assert!(latest_version() >= 2);
    assert!(schema_object_exists(&c, "table", "audit"));
    for trigger in ["audit_no_update", "audit_no_delete"] {
        assert!(schema_object_exists(&c, "trigger", trigger), "{trigger}");
    }
    let entries: i64 = c
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(entries, 0, "no entries are made up for old rows");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_old_row_is_still_there_through_the_api() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 1);
    let (p, g, [anna, zoe, carl]) = (old.partner, old.group, old.customers);

    // Act
    let s = TestServer::start_in(dir, |_| {}).await;
    let staff = s.login("staff@old.local", PASSWORD).await;

    // Assert: the partner, with its timestamps.
    assert_eq!(
        ok(&s.get(&format!("/partners/{p}"), &s.admin).await),
        &json!({"id": p, "name": "Old Hall", "created_at": T0, "updated_at": T1})
    );
    // The staff user, its permissions and partner.
    let me = ok(&s.get("/me", &staff).await).clone();
    assert_eq!(me["id"], old.staff);
    assert_eq!(me["email"], "Staff@Old.local");
    assert_eq!(me["is_admin"], false);
    assert_eq!(
        me["permissions"],
        json!([
            "groups.read",
            "groups.update",
            "customers.read",
            "customers.update",
            "audit.read"
        ])
    );
    assert_eq!(me["partner_ids"], json!([p]));
    // The group with its exact count.
    let groups = s.get(&format!("/partners/{p}/groups"), &staff).await;
    assert_eq!(groups.body["meta"]["total"], 1, "{}", groups.text);
    assert_eq!(
        groups.body["data"][0],
        json!({"id": g, "partner_id": p, "name": "Seniors", "description": "Over 60",
               "customers_count": 2, "created_at": T0, "updated_at": T0})
    );
    // The members, in id order, with when they were added.
    let members = s
        .get(&format!("/partners/{p}/groups/{g}/customers"), &staff)
        .await;
    assert_eq!(members.body["meta"]["total"], 2);
    let listed: Vec<(Value, Value)> = members.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].clone(), m["added_at"].clone()))
        .collect();
    assert_eq!(
        listed,
        vec![(json!(anna), json!(T1)), (json!(carl), json!(T1))]
    );
    // Every customer, and the search over the old search keys.
    let customers = s.get(&format!("/partners/{p}/customers"), &staff).await;
    assert_eq!(customers.body["meta"]["total"], 3);
    assert_eq!(
        customers.body["data"][0],
        json!({"id": anna, "partner_id": p, "first_name": "Anna", "last_name": "Berger",
               "email": "anna@example.com", "phone": "+43 1 5550100",
               "created_at": T0, "updated_at": T0})
    );
    assert_eq!(customers.body["data"][1]["first_name"], "Zoë");
    let found = s
        .get(
            &format!("/partners/{p}/customers?search=%C3%98RSTED"),
            &staff,
        )
        .await;
    assert_eq!(found.body["meta"]["total"], 1, "{}", found.text);
    assert_eq!(found.body["data"][0]["id"], zoe);
    // The export sees the old memberships.
    let export = common::send(
        s.client
            .get(s.api(&format!("/partners/{p}/groups/{g}/customers/export")))
            .bearer_auth(&staff),
    )
    .await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.text.lines().count(), 3, "{}", export.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_after_the_migration_are_audited() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 1);
    let (p, g, [_, zoe, carl]) = (old.partner, old.group, old.customers);
    let s = TestServer::start_in(dir, |_| {}).await;
    let staff = s.login("staff@old.local", PASSWORD).await;

    // Act
    ok(&s.add_member(&staff, p, g, zoe).await);
    ok(&s
        .put(
            &format!("/partners/{p}/customers/{carl}"),
            &staff,
            json!({"phone": "+43 660 7"}),
        )
        .await);
    let new_group = ok(&s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "Juniors", "description": "U12"}),
        )
        .await)["id"]
        .as_i64()
        .unwrap();

    // Assert
    let a = s.get(&format!("/partners/{p}/audit"), &staff).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 3, "{}", a.text);
    let admin = common::user_id_of(&s, &s.admin).await;
    let got: Vec<(Value, Value, Value, Value)> = a.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].clone(),
                e["subject_id"].clone(),
                e["user_id"].clone(),
                e["changes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                json!("group.created"),
                json!(new_group),
                json!(admin),
                json!({"name": [null, "Juniors"], "description": [null, "U12"]})
            ),
            (
                json!("customer.updated"),
                json!(carl),
                json!(old.staff),
                json!({"phone": [null, "+43 660 7"]})
            ),
            (
                json!("group.member_added"),
                json!(g),
                json!(old.staff),
                json!({"customer_id": [null, zoe]})
            ),
        ]
    );
    let count =
        ok(&s.get(&format!("/partners/{p}/groups/{g}"), &staff).await)["customers_count"].clone();
    assert_eq!(count, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_a_migrated_file_changes_nothing() {
    // Arrange: migrate, write once, stop.
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 1);
    let s = TestServer::start_in(dir, |_| {}).await;
    ok(&s
        .add_member(&s.admin, old.partner, old.group, old.customers[1])
        .await);
    let entries_before = s.get("/audit", &s.admin).await.body;
    let dir = s.stop().await;

    // Act
    let s = TestServer::start_in(dir, |_| {}).await;

    // Assert
    assert_eq!(user_version(&s.db()), latest_version());
    // The links are absolute and name the new port; the entries are the same.
    let entries_after = s.get("/audit", &s.admin).await.body;
    assert_eq!(entries_after["data"], entries_before["data"]);
    assert_eq!(entries_after["meta"], entries_before["meta"]);
    let g = ok(&s
        .get(
            &format!("/partners/{}/groups/{}", old.partner, old.group),
            &s.admin,
        )
        .await)
    .clone();
    assert_eq!(g["customers_count"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_2_file_keeps_its_audit_entries_and_gets_the_later_versions() {
    // Arrange: a version-2 file with one entry in its trail.
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 2);
    {
        let c = Connection::open(&old.path).unwrap();
        c.execute(
            "INSERT INTO audit (partner_id, user_id, action, subject_type, subject_id, changes, created_at)
             VALUES (?1, ?2, 'group.created', 'group', ?3, '{\"name\":[null,\"Seniors\"]}', ?4)",
            params![old.partner, old.staff, old.group, T0],
        )
        .unwrap();
    }

    // Act
    let s = TestServer::start_in(dir, |_| {}).await;

    // Assert
    let c = s.db();
    assert_eq!(user_version(&c), latest_version());
    let a = s
        .get(&format!("/partners/{}/audit", old.partner), &s.admin)
        .await;
    assert_eq!(a.body["meta"]["total"], 1, "{}", a.text);
    assert_eq!(
        a.body["data"][0]["changes"],
        json!({"name": [null, "Seniors"]})
    );
    assert_eq!(a.body["data"][0]["created_at"], T0);
    // The trail is append-only after the migration, REPLACE included.
    let id = a.body["data"][0]["id"].as_i64().unwrap();
    assert!(c
        .execute("UPDATE audit SET action = 'forged' WHERE id = ?1", [id])
        .is_err());
    assert!(c
        .execute(
            "INSERT OR REPLACE INTO audit (id, action, subject_type, changes, created_at)
             VALUES (?1, 'forged', 'group', '{}', ?2)",
            params![id, T0],
        )
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_that_fails_leaves_the_file_at_its_old_version() {
    // Arrange: a version-1 file where something already took the name
    // `audit`, so version 2 cannot be applied.
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 1);
    Connection::open(&old.path)
        .unwrap()
        .execute_batch("CREATE TABLE audit (note TEXT);")
        .unwrap();

    // Act
    let opened = venue_groups::db::open(&old.path);

    // Assert
    let err = opened.err().expect("the migration must fail");
    assert!(err.contains("version 2"), "{err}");
    let c = Connection::open(&old.path).unwrap();
    assert_eq!(user_version(&c), 1);
    assert!(!schema_object_exists(&c, "index", "audit_by_partner"));
    assert!(!schema_object_exists(&c, "trigger", "audit_no_update"));
    let customers: i64 = c
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(customers, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_from_a_newer_release_is_refused_untouched() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 1);
    let newer = latest_version() + 1;
    Connection::open(&old.path)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();

    // Act
    let opened = venue_groups::db::open(&old.path);

    // Assert
    let err = opened.err().expect("a newer file must be refused");
    assert!(err.contains("newer"), "{err}");
    let c = Connection::open(&old.path).unwrap();
    assert_eq!(user_version(&c), newer);
    assert!(!schema_object_exists(&c, "table", "audit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_3_file_keeps_every_id_and_never_reuses_one_after_migrating() {
    // Arrange: a file as version 3 wrote it (no AUTOINCREMENT).
    let dir = tempfile::tempdir().unwrap();
    let old = old_file(dir.path(), 3);
    let (p, g, [anna, _, carl]) = (old.partner, old.group, old.customers);

    // Act
    let s = TestServer::start_in(dir, |_| {}).await;
    let staff = s.login("staff@old.local", PASSWORD).await;

    // Assert: the same ids, memberships and counters.
    let members = s
        .get(&format!("/partners/{p}/groups/{g}/customers"), &staff)
        .await;
    let ids: Vec<i64> = ok(&members)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![anna, carl]);
    assert_eq!(
        ok(&s.get(&format!("/partners/{p}/groups/{g}"), &staff).await)["customers_count"],
        2
    );
    let c = s.db();
    for table in ["partners", "users", "customers", "groups"] {
        let sql: String = c
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("AUTOINCREMENT"), "{table}: {sql}");
    }
    assert_eq!(
        c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r
            .get::<_, i64>(
            0
        ))
        .unwrap(),
        0
    );

    // The newest customer and group deleted: their ids are not given again.
    let a = s
        .delete(&format!("/partners/{p}/customers/{carl}"), &s.admin)
        .await;
    ok(&a);
    let next = s.customer(&s.admin, p, "Dora", "New", None).await;
    assert!(next > carl, "customer id {carl} given again as {next}");
    ok(&s
        .delete(&format!("/partners/{p}/groups/{g}"), &s.admin)
        .await);
    let next = s.group(&s.admin, p, "Juniors").await;
    assert!(next > g, "group id {g} given again as {next}");

    // Foreign keys hold after the rebuild: a partner with rows is 409.
    let a = s.delete(&format!("/partners/{p}"), &s.admin).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
}
