//! `demo --scale` with sizes, as a sandbox or the benchmark uses it: the
//! binary fills the file in bulk, and the server then answers with exactly
//! the counts, members and search results the API would have made.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");

/// Runs `venue-groups --db DB demo ARGS...`; returns its stdout.
async fn demo(db: &Path, args: &[&str]) -> String {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).arg("demo").args(args);
    c.env("VENUE_GROUPS_DEMO_PASSWORD", "demo-password");
    let out = tokio::task::spawn_blocking(move || c.output().expect("run demo"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A server on a file the demo filled: started once first (so the file
/// has its schema and the test admin, and no partner), then again after.
async fn server_after_demo(args: &[&str]) -> (TestServer, String) {
    let first = TestServer::start().await;
    let db = first.db_path.clone();
    let dir = first.stop().await;
    let stdout = demo(&db, args).await;
    (TestServer::start_in(dir, |_| {}).await, stdout)
}

/// Every row of a list, page by page.
async fn all(s: &TestServer, list: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for page in 1.. {
        let a = s
            .get(&format!("{list}?per_page=100&page={page}"), &s.admin)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{list}: {}", a.text);
        let data = a.body["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        rows.extend(data.iter().cloned());
    }
    rows
}

async fn total(s: &TestServer, path: &str) -> i64 {
    let a = s.get(path, &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_give_exactly_those_customers_groups_and_memberships() {
    let (s, stdout) = server_after_demo(&[
        "--customers",
        "3000",
        "--groups",
        "30",
        "--memberships",
        "12000",
    ])
    .await;

    assert!(
        stdout.contains("3000 customers, 30 groups, 12000 memberships"),
        "{stdout}"
    );
    assert_eq!(total(&s, "/partners/1/customers").await, 3000);
    let groups = all(&s, "/partners/1/groups").await;
    assert_eq!(groups.len(), 30);
    assert_eq!(total(&s, "/partners/1/groups").await, 30);
    let counts: HashMap<i64, i64> = groups
        .iter()
        .map(|g| {
            (
                g["id"].as_i64().unwrap(),
                g["customers_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts.values().sum::<i64>(), 12000, "{counts:?}");
    // The first group holds every customer (fewer than 100,000); the other
    // 29 share the remaining 9,000 evenly.
    let first = *counts.keys().min().unwrap();
    assert_eq!(counts[&first], 3000);
    for (id, n) in &counts {
        if *id != first {
            assert!((310..=311).contains(n), "group {id} has {n}");
        }
    }
    // The kept counts agree with the members the lists walk, and a page
    // deep in the large group (through its member blocks) is full.
    for id in [first, first + 1, first + 29] {
        let members = all(&s, &format!("/partners/1/groups/{id}/customers")).await;
        assert_eq!(members.len() as i64, counts[&id], "group {id}");
        // Pages that start inside a block of 1024 customer ids (page 11 at
        // offset 1,000, ...) neither repeat nor skip a member.
        let walked: Vec<i64> = members.iter().map(|m| m["id"].as_i64().unwrap()).collect();
        let stored: Vec<i64> = s
            .db()
            .prepare(
                "SELECT customer_id FROM group_customers WHERE group_id = ?1 ORDER BY customer_id",
            )
            .unwrap()
            .query_map([id], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(walked, stored, "group {id}");
    }
    let a = s
        .get(
            &format!("/partners/1/groups/{first}/customers?page=30&per_page=100"),
            &s.admin,
        )
        .await;
    assert_eq!(a.body["data"].as_array().unwrap().len(), 100, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_filled_search_index_finds_what_a_scan_finds() {
    let (s, _) = server_after_demo(&["--customers", "2000", "--groups", "3"]).await;
    let customers = all(&s, "/partners/1/customers").await;
    assert_eq!(customers.len(), 2000);
    let field = |c: &Value, f: &str| c[f].as_str().unwrap_or("").to_lowercase();
    // Words from real rows: a first name, a surname, both, a fragment of
    // an email and a word under 3 characters.
    let c = &customers[1234];
    let (first, last) = (field(c, "first_name"), field(c, "last_name"));
    let email = field(c, "email");
    let fragment: String = last.chars().skip(1).take(4).collect();
    let short: String = first.chars().take(2).collect();
    let searches = [
        first.clone(),
        last.clone(),
        format!("{first} {last}"),
        format!("{} {}", last.to_ascii_uppercase(), first),
        fragment,
        email[..email.find('@').unwrap()].to_string(),
        short,
    ];
    for search in searches {
        let expected = customers
            .iter()
            .filter(|c| {
                search.split_whitespace().all(|w| {
                    let w = w.to_lowercase();
                    ["first_name", "last_name", "email"]
                        .iter()
                        .any(|f| field(c, f).contains(&w))
                })
            })
            .count() as i64;
        assert!(expected >= 1, "{search}");
        let encoded: String = form_encode(&search);
        assert_eq!(
            total(&s, &format!("/partners/1/customers?search={encoded}")).await,
            expected,
            "search {search:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberships_past_what_the_groups_can_hold_are_capped_and_said() {
    let (s, stdout) =
        server_after_demo(&["--customers", "10", "--groups", "2", "--memberships", "100"]).await;
    // Each group holds each of the 10 customers once.
    assert!(
        stdout.contains("10 customers, 2 groups, 20 memberships"),
        "{stdout}"
    );
    let groups = all(&s, "/partners/1/groups").await;
    let counts: Vec<i64> = groups
        .iter()
        .map(|g| g["customers_count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [10, 10]);
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
