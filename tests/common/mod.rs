//! Test harness: starts the real server in-process on an ephemeral
//! loopback port with a fresh SQLite file in a temp dir, and talks HTTP to
//! it with reqwest. Fixtures go through the API (or the CLI code) like a
//! client would.
#![allow(dead_code)]

use reqwest::{header::HeaderMap, Method, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use venue_groups::api::error::ApiError;
use venue_groups::config::Config;
use venue_groups::db::Writer;

pub mod world;

/// The bootstrap admin every test server starts with.
pub const ADMIN_EMAIL: &str = "admin@test.local";
pub const ADMIN_PASSWORD: &str = "admin-password";
/// The password fixture users get.
pub const PASSWORD: &str = "user-password";
/// Every permission.
pub const ALL: &[&str] = &[
    "groups.read",
    "groups.create",
    "groups.update",
    "groups.delete",
    "customers.read",
    "customers.create",
    "customers.update",
    "customers.delete",
    "users.read",
    "users.create",
    "users.update",
    "users.delete",
    "audit.read",
];

/// An answer: status, headers and the JSON body (`Value::Null` if none).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A running server on its own database.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub db_path: PathBuf,
    pub dir: TempDir,
    pub client: reqwest::Client,
    /// A token of the bootstrap admin.
    pub admin: String,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), String>>>,
}

impl TestServer {
    /// A fresh server on a new database.
    pub async fn start() -> TestServer {
        Self::start_in(tempfile::tempdir().expect("temp dir"), |_| {}).await
    }

    /// A fresh server with a changed config.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_in(tempfile::tempdir().expect("temp dir"), adjust).await
    }

    /// A server on the database in `dir` (for restarts).
    pub async fn start_in(dir: TempDir, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let db_path = dir.path().join("venue-groups.db");
        let mut config = Config::new(&db_path);
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.admin_email = Some(ADMIN_EMAIL.into());
        config.admin_password = Some(ADMIN_PASSWORD.into());
        adjust(&mut config);
        let listener = venue_groups::server::bind(config.addr).expect("bind");
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(venue_groups::server::run(config, listener, async {
            let _ = rx.await;
        }));
        let url = format!("http://{addr}");
        let client = reqwest::Client::builder().build().unwrap();
        let mut server = TestServer {
            url,
            db_path,
            dir,
            client,
            admin: String::new(),
            shutdown: Some(tx),
            handle: Some(handle),
        };
        server.wait_ready().await;
        server.admin = server.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        server
    }

    async fn wait_ready(&self) {
        for _ in 0..500 {
            if let Ok(r) = self.client.get(format!("{}/livez", self.url)).send().await {
                if r.status() == StatusCode::OK {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the server did not come up");
    }

    /// Stops the server (finishing requests in flight) and returns its
    /// directory, for a restart on the same file.
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task").expect("server run");
        }
        let TestServer { dir, .. } = self;
        dir
    }

    /// A full URL for an API path (`/partners/1/groups`).
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/internal/v1{}", self.url, path)
    }

    /// Sends a request to an API path with an optional token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.client.request(method, self.api(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Logs in and returns the token; panics unless 200.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let a = self
            .call(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "login {email}: {}", a.text);
        a.body["data"]["token"].as_str().unwrap().to_string()
    }

    /// Creates a partner as the admin; returns its id.
    pub async fn partner(&self, name: &str) -> i64 {
        let a = self
            .post("/partners", &self.admin, json!({"name": name}))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["data"]["id"].as_i64().unwrap()
    }

    /// Creates a user with these permissions and partners (through the
    /// admin routes) and returns (user id, token).
    pub async fn user(&self, email: &str, permissions: &[&str], partners: &[i64]) -> (i64, String) {
        let home = match partners.first() {
            Some(p) => *p,
            None => self.partner(&format!("home of {email}")).await,
        };
        let a = self
            .post(
                &format!("/partners/{home}/users"),
                &self.admin,
                json!({"email": email, "password": PASSWORD, "first_name": "Test", "last_name": "User"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let id = a.body["data"]["id"].as_i64().unwrap();
        let a = self
            .put(
                &format!("/users/{id}/permissions"),
                &self.admin,
                json!({"permissions": permissions}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let a = self
            .put(
                &format!("/users/{id}/partners"),
                &self.admin,
                json!({"partner_ids": partners}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        (id, self.login(email, PASSWORD).await)
    }

    /// Creates a group; returns its id.
    pub async fn group(&self, token: &str, partner: i64, name: &str) -> i64 {
        let a = self
            .post(
                &format!("/partners/{partner}/groups"),
                token,
                json!({"name": name}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["data"]["id"].as_i64().unwrap()
    }

    /// Creates a customer; returns its id.
    pub async fn customer(
        &self,
        token: &str,
        partner: i64,
        first: &str,
        last: &str,
        email: Option<&str>,
    ) -> i64 {
        let a = self
            .post(
                &format!("/partners/{partner}/customers"),
                token,
                json!({"first_name": first, "last_name": last, "email": email}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        a.body["data"]["id"].as_i64().unwrap()
    }

    /// Adds a member; returns the answer.
    pub async fn add_member(&self, token: &str, partner: i64, group: i64, customer: i64) -> Answer {
        self.post(
            &format!("/partners/{partner}/groups/{group}/customers"),
            token,
            json!({"customer_id": customer}),
        )
        .await
    }

    /// A direct connection to the database file, for checks a client
    /// cannot make (and for planting an expired token).
    pub fn db(&self) -> rusqlite::Connection {
        open_db(&self.db_path)
    }
}

/// Opens a database file for inspection.
pub fn open_db(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).expect("open db");
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

/// Reads a response into an [`Answer`].
pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

/// Plants a token for a user that expired an hour ago; returns the secret.
pub fn expired_token(server: &TestServer, user_id: i64) -> String {
    let (secret, hash) = venue_groups::secrets::new_token();
    let now = venue_groups::clock::unix_now();
    venue_groups::db::tokens::insert(
        &server.db(),
        &hash,
        venue_groups::db::UserId(user_id),
        now - 7200,
        now - 3600,
    )
    .unwrap();
    secret
}

// --- Helpers for the groups, members, customers, pagination and validation
// tests. ---

/// Whether a value is an RFC 3339 UTC timestamp as the server writes it,
/// e.g. `2026-11-26T08:15:00Z`.
pub fn is_utc_timestamp(v: &Value) -> bool {
    let Some(s) = v.as_str() else {
        return false;
    };
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Sends a request built on the server's client (for headers or bodies the
/// other helpers do not set).
pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    answer(req.send().await.expect("request")).await
}

/// Asserts an answer's status and whole JSON body, naming `what` and the
/// answer's text on failure.
pub fn expect(a: &Answer, status: StatusCode, body: Value, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text);
    assert_eq!(a.body, body, "{what}: {}", a.text);
}

/// Asserts the contract's 401: status, body and `WWW-Authenticate: Bearer`.
pub fn expect_unauthenticated(a: &Answer, what: &str) {
    expect(
        a,
        StatusCode::UNAUTHORIZED,
        json!({"message": "Unauthenticated."}),
        what,
    );
    assert_eq!(a.header("www-authenticate"), Some("Bearer"), "{what}");
}

/// Asserts the contract's 403.
pub fn expect_forbidden(a: &Answer, what: &str) {
    expect(
        a,
        StatusCode::FORBIDDEN,
        json!({"message": "This action is unauthorized."}),
        what,
    );
}

/// Asserts the contract's 404.
pub fn expect_not_found(a: &Answer, what: &str) {
    expect(
        a,
        StatusCode::NOT_FOUND,
        json!({"message": "Not found."}),
        what,
    );
}

/// Every permission but one.
pub fn all_but(missing: &str) -> Vec<&'static str> {
    ALL.iter().copied().filter(|p| *p != missing).collect()
}

/// The id of the user behind a token (via `GET /me`).
pub async fn user_id_of(server: &TestServer, token: &str) -> i64 {
    let a = server.get("/me", token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"]["id"].as_i64().unwrap()
}

/// A token that worked and was revoked by `POST /auth/logout`.
pub async fn revoked_token(server: &TestServer, email: &str, password: &str) -> String {
    let token = server.login(email, password).await;
    let a = server
        .call(Method::POST, "/auth/logout", Some(&token), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    token
}

/// A job for [`in_one_transaction`].
pub type WriteJob<T> = Box<dyn FnOnce(&rusqlite::Connection) -> Result<T, ApiError> + Send>;

/// Runs the jobs in one transaction of the writer (they queue while a
/// first job holds it for 200 ms) and returns their answers in order.
pub async fn in_one_transaction<T: Send + 'static>(
    writer: &Writer,
    jobs: Vec<WriteJob<T>>,
) -> Vec<Result<T, ApiError>> {
    let busy = {
        let writer = writer.clone();
        tokio::spawn(async move {
            writer
                .write(|_| {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    Ok::<_, ApiError>(())
                })
                .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // Polled in order, so queued in order, while the writer is busy.
    let answers = futures_util::future::join_all(jobs.into_iter().map(|j| writer.write(j))).await;
    busy.await.unwrap().unwrap();
    answers
}
