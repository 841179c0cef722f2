//! Signals and shutdown.

use super::*;

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
