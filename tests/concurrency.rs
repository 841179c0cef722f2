//! Many requests at once: every one gets the right answer, and the database
//! holds exactly what the successful answers say. Also: data survives a
//! restart.

mod common;

use common::{Answer, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn name_taken() -> Value {
    json!({"message": "The name has already been taken.",
           "errors": {"name": ["The name has already been taken."]}})
}

/// Runs every request at once and returns the answers in the same order.
async fn all_at_once(
    s: &Arc<TestServer>,
    token: &str,
    requests: Vec<(Method, String, Option<Value>)>,
) -> Vec<Answer> {
    let mut tasks = Vec::with_capacity(requests.len());
    for (method, path, body) in requests {
        let s = s.clone();
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            s.call(method, &path, Some(&token), body).await
        }));
    }
    let mut answers = Vec::with_capacity(tasks.len());
    for t in tasks {
        answers.push(t.await.expect("request task"));
    }
    answers
}

fn ids_of(db: &rusqlite::Connection, sql: &str, partner: i64) -> BTreeSet<i64> {
    db.prepare(sql)
        .unwrap()
        .query_map([partner], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_group_creates_all_succeed_and_are_all_listed() {
    let s = Arc::new(TestServer::start().await);
    let p = s.partner("Hall").await;
    let requests = (0..50)
        .map(|i| {
            (
                Method::POST,
                format!("/partners/{p}/groups"),
                Some(json!({"name": format!("Group {i:02}")})),
            )
        })
        .collect();

    let answers = all_at_once(&s, &s.admin, requests).await;

    let mut created = BTreeSet::new();
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.status, StatusCode::OK, "create {i}: {}", a.text);
        assert_eq!(a.body["data"]["name"], format!("Group {i:02}"));
        assert_eq!(a.body["data"]["customers_count"], 0);
        created.insert(a.body["data"]["id"].as_i64().unwrap());
    }
    assert_eq!(created.len(), 50, "distinct ids");
    let list = s
        .get(&format!("/partners/{p}/groups?per_page=100"), &s.admin)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["meta"]["total"], 50);
    let listed: Vec<i64> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(listed, sorted, "listed in id order");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_creates_of_one_name_in_different_cases_make_exactly_one_group() {
    let s = Arc::new(TestServer::start().await);
    let p = s.partner("Hall").await;
    let base = "volleyball";
    // Fifty distinct spellings: bit k of i upper-cases letter k.
    let spellings: Vec<String> = (0..50u32)
        .map(|i| {
            base.chars()
                .enumerate()
                .map(|(k, c)| {
                    if i & (1 << k) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    assert_eq!(spellings.iter().collect::<BTreeSet<_>>().len(), 50);
    let requests = spellings
        .iter()
        .map(|name| {
            (
                Method::POST,
                format!("/partners/{p}/groups"),
                Some(json!({"name": format!("  {name} ")})),
            )
        })
        .collect();

    let answers = all_at_once(&s, &s.admin, requests).await;

    let ok: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .collect();
    assert_eq!(ok.len(), 1, "exactly one create wins");
    for a in answers.iter().filter(|a| a.status != StatusCode::OK) {
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        assert_eq!(a.body, name_taken());
    }
    let winner = &ok[0].body["data"];
    assert!(spellings.contains(&winner["name"].as_str().unwrap().to_string()));
    let rows: i64 = s
        .db()
        .query_row(
            "SELECT count(*) FROM groups WHERE partner_id = ?1",
            [p],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 1);
    let list = s.get(&format!("/partners/{p}/groups"), &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    assert_eq!(list.body["data"][0]["id"], winner["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_and_tokens_survive_a_restart() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (user, token) = s
        .user(
            "staff@example.com",
            &["groups.read", "customers.read"],
            &[p],
        )
        .await;
    let g = s.group(&s.admin, p, "Members").await;
    let c = s
        .customer(&s.admin, p, "Anna", "Berger", Some("anna@example.com"))
        .await;
    assert_eq!(s.add_member(&s.admin, p, g, c).await.status, StatusCode::OK);
    let old_admin = s.admin.clone();
    let group_before = s.get(&format!("/partners/{p}/groups/{g}"), &token).await;
    let members_before = s
        .get(&format!("/partners/{p}/groups/{g}/customers"), &token)
        .await;
    let me_before = s.get("/me", &token).await;

    let dir = s.stop().await;
    let s = TestServer::start_in(dir, |_| {}).await;

    let group_after = s.get(&format!("/partners/{p}/groups/{g}"), &token).await;
    assert_eq!(group_after.status, StatusCode::OK, "{}", group_after.text);
    assert_eq!(group_after.body, group_before.body);
    assert_eq!(group_after.body["data"]["customers_count"], 1);
    assert_eq!(group_after.header("etag"), group_before.header("etag"));
    let members_after = s
        .get(&format!("/partners/{p}/groups/{g}/customers"), &token)
        .await;
    // Links are absolute and name the new port; the page itself is the same.
    assert_eq!(members_after.body["data"], members_before.body["data"]);
    assert_eq!(members_after.body["meta"], members_before.body["meta"]);
    let me_after = s.get("/me", &token).await;
    assert_eq!(me_after.status, StatusCode::OK);
    assert_eq!(me_after.body, me_before.body);
    assert_eq!(me_after.body["data"]["id"], user);
    let admin_me = s.get("/me", &old_admin).await;
    assert_eq!(admin_me.status, StatusCode::OK, "the old admin token");
    // A fresh login works too, and the first admin was not created twice.
    assert_eq!(s.get("/me", &s.admin).await.status, StatusCode::OK);
    s.login("staff@example.com", PASSWORD).await;
    let admins: i64 = s
        .db()
        .query_row("SELECT count(*) FROM users WHERE is_admin = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(admins, 1);
    s.stop().await;
}

/// What one of the mixed requests is, to check its answer.
#[derive(Debug, Clone)]
enum Op {
    /// Create group "Team k" (one of two spellings).
    CreateGroup(usize),
    /// Create customer "c{k}@x.test" (one of two spellings).
    CreateCustomer(usize),
    /// Add a customer of this partner that nobody deletes.
    AddStable(i64, i64),
    /// Add a customer that is deleted concurrently.
    AddDoomed(i64, i64),
    /// Delete a customer.
    DeleteCustomer(i64),
    /// Add another partner's customer.
    AddForeign(i64, i64),
    /// Add a customer id that does not exist.
    AddUnknown(i64, i64),
    /// Add to another partner's group through this partner's path.
    AddToForeignGroup(i64, i64),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_mixed_concurrent_writes_each_get_the_right_answer_and_the_database_matches() {
    // Arrange: partner A with 12 customers and 5 groups; partner B with 4
    // customers and a group.
    let s = Arc::new(TestServer::start().await);
    let t = s.admin.clone();
    let a = s.partner("A").await;
    let b = s.partner("B").await;
    let mut customers = Vec::new();
    for i in 0..12 {
        customers.push(s.customer(&t, a, "Cust", &format!("A{i}"), None).await);
    }
    let mut groups = Vec::new();
    for i in 0..5 {
        groups.push(s.group(&t, a, &format!("Base {i}")).await);
    }
    let mut foreign = Vec::new();
    for i in 0..4 {
        foreign.push(s.customer(&t, b, "Cust", &format!("B{i}"), None).await);
    }
    let foreign_group = s.group(&t, b, "B group").await;
    let (stable, doomed) = customers.split_at(10);

    let mut ops: Vec<Op> = Vec::new();
    for k in 0..20 {
        ops.push(Op::CreateGroup(k));
        ops.push(Op::CreateGroup(k + 100));
    }
    for k in 0..15 {
        ops.push(Op::CreateCustomer(k));
        ops.push(Op::CreateCustomer(k + 100));
    }
    for g in &groups {
        for c in stable {
            ops.push(Op::AddStable(*g, *c));
        }
    }
    for c in stable {
        ops.push(Op::AddStable(groups[0], *c)); // again: 200, no change
    }
    for g in &groups[..4] {
        for c in doomed {
            ops.push(Op::AddDoomed(*g, *c));
        }
    }
    for c in doomed {
        ops.push(Op::DeleteCustomer(*c));
    }
    for g in &groups {
        for c in &foreign {
            // Each twice.
            ops.push(Op::AddForeign(*g, *c));
            ops.push(Op::AddForeign(*g, *c));
        }
    }
    for i in 0..10 {
        ops.push(Op::AddUnknown(groups[i % 5], 900_000 + i as i64));
    }
    for c in stable {
        ops.push(Op::AddToForeignGroup(foreign_group, *c));
    }
    assert_eq!(ops.len(), 200);
    // A fixed shuffle so kinds interleave.
    let n = ops.len();
    for i in 0..n {
        ops.swap(i, (i * 7919 + 13) % n);
    }
    let requests = ops
        .iter()
        .map(|op| match op {
            Op::CreateGroup(k) => {
                let name = if *k >= 100 {
                    format!("TEAM {}", k - 100)
                } else {
                    format!("Team {k}")
                };
                (
                    Method::POST,
                    format!("/partners/{a}/groups"),
                    Some(json!({"name": name})),
                )
            }
            Op::CreateCustomer(k) => {
                let email = if *k >= 100 {
                    format!("C{}@X.TEST", k - 100)
                } else {
                    format!("c{k}@x.test")
                };
                (
                    Method::POST,
                    format!("/partners/{a}/customers"),
                    Some(json!({"first_name": "New", "last_name": format!("N{}", k % 100), "email": email})),
                )
            }
            Op::AddStable(g, c)
            | Op::AddDoomed(g, c)
            | Op::AddForeign(g, c)
            | Op::AddUnknown(g, c)
            | Op::AddToForeignGroup(g, c) => (
                Method::POST,
                format!("/partners/{a}/groups/{g}/customers"),
                Some(json!({"customer_id": c})),
            ),
            Op::DeleteCustomer(c) => (Method::DELETE, format!("/partners/{a}/customers/{c}"), None),
        })
        .collect();

    // Act
    let answers = all_at_once(&s, &t, requests).await;

    // Assert: each answer.
    let invalid_customer = json!({"message": "The selected customer id is invalid.",
                                  "errors": {"customer_id": ["The selected customer id is invalid."]}});
    let mut group_wins: BTreeMap<usize, i64> = BTreeMap::new();
    let mut customer_wins: BTreeMap<usize, i64> = BTreeMap::new();
    let mut members: BTreeSet<(i64, i64)> = BTreeSet::new();
    for (op, ans) in ops.iter().zip(&answers) {
        let ctx = format!("{op:?}: {} {}", ans.status, ans.text);
        match op {
            Op::CreateGroup(k) => match ans.status {
                StatusCode::OK => {
                    let id = ans.body["data"]["id"].as_i64().unwrap();
                    assert!(group_wins.insert(k % 100, id).is_none(), "two wins: {ctx}");
                    assert_eq!(
                        ans.body["data"]["name"].as_str().unwrap().to_lowercase(),
                        format!("team {}", k % 100)
                    );
                }
                StatusCode::UNPROCESSABLE_ENTITY => assert_eq!(ans.body, name_taken(), "{ctx}"),
                _ => panic!("{ctx}"),
            },
            Op::CreateCustomer(k) => match ans.status {
                StatusCode::OK => {
                    let id = ans.body["data"]["id"].as_i64().unwrap();
                    assert!(
                        customer_wins.insert(k % 100, id).is_none(),
                        "two wins: {ctx}"
                    );
                }
                StatusCode::UNPROCESSABLE_ENTITY => assert_eq!(
                    ans.body,
                    json!({"message": "The email has already been taken.",
                           "errors": {"email": ["The email has already been taken."]}}),
                    "{ctx}"
                ),
                _ => panic!("{ctx}"),
            },
            Op::AddStable(g, c) => {
                assert_eq!(ans.status, StatusCode::OK, "{ctx}");
                assert_eq!(ans.body["data"]["id"], *c, "{ctx}");
                assert!(ans.body["data"]["added_at"].is_string(), "{ctx}");
                members.insert((*g, *c));
            }
            Op::AddDoomed(_, c) => match ans.status {
                // Added before the delete, which then removed it.
                StatusCode::OK => assert_eq!(ans.body["data"]["id"], *c, "{ctx}"),
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert_eq!(ans.body, invalid_customer, "{ctx}")
                }
                _ => panic!("{ctx}"),
            },
            Op::DeleteCustomer(c) => {
                assert_eq!(ans.status, StatusCode::OK, "{ctx}");
                assert_eq!(ans.body["data"]["id"], *c, "{ctx}");
            }
            Op::AddForeign(..) | Op::AddUnknown(..) => {
                assert_eq!(ans.status, StatusCode::UNPROCESSABLE_ENTITY, "{ctx}");
                assert_eq!(ans.body, invalid_customer, "{ctx}");
            }
            Op::AddToForeignGroup(..) => {
                assert_eq!(ans.status, StatusCode::NOT_FOUND, "{ctx}");
                assert_eq!(ans.body, json!({"message": "Not found."}), "{ctx}");
            }
        }
    }
    assert_eq!(group_wins.len(), 20, "one win per group name");
    assert_eq!(customer_wins.len(), 15, "one win per email");
    assert_eq!(members.len(), 50);

    // Assert: the database holds exactly what the 2xx answers say.
    let db = s.db();
    let expected_groups: BTreeSet<i64> = groups
        .iter()
        .copied()
        .chain(group_wins.values().copied())
        .collect();
    assert_eq!(
        ids_of(&db, "SELECT id FROM groups WHERE partner_id = ?1", a),
        expected_groups
    );
    assert_eq!(
        ids_of(&db, "SELECT id FROM groups WHERE partner_id = ?1", b),
        [foreign_group].into_iter().collect()
    );
    let expected_customers: BTreeSet<i64> = stable
        .iter()
        .copied()
        .chain(customer_wins.values().copied())
        .collect();
    assert_eq!(
        ids_of(&db, "SELECT id FROM customers WHERE partner_id = ?1", a),
        expected_customers
    );
    assert_eq!(
        ids_of(&db, "SELECT id FROM customers WHERE partner_id = ?1", b),
        foreign.iter().copied().collect()
    );
    let stored: BTreeSet<(i64, i64)> = db
        .prepare("SELECT group_id, customer_id FROM group_customers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored, members);
    let drift: Vec<(i64, i64, i64)> = db
        .prepare(
            "SELECT g.id, g.customers_count,
                    (SELECT count(*) FROM group_customers m WHERE m.group_id = g.id)
             FROM groups g WHERE g.customers_count IS NOT
                    (SELECT count(*) FROM group_customers m WHERE m.group_id = g.id)",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(drift, vec![], "customers_count is exact");
    for g in &groups {
        let shown = s.get(&format!("/partners/{a}/groups/{g}"), &t).await;
        assert_eq!(shown.body["data"]["customers_count"], 10);
        let listed = s
            .get(
                &format!("/partners/{a}/groups/{g}/customers?per_page=100"),
                &t,
            )
            .await;
        assert_eq!(listed.body["meta"]["total"], 10);
    }
}
