//! Logins under attack: the throttle keys on email and client address, so
//! nobody can lock a user out from elsewhere; one address failing for many
//! emails is stopped; a flood gets fast answers while a real login gets
//! through; emails match however their accents were typed; and a write
//! honours a permission revoked after it was authorized.

mod common;

use common::world::{read_head, send_head, World};
use common::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// A server behind a trusted proxy on loopback, so each test login can say
/// which client it comes from in `X-Forwarded-For`.
async fn behind_proxy() -> TestServer {
    TestServer::start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.login_client_limit = 20;
    })
    .await
}

async fn login_from(s: &TestServer, client: &str, email: &str, password: &str) -> common::Answer {
    common::send(
        s.client
            .post(s.api("/auth/login"))
            .header("x-forwarded-for", format!("198.51.100.99, {client}"))
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn failed_logins_from_one_address_do_not_lock_the_user_out_elsewhere() {
    let s = behind_proxy().await;
    for _ in 0..6 {
        login_from(&s, "203.0.113.66", ADMIN_EMAIL, "wrong-password").await;
    }

    // The attacker's address is throttled, even with the right password.
    let there = login_from(&s, "203.0.113.66", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        there.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        there.text
    );
    assert!(there.header("retry-after").is_some());

    // The admin's own desk is not.
    let here = login_from(&s, "192.0.2.10", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(here.status, StatusCode::OK, "{}", here.text);
}

#[tokio::test]
async fn an_address_that_fails_for_many_emails_is_refused_for_every_email() {
    let s = behind_proxy().await;
    for i in 0..20 {
        let a = login_from(&s, "203.0.113.7", &format!("guess{i}@nowhere.test"), "x").await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            a.text
        );
    }

    let a = login_from(&s, "203.0.113.7", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert_eq!(a.body, json!({"message": "Too many attempts."}));
    let a = login_from(&s, "192.0.2.10", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    let s = TestServer::start_with(|c| c.login_client_limit = 3).await;
    // Each attempt claims another address; the peer is what counts.
    for i in 0..3 {
        login_from(
            &s,
            &format!("203.0.113.{i}"),
            &format!("g{i}@nowhere.test"),
            "x",
        )
        .await;
    }
    let a = login_from(&s, "192.0.2.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
}

#[tokio::test]
async fn a_login_flood_gets_fast_answers_and_a_real_login_still_gets_through() {
    let s = behind_proxy().await;
    // Act: 150 logins for unknown emails from 150 addresses at once, and
    // the admin's login in the middle of them.
    let flood: Vec<_> = (0..150)
        .map(|i| {
            let client = s.client.clone();
            let url = s.api("/auth/login");
            tokio::spawn(async move {
                let started = Instant::now();
                let r = client
                    .post(url)
                    .header(
                        "x-forwarded-for",
                        format!("198.18.{}.{}", i / 200, i % 200 + 1),
                    )
                    .json(&json!({"email": format!("flood{i}@nowhere.test"), "password": "x"}))
                    .send()
                    .await
                    .unwrap();
                (
                    r.status(),
                    started.elapsed(),
                    r.headers().contains_key("retry-after"),
                )
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let started = Instant::now();
    let mut real = login_from(&s, "192.0.2.10", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    while real.status == StatusCode::SERVICE_UNAVAILABLE
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
        real = login_from(&s, "192.0.2.10", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    }
    let real_took = started.elapsed();

    // Assert: the real login within seconds; the flood's refusals are 503
    // with Retry-After and quick; the rest are plain 401s.
    assert_eq!(real.status, StatusCode::OK, "{}", real.text);
    assert!(
        real_took < Duration::from_secs(8),
        "the real login took {real_took:?}"
    );
    let mut refused = 0;
    for task in flood {
        let (status, took, retry_after) = task.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert!(retry_after);
                assert!(took < Duration::from_secs(2), "a refusal took {took:?}");
            }
            other => panic!("flood login answered {other}"),
        }
    }
    assert!(
        refused > 0,
        "150 logins at once were all queued for hashing"
    );
}

#[tokio::test]
async fn an_email_typed_in_nfd_reaches_the_user_created_in_nfc() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let nfc = "jos\u{e9}@venue.test";
    let nfd = "jose\u{301}@venue.test";
    let body = |email: &str| json!({"email": email, "password": "a-long-password", "first_name": "José", "last_name": "García"});

    let first = s
        .post(&format!("/partners/{}/users", w.a), &s.admin, body(nfc))
        .await;
    let second = s
        .post(&format!("/partners/{}/users", w.b), &s.admin, body(nfd))
        .await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(
        second.body["data"]["id"], first.body["data"]["id"],
        "NFD made a second user"
    );
    assert_eq!(second.body["data"]["email"], json!(nfc));
    s.login(nfd, "a-long-password").await;

    // Customers: the same address in NFD is taken.
    let (_, token) = &w.a_user;
    s.customer(token, w.a, "José", "García", Some(nfc)).await;
    let a = s
        .post(
            &format!("/partners/{}/customers", w.a),
            token,
            json!({"first_name": "Jose", "last_name": "Garcia", "email": nfd}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(
        a.body["errors"]["email"],
        json!(["The email has already been taken."])
    );
}

#[tokio::test]
async fn a_permission_revoked_while_the_body_arrives_stops_the_write() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (a_id, token) = &w.a_user;
    let body = br#"{"name": "Should not exist"}"#;
    let len = body.len().to_string();
    let headers = [
        ("content-type", "application/json"),
        ("content-length", len.as_str()),
    ];

    // Act: the head and half the body; the admin revokes groups.create;
    // then the rest of the body.
    let mut stream = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
    let path = format!("/partners/{}/groups", w.a);
    send_head(
        &mut stream,
        "POST",
        &path,
        Some(token),
        &headers,
        &body[..10],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let a = s
        .put(
            &format!("/users/{a_id}/permissions"),
            &s.admin,
            json!({"permissions": ["groups.read"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    stream.write_all(&body[10..]).await.unwrap();
    let (status, head, _) = read_head(&mut stream).await;

    // Assert: 403, and no such group.
    assert_eq!(status, 403, "{head}");
    let list = s.get(&format!("/partners/{}/groups", w.a), &s.admin).await;
    assert!(!list.text.contains("Should not exist"), "{}", list.text);
}

#[tokio::test]
async fn an_import_into_a_group_without_groups_update_is_403_before_the_query_is_judged() {
    let s = TestServer::start().await;
    let w = World::new(&s).await;
    let (_, token) = s
        .user("importer@world.test", &["customers.create"], &[w.a])
        .await;
    let a = common::send(
        s.client
            .post(s.api(&format!(
                "/partners/{}/customers/import?group_id=1&dry_run=maybe",
                w.a
            )))
            .bearer_auth(&token)
            .header("content-type", "text/csv")
            .body("first_name,last_name\nAnna,Berger\n"),
    )
    .await;
    common::expect_forbidden(&a, "import into a group without groups.update");
}
