//! Crash safety of the built binary: writes from several clients, a
//! SIGKILL at a random moment, a restart on the same file, and a check that
//! every acknowledged write is there, nothing is half-written and every
//! kept counter is exact. Also: a backup taken while writes go on holds
//! every write acknowledged before it started.
//!
//! The moments are random (a xorshift seeded from the clock); the seed is
//! printed, and `CRASH_SEED=<n>` replays a run.

mod backup;
mod sigkill;

use reqwest::StatusCode;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");
const ADMIN: &str = "crash@venue.test";
const ADMIN_PASSWORD: &str = "crash-password-1";
/// Kill-and-restart cycles per run.
const CYCLES: usize = 32;
/// Concurrent clients, each with its own groups.
const CLIENTS: usize = 6;
/// Customers the clients add to and remove from their groups.
const CUSTOMERS: usize = 12;
/// Longest any one step may take.
const PATIENCE: Duration = Duration::from_secs(30);

/// Every variable the binary reads, so the caller's environment cannot leak in.
const ENV: &[&str] = &[
    "VENUE_GROUPS_DB",
    "VENUE_GROUPS_ADDR",
    "VENUE_GROUPS_TOKEN_TTL",
    "VENUE_GROUPS_ADMIN_EMAIL",
    "VENUE_GROUPS_ADMIN_PASSWORD",
    "VENUE_GROUPS_CORS_ORIGIN",
    "VENUE_GROUPS_LOG",
    "VENUE_GROUPS_PASSWORD",
    "VENUE_GROUPS_DEMO_PASSWORD",
];

/// xorshift64*: small, good enough to pick moments and operations.
struct Rng(u64);

impl Rng {
    /// Seeded from `CRASH_SEED` or the clock; returns the seed too.
    fn from_env_or_clock() -> (Rng, u64) {
        let seed = std::env::var("CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            })
            .max(1);
        (Rng(seed), seed)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A new generator for a task, derived from this one.
    fn fork(&mut self) -> Rng {
        Rng(self.next() | 1)
    }
}

/// The binary serving a database file, its stderr drained by a thread.
struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `venue-groups --db DB --addr 127.0.0.1:0` and waits for its
    /// "listening on" line.
    fn start(db: &Path) -> Server {
        let mut c = Command::new(BIN);
        for v in ENV {
            c.env_remove(v);
        }
        let mut child = c
            .arg("--db")
            .arg(db)
            .args(["--addr", "127.0.0.1:0"])
            .env("VENUE_GROUPS_ADMIN_EMAIL", ADMIN)
            .env("VENUE_GROUPS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let log = log.clone();
            std::thread::spawn(move || {
                // Keeps reading to the end, so the server never blocks on a
                // full pipe.
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(addr) = line.split("listening on http://").nth(1) {
                        let _ = tx.send(addr.split_whitespace().next().unwrap_or("").to_string());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let addr = tokio::task::block_in_place(|| rx.recv_timeout(PATIENCE));
        let mut server = Server {
            child,
            url: String::new(),
            log,
        };
        match addr {
            Ok(addr) => server.url = format!("http://{addr}"),
            Err(e) => {
                let _ = server.child.kill();
                let _ = server.child.wait();
                panic!("the server did not come up ({e:?}): {}", server.log_text());
            }
        }
        server
    }

    fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/internal/v1{path}", self.url)
    }

    /// SIGKILL: no shutdown, no checkpoint, requests cut off mid-way.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    /// SIGTERM and a clean exit.
    fn terminate(&mut self) {
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "exit {status}: {}", self.log_text());
                return;
            }
            assert!(Instant::now() < deadline, "no exit: {}", self.log_text());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Asserts that nothing in the log is a panic.
    fn assert_no_panic(&self) {
        let log = self.log_text();
        assert!(!log.contains("panicked"), "{log}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed test must not leave its server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .unwrap()
}

/// Sends a request; `None` when no answer came (the server died).
async fn send(req: reqwest::RequestBuilder) -> Option<(StatusCode, Value)> {
    let r = req.send().await.ok()?;
    let status = r.status();
    let text = r.text().await.ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// A request that must be answered 200 (setup, with the server up).
async fn must(req: reqwest::RequestBuilder, what: &str) -> Value {
    let (status, body) = send(req)
        .await
        .unwrap_or_else(|| panic!("{what}: no answer"));
    assert_eq!(status, StatusCode::OK, "{what}: {body}");
    body
}

/// A write that was sent but not answered before the kill: it may or may
/// not have happened.
#[derive(Debug, Clone)]
enum Doubt {
    Create(String),
    Member { group: i64, customer: i64 },
}

/// What one client knows: its own groups (no other client touches them),
/// so its operations on a pair are sequential and the last acknowledged one
/// decides the pair's state, unless a later one is in doubt.
#[derive(Debug, Default)]
struct Client {
    index: usize,
    /// Next group name number.
    next_name: usize,
    /// Acknowledged creates: name → id.
    created: HashMap<String, i64>,
    /// Every group of this client known to exist (acknowledged, or found
    /// after a restart).
    groups: Vec<i64>,
    /// Membership of (group, customer) as acknowledged; absent = not a member.
    members: BTreeSet<(i64, i64)>,
    /// The write in flight when the server died, if any.
    doubt: Option<Doubt>,
    /// Acknowledged writes, all cycles.
    acked: usize,
}

/// Everything a client task needs to reach the server.
#[derive(Clone)]
struct Target {
    http: reqwest::Client,
    base: String,
    token: String,
    partner: i64,
    customers: Arc<Vec<i64>>,
}

/// Writes until the server stops answering; an answer that is not the one
/// the model predicts fails the test.
async fn drive(mut me: Client, target: Target, mut rng: Rng) -> Result<Client, String> {
    let groups_url = format!("{}/partners/{}/groups", target.base, target.partner);
    loop {
        if me.groups.is_empty() || rng.below(4) == 0 {
            let name = format!("c{}-g{}", me.index, me.next_name);
            me.next_name += 1;
            me.doubt = Some(Doubt::Create(name.clone()));
            let req = target
                .http
                .post(&groups_url)
                .bearer_auth(&target.token)
                .json(&json!({ "name": name }));
            let Some((status, body)) = send(req).await else {
                return Ok(me);
            };
            if status != StatusCode::OK || body["data"]["name"] != name.as_str() {
                return Err(format!("create {name}: {status} {body}"));
            }
            let id = body["data"]["id"].as_i64().ok_or("no id")?;
            me.created.insert(name, id);
            me.groups.push(id);
        } else {
            let group = me.groups[rng.below(me.groups.len() as u64) as usize];
            let customer = target.customers[rng.below(target.customers.len() as u64) as usize];
            let add = !me.members.contains(&(group, customer));
            me.doubt = Some(Doubt::Member { group, customer });
            let req = if add {
                target
                    .http
                    .post(format!("{groups_url}/{group}/customers"))
                    .json(&json!({ "customer_id": customer }))
            } else {
                target
                    .http
                    .delete(format!("{groups_url}/{group}/customers/{customer}"))
            };
            let Some((status, body)) = send(req.bearer_auth(&target.token)).await else {
                return Ok(me);
            };
            if status != StatusCode::OK || body["data"]["id"] != customer {
                return Err(format!(
                    "{} customer {customer} in group {group}: {status} {body}",
                    if add { "add" } else { "remove" }
                ));
            }
            if add {
                me.members.insert((group, customer));
            } else {
                me.members.remove(&(group, customer));
            }
        }
        me.doubt = None;
        me.acked += 1;
    }
}

fn open_read_only(db: &Path) -> Connection {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database");
    c.busy_timeout(PATIENCE).unwrap();
    c
}

fn count(c: &Connection, sql: &str, params: impl rusqlite::Params) -> i64 {
    c.query_row(sql, params, |r| r.get(0)).unwrap()
}

/// The file is sound and every kept counter agrees with the rows it counts.
fn check_file(c: &Connection, when: &str) {
    let check: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(check, vec!["ok".to_string()], "{when}: integrity_check");
    let fk = count(c, "SELECT count(*) FROM pragma_foreign_key_check", []);
    assert_eq!(fk, 0, "{when}: foreign_key_check");
    let groups: Vec<(i64, i64)> = c
        .prepare("SELECT id, customers_count FROM groups ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, kept) in groups {
        let real = count(
            c,
            "SELECT count(*) FROM group_customers WHERE group_id = ?1",
            [id],
        );
        assert_eq!(kept, real, "{when}: customers_count of group {id}");
        let blocks = count(
            c,
            "SELECT coalesce(sum(members), 0) FROM group_customer_blocks WHERE group_id = ?1",
            [id],
        );
        assert_eq!(blocks, real, "{when}: member blocks of group {id}");
    }
    let partners: Vec<(i64, i64, i64)> = c
        .prepare("SELECT id, groups_count, customers_count FROM partners")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, groups_count, customers_count) in partners {
        let real = count(c, "SELECT count(*) FROM groups WHERE partner_id = ?1", [id]);
        assert_eq!(groups_count, real, "{when}: groups_count of partner {id}");
        let real = count(
            c,
            "SELECT count(*) FROM customers WHERE partner_id = ?1",
            [id],
        );
        assert_eq!(
            customers_count, real,
            "{when}: customers_count of partner {id}"
        );
    }
}

/// After a restart: settles each client's write in doubt by what the file
/// holds, then checks that the file holds exactly what was acknowledged.
fn check_clients(c: &Connection, clients: &mut [Client], partner: i64, when: &str) {
    for me in clients.iter_mut() {
        match me.doubt.take() {
            None => {}
            Some(Doubt::Create(name)) => {
                let id: Option<i64> = c
                    .query_row(
                        "SELECT id FROM groups WHERE partner_id = ?1 AND name = ?2",
                        rusqlite::params![partner, name],
                        |r| r.get(0),
                    )
                    .optional()
                    .unwrap();
                // Made or not, either is right; if made, it is the client's.
                if let Some(id) = id {
                    me.groups.push(id);
                }
            }
            Some(Doubt::Member { group, customer }) => {
                let there = count(
                    c,
                    "SELECT count(*) FROM group_customers WHERE group_id = ?1 AND customer_id = ?2",
                    [group, customer],
                ) == 1;
                if there {
                    me.members.insert((group, customer));
                } else {
                    me.members.remove(&(group, customer));
                }
            }
        }
        for (name, id) in &me.created {
            let found: Option<i64> = c
                .query_row(
                    "SELECT id FROM groups WHERE partner_id = ?1 AND name = ?2",
                    rusqlite::params![partner, name],
                    |r| r.get(0),
                )
                .optional()
                .unwrap();
            assert_eq!(
                found,
                Some(*id),
                "{when}: the acknowledged group {name} is lost"
            );
        }
        for group in &me.groups {
            let actual: BTreeSet<(i64, i64)> = c
                .prepare("SELECT group_id, customer_id FROM group_customers WHERE group_id = ?1")
                .unwrap()
                .query_map([group], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let expected: BTreeSet<(i64, i64)> = me
                .members
                .iter()
                .filter(|(g, _)| g == group)
                .copied()
                .collect();
            assert_eq!(
                actual, expected,
                "{when}: members of group {group} (client {})",
                me.index
            );
        }
    }
    // No group appeared that no client sent.
    let known: usize = clients.iter().map(|m| m.groups.len()).sum();
    let in_file = count(
        c,
        "SELECT count(*) FROM groups WHERE partner_id = ?1",
        [partner],
    );
    assert_eq!(in_file, known as i64, "{when}: groups in the file");
}
