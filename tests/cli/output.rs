//! Help, the request log, the version and the metrics address.

use super::*;

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
async fn version_prints_the_version_and_the_schema_version() {
    let (_dir, db) = temp();
    let mut c = venue_groups(&db);
    c.arg("--version");

    let out = run(c);

    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema = include_str!("../../schema.sql");
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
