//! The built binary, as an operator runs it: first start, `user create`,
//! `demo`, `backup`, bad files, signals, `--help` and the request log.

mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");
/// Longest any step may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(60);

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

/// The binary on a database file, with a clean environment.
fn venue_groups(db: &Path) -> Command {
    let mut c = Command::new(BIN);
    for v in ENV {
        c.env_remove(v);
    }
    c.env("RUST_BACKTRACE", "1");
    c.arg("--db").arg(db);
    c
}

/// Runs a command to its end (it must end within [`PATIENCE`]).
fn run(mut c: Command) -> Output {
    tokio::task::block_in_place(|| {
        let child = c
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        finish(child, PATIENCE)
    })
}

/// Waits for a child with a deadline (killing it past the deadline).
fn finish(child: Child, limit: Duration) -> Output {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
            panic!("the command did not end within {limit:?}");
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The lines of some output that are not blank.
fn lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// A server process whose stderr is read line by line.
struct Server {
    child: Child,
    stderr: Receiver<String>,
    /// Every stderr line read so far.
    seen: Vec<String>,
    /// `http://127.0.0.1:PORT`
    url: String,
    client: reqwest::Client,
}

impl Server {
    /// Starts `venue-groups --db DB --addr 127.0.0.1:0` with these extra
    /// environment variables and waits for its "listening on" line.
    fn start(db: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_with(db, &[], env)
    }

    /// [`Server::start`] with words before `--addr` (e.g. `serve`).
    fn start_with(db: &Path, command: &[&str], env: &[(&str, &str)]) -> Server {
        let mut c = venue_groups(db);
        c.args(command);
        c.args(["--addr", "127.0.0.1:0"]);
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stderr: rx,
            seen: Vec::new(),
            url: String::new(),
            client: reqwest::Client::new(),
        };
        let line = server.wait_for_line(|l| l.contains("listening on http://"));
        let addr = line
            .split("listening on http://")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        server.url = format!("http://{addr}");
        server
    }

    /// Reads stderr until a line matches; panics if the process ends first.
    fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        tokio::task::block_in_place(|| loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(e) => panic!("no such line on stderr ({e:?}); seen: {:#?}", self.seen),
            }
        })
    }

    /// Reads stderr to its end (the process closed it) and reaps the process.
    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        tokio::task::block_in_place(|| {
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.stderr.recv_timeout(left) {
                    Ok(line) => self.seen.push(line),
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {
                        let _ = self.child.kill();
                        panic!("the server did not stop; seen: {:#?}", self.seen)
                    }
                }
            }
            self.child.wait().expect("wait")
        })
    }

    /// SIGTERM, then waits for the exit.
    fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        self.wait_exit()
    }

    /// The whole stderr so far, one string.
    fn log(&self) -> String {
        self.seen.join("\n")
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/internal/v1{path}", self.url)
    }

    async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.api("/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn token(&self, email: &str, password: &str) -> String {
        let (status, body) = self.login(email, password).await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body["data"]["token"].as_str().unwrap().to_string()
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.api(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.api(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
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

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("venue.db");
    (dir, db)
}

const BOSS: &str = "boss@venue.test";
const BOSS_PASSWORD: &str = "boss-password-1";

fn boss_env() -> [(&'static str, &'static str); 2] {
    [
        ("VENUE_GROUPS_ADMIN_EMAIL", BOSS),
        ("VENUE_GROUPS_ADMIN_PASSWORD", BOSS_PASSWORD),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_without_admin_settings_prints_a_random_admin_password_that_logs_in() {
    let (_dir, db) = temp();

    let mut server = Server::start(&db, &[]);

    let admin_lines: Vec<&String> = server
        .seen
        .iter()
        .filter(|l| l.contains("admin@localhost"))
        .collect();
    assert_eq!(admin_lines.len(), 1, "{:#?}", server.seen);
    let password = admin_lines[0]
        .split("password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no password in {:?}", admin_lines[0]))
        .to_string();
    assert!(password.len() >= 12, "{password}");
    let (status, body) = server.login("admin@localhost", &password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["user"]["is_admin"], true);
    let (wrong, _) = server.login("admin@localhost", "not-it-at-all").await;
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    server.child.kill().unwrap();
    server.wait_exit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_env_vars_make_the_first_admin_and_only_on_the_first_start() {
    let (_dir, db) = temp();

    let mut first = Server::start(&db, &boss_env());
    let token = first.token(BOSS, BOSS_PASSWORD).await;
    let (status, me) = first.get("/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["data"]["email"], BOSS);
    assert_eq!(me["data"]["is_admin"], true);
    let (status, _) = first.login("admin@localhost", BOSS_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(first.log().contains(BOSS), "{}", first.log());
    assert!(!first.log().contains(BOSS_PASSWORD), "{}", first.log());
    assert!(first.terminate().success());

    let mut second = Server::start(
        &db,
        &[
            ("VENUE_GROUPS_ADMIN_EMAIL", "other@venue.test"),
            ("VENUE_GROUPS_ADMIN_PASSWORD", "other-password-2"),
        ],
    );
    let (status, _) = second.login("other@venue.test", "other-password-2").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "users exist: no new admin"
    );
    let (status, _) = second.login(BOSS, BOSS_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_with_password_stdin_makes_a_user_who_logs_in_with_those_rights() {
    // Arrange: a partner, made through the API.
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let (status, partner) = server
        .post("/partners", &admin, json!({"name": "Hall"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let partner = partner["data"]["id"].as_i64().unwrap();
    assert!(server.terminate().success());

    // Act
    let mut c = venue_groups(&db);
    c.args([
        "user",
        "create",
        "--email",
        "Desk@Venue.test",
        "--first-name",
        "Frank",
        "--last-name",
        "Desk",
        "--permission",
        "groups.read",
        "--permission",
        "customers.read",
        "--partner",
        &partner.to_string(),
        "--password-stdin",
    ]);
    let child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"desk-password-9\n")
        .unwrap();
    let out = tokio::task::block_in_place(|| finish(child, PATIENCE));

    // Assert
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Desk@Venue.test"),
        "{}",
        text(&out.stdout)
    );
    let mut server = Server::start(&db, &[]);
    let token = server.token("desk@venue.test", "desk-password-9").await;
    let (status, me) = server.get("/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    let me = &me["data"];
    assert_eq!(me["email"], "Desk@Venue.test");
    assert_eq!(me["first_name"], "Frank");
    assert_eq!(me["last_name"], "Desk");
    assert_eq!(me["is_admin"], false);
    let mut perms: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    perms.sort_unstable();
    assert_eq!(perms, vec!["customers.read", "groups.read"]);
    assert_eq!(me["partner_ids"], json!([partner]));
    let (status, _) = server
        .get(&format!("/partners/{partner}/groups"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    // The newline ending the stdin line is not part of the password.
    let (status, _) = server.login("desk@venue.test", "desk-password-9\n").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_takes_the_password_from_the_environment_and_makes_admins() {
    let (_dir, db) = temp();
    let mut c = venue_groups(&db);
    c.args([
        "user",
        "create",
        "--email",
        "root@venue.test",
        "--first-name",
        "Root",
        "--last-name",
        "Admin",
        "--admin",
    ])
    .env("VENUE_GROUPS_PASSWORD", "root-password-7");

    let out = run(c);

    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut server = Server::start(&db, &[]);
    assert!(
        !server.log().contains("admin@localhost"),
        "a user exists, so no bootstrap admin: {}",
        server.log()
    );
    let token = server.token("root@venue.test", "root-password-7").await;
    let (_, me) = server.get("/me", &token).await;
    assert_eq!(me["data"]["is_admin"], true);
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_refuses_bad_input_with_one_clear_line() {
    let (_dir, db) = temp();
    let base = |extra: &[&str]| {
        let mut c = venue_groups(&db);
        c.args([
            "user",
            "create",
            "--email",
            "x@venue.test",
            "--first-name",
            "X",
            "--last-name",
            "Y",
        ])
        .args(extra)
        .env("VENUE_GROUPS_PASSWORD", "long-enough-pw");
        c
    };

    let unknown_permission = run(base(&["--permission", "groups.fly"]));
    let unknown_partner = run(base(&["--partner", "77"]));
    let short_password = run({
        let mut c = base(&[]);
        c.env("VENUE_GROUPS_PASSWORD", "short");
        c
    });
    let no_password = run({
        let mut c = base(&[]);
        c.env_remove("VENUE_GROUPS_PASSWORD");
        c
    });
    let bad_email = run({
        let mut c = venue_groups(&db);
        c.args([
            "user",
            "create",
            "--email",
            "not-an-email",
            "--first-name",
            "X",
            "--last-name",
            "Y",
        ])
        .env("VENUE_GROUPS_PASSWORD", "long-enough-pw");
        c
    });

    for (out, needle) in [
        (&unknown_permission, "groups.fly"),
        (&unknown_partner, "77"),
        (&short_password, "8"),
        (&no_password, "password"),
        (&bad_email, "not-an-email"),
    ] {
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{needle}: should fail");
        assert_eq!(lines(&err).len(), 1, "one line: {err:?}");
        assert!(err.starts_with("venue-groups: "), "{err:?}");
        assert!(err.contains(needle), "{needle}: {err:?}");
        assert!(!err.contains("panicked"), "{err:?}");
        assert_eq!(text(&out.stdout), "", "nothing on stdout");
    }
    if db.exists() {
        let users: i64 = common::open_db(&db)
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 0);
    }
    // The same email twice is refused too.
    assert!(run(base(&[])).status.success());
    let twice = run(base(&[]));
    assert!(!twice.status.success());
    assert_eq!(
        lines(&text(&twice.stderr)).len(),
        1,
        "{}",
        text(&twice.stderr)
    );
    assert!(text(&twice.stderr).contains("exists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fills_an_empty_database_with_logins_that_work_and_refuses_a_second_run() {
    let (_dir, db) = temp();
    let mut c = venue_groups(&db);
    c.arg("demo");

    let out = run(c);

    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let logins: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("login "))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let email = parts.next().unwrap().to_string();
            assert_eq!(parts.next(), Some("/"), "{l}");
            let password = parts.next().unwrap().to_string();
            (email, password)
        })
        .collect();
    assert!(logins.len() >= 3, "{stdout}");
    let mut server = Server::start(&db, &[]);
    assert!(
        !server.log().contains("admin@localhost") && !server.log().contains("no admin"),
        "demo made an admin: {}",
        server.log()
    );
    let mut admins = 0;
    for (email, password) in &logins {
        let token = server.token(email, password).await;
        let (_, me) = server.get("/me", &token).await;
        admins += usize::from(me["data"]["is_admin"] == true);
        let (status, partners) = server.get("/partners", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            partners["meta"]["total"], 1,
            "{email} works for the demo venue"
        );
        let partner = partners["data"][0]["id"].as_i64().unwrap();
        let (status, groups) = server
            .get(&format!("/partners/{partner}/groups"), &token)
            .await;
        assert_eq!(status, StatusCode::OK, "{email}");
        assert!(groups["meta"]["total"].as_i64().unwrap() >= 1);
        let (status, customers) = server
            .get(&format!("/partners/{partner}/customers"), &token)
            .await;
        assert_eq!(status, StatusCode::OK, "{email}");
        assert!(customers["meta"]["total"].as_i64().unwrap() >= 1);
    }
    assert_eq!(admins, 1, "demo prints one admin login: {stdout}");
    assert!(server.terminate().success());

    let mut again = venue_groups(&db);
    again.arg("demo");
    let second = run(again);
    assert!(!second.status.success());
    let err = text(&second.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("already"), "{err:?}");
    assert!(!err.contains("panicked"));
    let partners: i64 = common::open_db(&db)
        .query_row("SELECT count(*) FROM partners", [], |r| r.get(0))
        .unwrap();
    assert_eq!(partners, 1, "the second run added nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_the_server_takes_writes_makes_a_sound_copy() {
    // Arrange: a server with 20 groups, and a client that keeps writing.
    let (dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let (_, partner) = server
        .post("/partners", &admin, json!({"name": "Hall"}))
        .await;
    let partner = partner["data"]["id"].as_i64().unwrap();
    for i in 0..20 {
        let (status, _) = server
            .post(
                &format!("/partners/{partner}/groups"),
                &admin,
                json!({"name": format!("before {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let mut started_tx = Some(started_tx);
        let stop = stop.clone();
        let client = server.client.clone();
        let url = server.api(&format!("/partners/{partner}/groups"));
        let admin = admin.clone();
        tokio::spawn(async move {
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r = client
                    .post(&url)
                    .bearer_auth(&admin)
                    .json(&json!({"name": format!("during {written}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                written += 1;
                if let Some(tx) = started_tx.take() {
                    let _ = tx.send(());
                }
            }
            written
        })
    };
    let copy = dir.path().join("copy.db");
    started.await.expect("the writes are going on");

    // Act
    let mut c = venue_groups(&db);
    c.arg("backup").arg(&copy);
    let out = tokio::task::spawn_blocking(move || {
        let child = c
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        finish(child, PATIENCE)
    })
    .await
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.await.unwrap();

    // Assert
    assert!(out.status.success(), "{}", text(&out.stderr));
    let copy_db = common::open_db(&copy);
    let check: String = copy_db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let before: i64 = copy_db
        .query_row(
            "SELECT count(*) FROM groups WHERE name LIKE 'before %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, 20);
    let during: i64 = copy_db
        .query_row(
            "SELECT count(*) FROM groups WHERE name LIKE 'during %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(during <= written, "{during} > {written}");
    // The copy is a database the server can serve.
    drop(copy_db);
    assert!(server.terminate().success());
    let restored = Server::start(&copy, &[]);
    let token = restored.token(BOSS, BOSS_PASSWORD).await;
    let (status, groups) = restored
        .get(&format!("/partners/{partner}/groups"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(groups["meta"]["total"], 20 + during);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_to_an_existing_path_fails_and_leaves_the_file_alone() {
    let (dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let existing = dir.path().join("keep.db");
    std::fs::write(&existing, "keep me").unwrap();

    let mut c = venue_groups(&db);
    c.arg("backup").arg(&existing);
    let out = run(c);

    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("exists"), "{err:?}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_sqlite_stops_the_server_with_one_line_and_no_panic() {
    let (_dir, db) = temp();
    std::fs::write(&db, "hello").unwrap();
    let mut c = venue_groups(&db);
    c.args(["--addr", "127.0.0.1:0"]);

    let out = run(c);

    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("venue.db"), "names the file: {err:?}");
    assert!(err.to_lowercase().contains("sqlite"), "{err:?}");
    assert!(!err.contains("panicked"), "{err:?}");
    assert!(!err.to_lowercase().contains("backtrace"), "{err:?}");
    assert!(!err.contains("listening"), "{err:?}");
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "hello", "untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly_with_exit_code_0() {
    let (_dir, db) = temp();
    let mut server = Server::start_with(&db, &["serve"], &boss_env());
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let (status, _) = server
        .post("/partners", &admin, json!({"name": "Hall"}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let status = server.terminate();

    assert_eq!(status.code(), Some(0), "{}", server.log());
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    assert!(!log.contains("ERROR"), "{log}");
    // The database was closed: the WAL is checkpointed away and the data is
    // in the main file.
    let wal = db.with_file_name("venue.db-wal");
    assert!(!wal.exists(), "the WAL is left behind");
    let conn = common::open_db(&db);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let partners: i64 = conn
        .query_row("SELECT count(*) FROM partners", [], |r| r.get(0))
        .unwrap();
    assert_eq!(partners, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish_before_exiting() {
    use std::io::Read;
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let addr = server.url.trim_start_matches("http://").to_string();
    let body = br#"{"name": "Late Hall"}"#;

    // A request whose body the server is waiting for: `100 Continue` shows
    // its handler is reading the body.
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        conn,
        "POST /api/internal/v1/partners HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut interim = [0u8; 25];
    conn.read_exact(&mut interim).unwrap();
    assert!(
        text(&interim).starts_with("HTTP/1.1 100 Continue"),
        "{:?}",
        text(&interim)
    );
    Command::new("kill")
        .arg("-TERM")
        .arg(server.child.id().to_string())
        .status()
        .unwrap();
    server.wait_for_line(|l| l.contains("shutting down"));

    conn.write_all(body).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let status = server.wait_exit();

    let rest = answer.trim_start_matches("\r\n");
    assert!(rest.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(rest.contains("Late Hall"), "{answer}");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let names: i64 = common::open_db(&db)
        .query_row(
            "SELECT count(*) FROM partners WHERE name = 'Late Hall'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(names, 1, "the answered write was kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_works_for_every_command() {
    let (_dir, db) = temp();
    let cases: [(&[&str], &[&str]); 5] = [
        (&["--help"], &["serve", "user", "demo", "backup"]),
        (&["serve", "--help"], &["--addr", "--db", "--token-ttl"]),
        (
            &["user", "create", "--help"],
            &[
                "--email",
                "--first-name",
                "--last-name",
                "--admin",
                "--permission",
                "--partner",
                "--password-stdin",
            ],
        ),
        (&["demo", "--help"], &["Usage:", "demo"]),
        (&["backup", "--help"], &["Usage:", "backup", "PATH"]),
    ];

    for (args, expected) in cases {
        let mut c = venue_groups(&db);
        c.args(args);
        let out = run(c);
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(stdout.contains("Usage: venue-groups"), "{args:?}: {stdout}");
        for word in expected {
            assert!(stdout.contains(word), "{args:?} lacks {word}: {stdout}");
        }
    }
    assert!(!db.exists(), "--help touches no database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_has_one_line_per_request_and_never_a_token_or_password() {
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());

    let token = server.token(BOSS, BOSS_PASSWORD).await;
    let (wrong, _) = server.login(BOSS, "wrong-secret-1234").await;
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    assert_eq!(server.get("/me", &token).await.0, StatusCode::OK);
    assert_eq!(server.get("/partners", &token).await.0, StatusCode::OK);
    assert_eq!(server.get("/nope", &token).await.0, StatusCode::NOT_FOUND);
    let (created, user) = server
        .post("/partners", &token, json!({"name": "Hall"}))
        .await;
    assert_eq!(created, StatusCode::OK);
    let partner = user["data"]["id"].as_i64().unwrap();
    let (status, _) = server
        .post(
            &format!("/partners/{partner}/users"),
            &token,
            json!({"email": "new@venue.test", "password": "new-user-secret-55",
                   "first_name": "New", "last_name": "User"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(server.terminate().success());

    let log = server.log();
    let request_lines: Vec<&String> = server
        .seen
        .iter()
        .filter(|l| l.contains("/api/internal/v1/"))
        .collect();
    assert_eq!(request_lines.len(), 7, "{log}");
    for expected in [
        "POST /api/internal/v1/auth/login 200 ",
        "POST /api/internal/v1/auth/login 401 ",
        "GET /api/internal/v1/me 200 ",
        "GET /api/internal/v1/partners 200 ",
        "GET /api/internal/v1/nope 404 ",
        "POST /api/internal/v1/partners 200 ",
        &format!("POST /api/internal/v1/partners/{partner}/users 200 "),
    ] {
        let n = request_lines
            .iter()
            .filter(|l| l.contains(expected))
            .count();
        assert_eq!(n, 1, "{expected:?} in {log}");
    }
    for line in &request_lines {
        assert!(line.trim_end().ends_with("ms"), "a duration: {line}");
    }
    for secret in [
        token.as_str(),
        BOSS_PASSWORD,
        "wrong-secret-1234",
        "new-user-secret-55",
    ] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_does_not_wait_for_a_connection_that_never_sent_a_request() {
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let addr = server.url.trim_start_matches("http://").to_string();
    // A client's spare connection: open, silent. hyper 0.14 would hold the
    // graceful shutdown for it until its 10 s header timeout.
    let _idle = std::net::TcpStream::connect(&addr).expect("connect");

    let started = std::time::Instant::now();
    let status = server.terminate();

    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "stopping took {:?}: {}",
        started.elapsed(),
        server.log()
    );
    assert!(
        !db.with_file_name("venue.db-wal").exists(),
        "the WAL is left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_prints_the_version_and_the_schema_version() {
    let (_dir, db) = temp();
    let mut c = venue_groups(&db);
    c.arg("--version");

    let out = run(c);

    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema = include_str!("../schema.sql");
    let latest = schema
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("-- version: "))
        .unwrap()
        .trim();
    assert_eq!(
        text(&out.stdout).trim(),
        format!(
            "venue-groups {} (schema version {latest})",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert!(!db.exists(), "--version opens no database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_file_refuses_with_one_line_and_commands_still_work() {
    let (dir, db) = temp();
    let mut first = Server::start(&db, &boss_env());
    let admin = first.token(BOSS, BOSS_PASSWORD).await;

    let mut second = venue_groups(&db);
    second.args(["--addr", "127.0.0.1:0"]);
    let refused = run(second);

    assert!(!refused.status.success());
    let err = text(&refused.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("another venue-groups server"), "{err:?}");
    assert!(err.contains("venue.db"), "{err:?}");
    // Beside the running server, the commands still work.
    let mut backup = venue_groups(&db);
    backup.arg("backup").arg(dir.path().join("copy.db"));
    let out = run(backup);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut create = venue_groups(&db);
    create
        .args(["user", "create", "--email", "late@venue.test"])
        .args(["--first-name", "Late", "--last-name", "Comer", "--admin"])
        .env("VENUE_GROUPS_PASSWORD", "late-password-3");
    let out = run(create);
    assert!(out.status.success(), "{}", text(&out.stderr));
    first.token("late@venue.test", "late-password-3").await;
    let (status, _) = first.get("/me", &admin).await;
    assert_eq!(status, StatusCode::OK, "the first server still serves");
    // A killed server leaves no lock behind: the kernel drops it.
    first.child.kill().unwrap();
    first.wait_exit();
    let mut after = Server::start(&db, &[]);
    after.token(BOSS, BOSS_PASSWORD).await;
    assert!(after.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_email_of_a_user_who_is_not_an_admin_makes_no_admin_and_says_why() {
    // A database with a user but no admin (as `user create` without --admin leaves it).
    let (_dir, db) = temp();
    let mut create = venue_groups(&db);
    create
        .args(["user", "create", "--email", "desk@venue.test"])
        .args(["--first-name", "Front", "--last-name", "Desk"])
        .env("VENUE_GROUPS_PASSWORD", "desk-password-1");
    let out = run(create);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let mut plain = Server::start(&db, &[]);
    let said: Vec<&String> = plain
        .seen
        .iter()
        .filter(|l| l.contains("no admin"))
        .collect();
    assert_eq!(said.len(), 1, "{:#?}", plain.seen);
    assert!(said[0].contains("VENUE_GROUPS_ADMIN_EMAIL"), "{}", said[0]);
    assert!(plain.terminate().success());

    let mut refused = Server::start(
        &db,
        &[
            ("VENUE_GROUPS_ADMIN_EMAIL", "Desk@Venue.test"),
            ("VENUE_GROUPS_ADMIN_PASSWORD", "other-password-2"),
        ],
    );
    let said: Vec<&String> = refused
        .seen
        .iter()
        .filter(|l| l.contains("not an admin"))
        .collect();
    assert_eq!(said.len(), 1, "{:#?}", refused.seen);
    let (status, _) = refused.login("desk@venue.test", "other-password-2").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the password is unchanged"
    );
    let desk = refused.token("desk@venue.test", "desk-password-1").await;
    let (_, me) = refused.get("/me", &desk).await;
    assert_eq!(me["data"]["is_admin"], false, "not promoted");
    assert!(refused.terminate().success());

    // Users exist, but no admin: the configured admin is created.
    let mut made = Server::start(&db, &boss_env());
    let boss = made.token(BOSS, BOSS_PASSWORD).await;
    let (_, me) = made.get("/me", &boss).await;
    assert_eq!(me["data"]["is_admin"], true);
    assert!(made.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_addr_serves_the_figures_without_a_token_and_nothing_else() {
    let (_dir, db) = temp();
    let mut server = Server::start_with(&db, &["--metrics-addr", "127.0.0.1:0"], &boss_env());
    let line = server
        .seen
        .iter()
        .find(|l| l.contains("metrics on http://"))
        .unwrap_or_else(|| panic!("{:#?}", server.seen))
        .clone();
    let metrics = line.split("metrics on ").nth(1).unwrap().trim().to_string();
    let token = server.token(BOSS, BOSS_PASSWORD).await;
    let (status, _) = server.get("/me", &token).await;
    assert_eq!(status, StatusCode::OK);

    let open = server.client.get(&metrics).send().await.unwrap();
    let status = open.status();
    let body = open.text().await.unwrap();
    let main_port = server
        .client
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap();
    let other = server
        .client
        .get(metrics.replace("/metrics", "/api/internal/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(
            r#"venue_groups_http_requests_total{method="GET",route="/api/internal/v1/me",status="200"} 1"#
        ),
        "{body}"
    );
    assert_eq!(
        main_port.status(),
        StatusCode::UNAUTHORIZED,
        "the API port still wants a token"
    );
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "only /metrics there");
    assert!(server.terminate().success());
}
