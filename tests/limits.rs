//! No way to stall the server: unread exports, huge invalid bodies,
//! unauthenticated uploads and idle or surplus connections each meet a
//! bound with a clear answer, while health checks, logins and point reads
//! go on answering in their normal time.

mod common;

use common::world::{read_head, read_to_close, send_head, small_socket, World};
use common::TestServer;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Sends a GET and returns how long the answer took; panics unless 200.
async fn timed_get(s: &TestServer, url: &str, token: Option<&str>) -> Duration {
    let started = Instant::now();
    let mut req = s.client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = tokio::time::timeout(Duration::from_secs(10), req.send())
        .await
        .expect("an answer within 10 s")
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    started.elapsed()
}

#[tokio::test]
async fn forty_unread_exports_do_not_slow_health_logins_or_reads() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let group = s.group(&s.admin, w.a, "Big group").await;
    s.fill_group(w.a, group, 20_000, "a");
    let mut tokens = Vec::new();
    for i in 0..20 {
        tokens.push(
            s.user(&format!("reader{i}@world.test"), &["groups.read"], &[w.a])
                .await
                .1,
        );
    }

    // Arrange: 40 exports (two per user) that read nothing after the head.
    let mut stalled = Vec::new();
    for token in tokens.iter().flat_map(|t| [t, t]) {
        let mut stream = small_socket(s.addr()).await;
        let path = format!("/partners/{}/groups/{group}/customers/export", w.a);
        send_head(&mut stream, "GET", &path, Some(token), &[], b"").await;
        let (status, head, _) = read_head(&mut stream).await;
        assert_eq!(status, 200, "{head}");
        stalled.push(stream);
    }

    // Act / Assert: the server answers as if nothing were going on.
    let group_url = s.api(&format!("/partners/{}/groups/{group}", w.a));
    for _ in 0..5 {
        assert!(timed_get(&s, &format!("{}/healthz", s.url), None).await < Duration::from_secs(1));
        assert!(timed_get(&s, &group_url, Some(&tokens[0])).await < Duration::from_secs(1));
    }
    let started = Instant::now();
    s.login("a@world.test", common::PASSWORD).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "login took {:?}",
        started.elapsed()
    );
    drop(stalled);
}

#[tokio::test]
async fn a_third_export_of_one_user_is_429_and_a_stalled_one_is_cut_off() {
    // Arrange: a short idle time so the cut-off shows within the test.
    let s = TestServer::start_with(|c| c.idle_timeout = Duration::from_secs(1)).await;
    let w = World::new(&s).await;
    let (_, token) = &w.a_user;
    let group = s.group(token, w.a, "Big group").await;
    s.fill_group(w.a, group, 100_000, "a");
    let path = format!("/partners/{}/groups/{group}/customers/export", w.a);
    let mut two = Vec::new();
    for _ in 0..2 {
        let mut stream = small_socket(s.addr()).await;
        send_head(&mut stream, "GET", &path, Some(token), &[], b"").await;
        assert_eq!(read_head(&mut stream).await.0, 200);
        two.push(stream);
    }

    // Act: a third while two stall.
    let third = s.get(&path, token).await;

    // Assert: 429 with Retry-After; once the stalled ones are cut off (the
    // server closes them), the user may export again.
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.text
    );
    assert_eq!(third.body, json!({"message": "Too many attempts."}));
    assert!(third.header("retry-after").is_some());
    for stream in &mut two {
        let started = Instant::now();
        read_until_closed_without_draining(stream).await;
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    let again = s
        .client
        .get(s.api(&path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let text = again.text().await.unwrap();
    assert_eq!(text.lines().count(), 100_001, "header and every member");
}

/// Waits until the server closes a connection, reading one byte at a time
/// so the receive buffer stays full and the server stays stalled.
async fn read_until_closed_without_draining(stream: &mut tokio::net::TcpStream) {
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let rest = read_to_close(stream, Duration::from_secs(5)).await;
    assert!(
        !rest.ends_with(b"\r\n0\r\n\r\n"),
        "the stalled export was not cut off"
    );
}

#[tokio::test]
async fn a_64000_row_invalid_import_is_answered_fast_and_short_while_livez_answers() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, token) = &w.a_user;
    // 64,000 data rows with no last name, about 1.2 MB.
    let mut file = String::from("first_name,last_name\n");
    for i in 0..64_000 {
        file.push_str(&format!("Name{i},\n"));
    }
    let url = s.api(&format!("/partners/{}/customers/import", w.a));

    // Act: the import, with /livez asked meanwhile.
    let started = Instant::now();
    let import = s
        .client
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(file)
        .send();
    let livez = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        timed_get(&s, &format!("{}/livez", s.url), None).await
    };
    let (import, livez) = tokio::join!(import, livez);
    let elapsed = started.elapsed();
    let a = common::answer(import.unwrap()).await;

    // Assert: 422 with 100 fields and Laravel's count; /livez unhurried.
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.body["errors"].as_object().unwrap().len(), 100);
    assert_eq!(
        a.body["message"],
        json!("The rows.1.last_name field is required. (and 63999 more errors)")
    );
    assert!(a.text.len() < 16 * 1024, "{} bytes", a.text.len());
    assert!(livez < Duration::from_millis(500), "livez took {livez:?}");
    assert!(
        elapsed < Duration::from_secs(10),
        "the import took {elapsed:?}"
    );
}

#[tokio::test]
async fn a_64_kb_batch_of_invalid_ids_is_answered_fast_and_short() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, token) = &w.a_user;
    let group = s.group(token, w.a, "Class 3b").await;
    let zeros = vec![0; 32_000];

    let started = Instant::now();
    let a = s
        .post(
            &format!("/partners/{}/groups/{group}/customers/batch", w.a),
            token,
            json!({"add": zeros}),
        )
        .await;

    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(a.body["errors"].as_object().unwrap().len(), 100);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .ends_with("more errors)"),
        "{}",
        a.text
    );
    assert!(a.text.len() < 16 * 1024);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unknown_import_column_is_echoed_cut_short() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, token) = &w.a_user;
    let long = "x".repeat(100_000);
    let a = common::send(
        s.client
            .post(s.api(&format!("/partners/{}/customers/import", w.a)))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(format!("first_name,last_name,{long}\nAnna,Berger,1\n")),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text.len() < 1024, "{} bytes", a.text.len());
    assert!(a.body["errors"]["header"][0]
        .as_str()
        .unwrap()
        .contains("xxx…"));
}

/// The process's resident memory, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test]
async fn forty_unauthenticated_5_mb_uploads_are_refused_before_the_body_is_read() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let before = rss();
    let path = format!("/partners/{}/customers/import", w.a);
    let megabyte = vec![b'x'; 1024 * 1024];

    // Act: 40 uploads declaring 5 MB each, with a bogus token; each sends
    // one megabyte and then waits.
    let mut streams = Vec::new();
    for _ in 0..40 {
        let mut stream = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
        let headers = [("content-type", "text/csv"), ("content-length", "5242880")];
        send_head(
            &mut stream,
            "POST",
            &path,
            Some("not-a-token"),
            &headers,
            b"",
        )
        .await;
        streams.push(stream);
    }
    let mut answers = Vec::new();
    for stream in &mut streams {
        let (status, head, _) = read_head(stream).await;
        answers.push((status, head));
        let _ = tokio::io::AsyncWriteExt::write_all(stream, &megabyte).await;
    }

    // Assert: every one is 401 before its body was sent; memory did not
    // grow with the bodies.
    for (status, head) in &answers {
        assert_eq!(*status, 401, "{head}");
    }
    let grown = rss().saturating_sub(before);
    assert!(grown < 40 * 1024 * 1024, "RSS grew by {grown} bytes");
}

#[tokio::test]
async fn an_authorized_user_without_the_permission_gets_403_before_sending_a_body() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, token) = s
        .user(
            "reader@world.test",
            &["groups.read", "customers.read"],
            &[w.a],
        )
        .await;
    let mut stream = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let headers = [
        ("content-type", "application/json"),
        ("content-length", "60000"),
    ];
    let path = format!("/partners/{}/groups", w.a);
    send_head(&mut stream, "POST", &path, Some(&token), &headers, b"").await;
    let (status, head, _) = read_head(&mut stream).await;
    assert_eq!(status, 403, "{head}");
}

#[tokio::test]
async fn past_the_connection_cap_a_connection_gets_503_and_retry_after() {
    let s = TestServer::start_with(|c| c.max_connections = 4).await;
    // Arrange: reqwest keeps its pooled connection open; fill the rest.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tokio::net::TcpStream::connect(s.addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Act: one more.
    let mut extra = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    send_head(&mut extra, "GET", "/me", None, &[], b"").await;
    let mut text = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), extra.read_to_string(&mut text)).await;

    // Assert: the canned 503, then the connection is closed.
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 1"),
        "{text}"
    );
    assert!(
        text.ends_with(r#"{"message":"Service unavailable."}"#),
        "{text}"
    );

    // Once one closes, a new connection is served.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let fresh = reqwest::Client::new();
    let r = fresh.get(format!("{}/livez", s.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_time() {
    let s = TestServer::start_with(|c| c.idle_timeout = Duration::from_millis(500)).await;
    let mut idle = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let started = Instant::now();
    let rest = read_to_close(&mut idle, Duration::from_secs(5)).await;
    assert!(rest.is_empty());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(4),
        "closed after {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_takes_longer_than_the_idle_time_is_not_cut() {
    // Arrange: a short idle cut, and the database locked by another writer
    // for three times as long, so a write waits on the server's side.
    let s = TestServer::start_with(|c| c.idle_timeout = Duration::from_millis(500)).await;
    let p = s.partner("Hall").await;
    let db = s.db();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        db.execute_batch("COMMIT").unwrap();
    });

    // Act
    let started = Instant::now();
    let created = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "Late"}),
        )
        .await;

    // Assert: answered on the same connection once the lock went.
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert!(started.elapsed() >= Duration::from_millis(1400));
    release.join().unwrap();
}

#[tokio::test]
async fn bodies_past_the_bytes_in_flight_are_503() {
    let s = TestServer::start_with(|c| c.max_body_bytes_in_flight = 256 * 1024).await;
    let w = World::new(&s).await;
    let (_, token) = &w.a_user;
    let path = format!("/partners/{}/customers/import", w.a);

    // Arrange: one upload holds 200 KB of the budget, its last bytes unsent.
    let mut first = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let headers = [("content-type", "text/csv"), ("content-length", "300000")];
    send_head(
        &mut first,
        "POST",
        &path,
        Some(token),
        &headers,
        &vec![b'a'; 200_000],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act: a second upload of 100 KB.
    let a = common::send(
        s.client
            .post(s.api(&path))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(vec![b'b'; 100_000]),
    )
    .await;

    // Assert: 503 with Retry-After; a small JSON write still fits.
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text);
    assert!(a.header("retry-after").is_some());
    let created = s
        .post(
            &format!("/partners/{}/groups", w.a),
            token,
            json!({"name": "Fits"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    drop(first);
}
