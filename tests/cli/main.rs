//! The built binary, as an operator runs it: first start, `user create`,
//! `demo`, `backup`, bad files, signals, the threads, `--help` and the
//! request log.

#[path = "../common/mod.rs"]
mod common;

mod demo;
mod files;
mod first_start;
mod output;
mod signals;
mod threads;
mod users;

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
