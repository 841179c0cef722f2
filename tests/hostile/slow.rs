//! Big and slow.

use super::*;

#[tokio::test]
async fn a_10_mb_body_is_413_and_the_connection_does_not_hang() {
    let s = TestServer::start().await;
    let p = s.partner("Big Venue").await;
    let addr = s.url.trim_start_matches("http://").to_string();
    let big = vec![b'x'; 10 * 1024 * 1024];
    let target = format!("/api/internal/v1/partners/{p}/groups");

    // With a Content-Length.
    let started = Instant::now();
    let raw = send_raw(
        &addr,
        &request(
            "POST",
            &target,
            Some(&s.admin),
            Some("application/json"),
            &big,
        ),
    )
    .await;
    assert_eq!(raw.status, 413, "{}", String::from_utf8_lossy(&raw.body));
    let body: Value = serde_json::from_slice(&raw.body).unwrap();
    assert!(body["message"].is_string(), "{body}");
    assert!(started.elapsed() < Duration::from_secs(15));

    // Chunked, with no length declared.
    let mut chunked = format!(
        "POST {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        s.admin
    )
    .into_bytes();
    for part in big.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let raw = send_raw(&addr, &chunked).await;
    assert_eq!(raw.status, 413, "{}", String::from_utf8_lossy(&raw.body));
    assert!(serde_json::from_slice::<Value>(&raw.body).unwrap()["message"].is_string());

    // Through an ordinary client, on a kept-alive connection pool, and the
    // server goes on serving.
    let a = common::send(
        s.client
            .post(s.api(&format!("/partners/{p}/groups")))
            .bearer_auth(&s.admin)
            .header("content-type", "application/json")
            .timeout(Duration::from_secs(20))
            .body(big.clone()),
    )
    .await;
    assert_eq!(a.status, 413, "{}", a.text);

    // The CSV import takes up to 5 MB, not 10.
    let raw = send_raw(
        &addr,
        &request(
            "POST",
            &format!("/api/internal/v1/partners/{p}/customers/import"),
            Some(&s.admin),
            Some("text/csv"),
            &big,
        ),
    )
    .await;
    assert_eq!(raw.status, 413, "{}", String::from_utf8_lossy(&raw.body));

    // Without a token or to no route at all, 10 MB still get a JSON answer.
    for (target, status) in [
        (target.as_str(), 401),
        ("/api/internal/v1/nowhere", 404),
        ("/api/internal/v1/me", 405),
    ] {
        let raw = send_raw(
            &addr,
            &request("POST", target, None, Some("application/json"), &big),
        )
        .await;
        assert_eq!(
            raw.status,
            status,
            "{target}: {}",
            String::from_utf8_lossy(&raw.body)
        );
        assert!(serde_json::from_slice::<Value>(&raw.body).unwrap()["message"].is_string());
    }
    let a = s.get(&format!("/partners/{p}/groups"), &s.admin).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["meta"]["total"], 0, "nothing was created");
}

/// Reads from a connection until it closes; the bytes read, or `None` if
/// it was still open after `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()?;
    Some(out)
}

#[tokio::test]
async fn a_slow_loris_is_cut_off_after_the_header_timeout_and_others_are_served_meanwhile() {
    let s = TestServer::start_with(|c| c.header_read_timeout = Duration::from_secs(2)).await;
    let addr = s.url.trim_start_matches("http://").to_string();

    // Many clients that send half a request line, or half the headers, or
    // nothing at all, and then nothing.
    let mut lorises = Vec::new();
    for i in 0..42 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let partial: &[u8] = match i % 3 {
            0 => b"GET /api/internal/v1/me HT",
            1 => b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
            _ => b"",
        };
        stream.write_all(partial).await.unwrap();
        lorises.push(stream);
    }
    let opened = Instant::now();

    // Meanwhile the server answers everybody else at once.
    for _ in 0..5 {
        let started = Instant::now();
        let r = s
            .client
            .get(format!("{}/healthz", s.url))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("healthz while lorises hang on");
        assert_eq!(r.status(), 200);
        // Well within the lorises' 2 s: served while they hang on.
        assert!(started.elapsed() < Duration::from_millis(1500));
    }
    let a = s.get("/me", &s.admin).await;
    assert_eq!(a.status, 200);

    // Each loris is disconnected soon after the 2 s timeout (an answer,
    // if any, is a 408, never a 200).
    for mut stream in lorises {
        let left = Duration::from_secs(5).saturating_sub(opened.elapsed());
        let got = read_until_closed(&mut stream, left)
            .await
            .expect("a slow-loris connection was still open 5 s after it started");
        if !got.is_empty() {
            let text = String::from_utf8_lossy(&got);
            assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        }
    }
    assert!(opened.elapsed() >= Duration::from_millis(1800));
    let a = s.get("/me", &s.admin).await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn a_body_that_trickles_is_cut_off_by_the_body_timeout() {
    let s = TestServer::start_with(|c| c.body_read_timeout = Duration::from_millis(800)).await;
    let p = s.partner("Slow Venue").await;
    let addr = s.url.trim_start_matches("http://").to_string();
    let body = br#"{"name": "Trickled group", "description": "one byte at a time"}"#;
    for chunked in [false, true] {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let framing = if chunked {
            "Transfer-Encoding: chunked".to_string()
        } else {
            format!("Content-Length: {}", body.len())
        };
        let head = format!(
            "POST /api/internal/v1/partners/{p}/groups HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Bearer {}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n",
            s.admin
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        // One byte every 200 ms: the whole body would take 13 s.
        let (mut reader, mut writer) = stream.into_split();
        let trickle = tokio::spawn(async move {
            for b in body.iter() {
                let piece = if chunked {
                    let mut v = b"1\r\n".to_vec();
                    v.push(*b);
                    v.extend_from_slice(b"\r\n");
                    v
                } else {
                    vec![*b]
                };
                if writer.write_all(&piece).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        let mut out = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            let mut buf = [0u8; 4096];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        out.extend_from_slice(&buf[..n]);
                        if parse(&out).is_some_and(|r| {
                            r.header("content-length")
                                .and_then(|l| l.parse::<usize>().ok())
                                .is_some_and(|l| r.body.len() >= l)
                        }) {
                            break;
                        }
                    }
                }
            }
        })
        .await;
        trickle.abort();
        assert!(
            closed.is_ok(),
            "chunked={chunked}: no answer and no close 5 s into a trickled body"
        );
        assert!(started.elapsed() >= Duration::from_millis(700));
        if !out.is_empty() {
            let raw = parse(&out).expect("an HTTP answer");
            assert_eq!(raw.status, 408, "{}", String::from_utf8_lossy(&out));
            let v: Value = serde_json::from_slice(&raw.body).unwrap();
            assert!(v["message"].is_string(), "{v}");
        }
    }
    // Nothing was written, and the server serves on.
    let a = s.get(&format!("/partners/{p}/groups"), &s.admin).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["meta"]["total"], 0, "{}", a.text);
}

#[tokio::test]
async fn an_if_match_that_is_not_text_matches_nothing_and_the_write_is_refused() {
    let s = TestServer::start().await;
    let p = s.partner("Etag Venue").await;
    let g = s.group(&s.admin, p, "Guarded group").await;
    let addr = s.url.trim_start_matches("http://").to_string();
    let body = br#"{"name": "Overwritten"}"#;
    for (method, sends_body) in [("PUT", true), ("PATCH", true), ("DELETE", false)] {
        // obs-text bytes in the tag: a valid header to HTTP, not a valid
        // entity tag, so it matches no ETag and nothing may change.
        let mut req = format!(
            "{method} /api/internal/v1/partners/{p}/groups/{g} HTTP/1.1\r\nHost: localhost\r\n\
             Connection: close\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nIf-Match: \"",
            s.admin,
            if sends_body { body.len() } else { 0 }
        )
        .into_bytes();
        req.extend_from_slice(b"\xff\xfe\"\r\n\r\n");
        if sends_body {
            req.extend_from_slice(body);
        }
        let raw = send_raw(&addr, &req).await;
        assert_eq!(
            raw.status,
            412,
            "{method}: {}",
            String::from_utf8_lossy(&raw.body)
        );
    }
    let a = s.get(&format!("/partners/{p}/groups/{g}"), &s.admin).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Guarded group");
}
