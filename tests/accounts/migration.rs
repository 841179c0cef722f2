//! A file at the schema version before accounts could be disabled (5) is
//! migrated on start and keeps its users, who log in as before.

use crate::common::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use crate::{login_status, ok};
use reqwest::StatusCode;
use rusqlite::{params, Connection};
use serde_json::json;

const SCHEMA: &str = include_str!("../../schema.sql");

/// Every statement of the versions below `next`.
fn schema_before(next: i64) -> String {
    let marker = format!("-- version: {next}");
    let end = SCHEMA
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker:?}"));
    SCHEMA[..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_5_file_keeps_its_users_who_are_all_enabled() {
    // Arrange: an admin and a staff user as version 5 stored them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("venue-groups.db");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(&schema_before(6)).unwrap();
        c.pragma_update(None, "user_version", 5).unwrap();
        for (email, password, admin) in [
            (ADMIN_EMAIL, ADMIN_PASSWORD, true),
            ("staff@old.example", PASSWORD, false),
        ] {
            c.execute(
                "INSERT INTO users (email, email_key, password_hash, first_name, last_name, is_admin,
                                    search_key, created_at, updated_at)
                 VALUES (?1, ?1, ?2, 'Old', 'User', ?3, ?4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                params![email, venue_groups::secrets::hash_password(password), admin, format!("old\nuser\n{email}")],
            )
            .unwrap();
        }
    }

    // Act
    let s = TestServer::start_in(dir, |_| {}).await;

    // Assert: the latest version; everyone enabled and logging in.
    let version: i64 = s
        .db()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, venue_groups::db::migrations::latest());
    assert!(version >= 6);
    let staff = s.login("staff@old.example", PASSWORD).await;
    let me = s.get("/me", &staff).await;
    assert_eq!(ok(&me)["disabled"], false);
    let id = ok(&me)["id"].as_i64().unwrap();
    let users: i64 = s
        .db()
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 2, "no admin was made up: the old one is there");

    // And the new columns work on the old rows.
    ok(&s
        .put(&format!("/users/{id}"), &s.admin, json!({"disabled": true}))
        .await);
    assert_eq!(
        login_status(&s, "staff@old.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
}
