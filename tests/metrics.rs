//! `GET /metrics`: who may read it, and that its figures move with the
//! traffic (requests, latency, writer, commits, logins, connections, file
//! sizes). The figures are process-wide, so each series asserted here is
//! one that only its own test moves, or is compared with `>=`.

mod common;

use common::{send, TestServer, ADMIN_EMAIL};
use reqwest::StatusCode;
use serde_json::json;

/// The value of one series (its full name with labels), or 0 if absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.strip_prefix(' '))
                .map(|v| v.trim().parse::<f64>().unwrap())
        })
        .unwrap_or(0.0)
}

async fn scrape(s: &TestServer) -> String {
    let a = send(
        s.client
            .get(format!("{}/metrics", s.url))
            .bearer_auth(&s.admin),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.header("content-type"),
        Some("text/plain; version=0.0.4"),
        "{:?}",
        a.headers
    );
    a.text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_an_admin_token() {
    let s = TestServer::start().await;
    let partner = s.partner("Hall").await;
    let (_, user) = s.user("desk@test.local", common::ALL, &[partner]).await;
    let url = format!("{}/metrics", s.url);

    let none = send(s.client.get(&url)).await;
    let staff = send(s.client.get(&url).bearer_auth(&user)).await;
    let admin = send(s.client.get(&url).bearer_auth(&s.admin)).await;

    common::expect_unauthenticated(&none, "no token");
    common::expect_forbidden(&staff, "a user with every permission is no admin");
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.text);
    assert!(admin
        .text
        .contains("# TYPE venue_groups_http_requests_total counter"));
    assert!(admin.text.contains(&format!(
        "venue_groups_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_figures_move_with_the_traffic() {
    let s = TestServer::start().await;
    let partner = s.partner("Hall").await;
    let groups = r#"method="POST",route="/api/internal/v1/partners/{partner_id}/groups""#;
    let created = format!("venue_groups_http_requests_total{{{groups},status=\"200\"}}");
    let refused = format!("venue_groups_http_requests_total{{{groups},status=\"422\"}}");
    let latency = format!("venue_groups_http_request_duration_seconds_count{{{groups}}}");
    let before = scrape(&s).await;

    // Act: 8 groups created at once (so the writer can batch them), one
    // refused, logins that work, fail and get throttled.
    let mut creating = Vec::new();
    for i in 0..8 {
        let (client, url, admin) = (
            s.client.clone(),
            s.api(&format!("/partners/{partner}/groups")),
            s.admin.clone(),
        );
        creating.push(tokio::spawn(async move {
            send(
                client
                    .post(url)
                    .bearer_auth(admin)
                    .json(&json!({"name": format!("g{i}")})),
            )
            .await
        }));
    }
    for c in creating {
        assert_eq!(c.await.unwrap().status, StatusCode::OK);
    }
    let bad = s
        .post(
            &format!("/partners/{partner}/groups"),
            &s.admin,
            json!({"name": ""}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    s.login(ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let login = |password: &'static str| {
        s.call(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "nobody@test.local", "password": password})),
        )
    };
    for _ in 0..venue_groups::api::auth::THROTTLE_ATTEMPTS {
        assert_eq!(
            login("wrong-password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("wrong-password").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let after = scrape(&s).await;

    // Assert
    let delta = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(delta(&created), 8.0, "{after}");
    assert_eq!(delta(&refused), 1.0, "{after}");
    assert_eq!(delta(&latency), 9.0, "{after}");
    assert!(delta("venue_groups_db_commits_total") >= 1.0, "{after}");
    assert!(
        delta("venue_groups_db_commit_seconds_count") >= 1.0,
        "{after}"
    );
    assert!(delta("venue_groups_db_commit_seconds_sum") > 0.0, "{after}");
    // Every job passed through a batch: the batch sizes add up to at least
    // the 8 creates and the login's token.
    assert!(
        delta("venue_groups_writer_batch_size_sum") >= 9.0,
        "{after}"
    );
    assert!(
        delta(r#"venue_groups_logins_total{outcome="ok"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        delta(r#"venue_groups_logins_total{outcome="failed"}"#)
            >= venue_groups::api::auth::THROTTLE_ATTEMPTS as f64,
        "{after}"
    );
    assert!(
        delta(r#"venue_groups_logins_total{outcome="throttled"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        value(&after, "venue_groups_open_connections") >= 1.0,
        "{after}"
    );
    assert!(
        value(&after, "venue_groups_database_bytes") >= 4096.0,
        "{after}"
    );
    assert!(value(&after, "venue_groups_wal_bytes") > 0.0, "{after}");
    // The scrape itself is counted, under its own route.
    assert!(
        delta(r#"venue_groups_http_requests_total{method="GET",route="/metrics",status="200"}"#)
            >= 1.0,
        "{after}"
    );
}
