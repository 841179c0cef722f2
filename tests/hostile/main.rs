//! Hostile input: property tests (proptest) that throw random JSON-ish
//! bodies, invalid UTF-8, deep nesting, huge numbers, NUL bytes and long
//! strings at every route that takes a body; garbage `page`, `per_page` and
//! `search` values (SQL metacharacters, invalid percent-encoding) at every
//! list; and random paths and methods at the router. The invariants: never
//! a 5xx, every error is a JSON object with a `message`, and `/healthz`
//! answers 200 after each barrage. Then the slow and the big: a 10 MB body
//! is 413 without hanging, a slow-loris client is cut off after the
//! header-read timeout while others are served, and a body that trickles
//! is cut off by the body-read timeout.
//!
//! Requests are written to a raw TCP connection, so every byte of the
//! request target and body is exactly what the test chose. The request
//! target only holds bytes an HTTP/1.1 parser takes in one (everything
//! else is percent-encoded, as a client does): bytes such as control
//! characters or raw UTF-8 in a request line are refused by hyper's parser
//! with a bare 400 before any of the server's code runs.

#[path = "../common/mod.rs"]
mod common;

mod barrages;
mod slow;

use common::{TestServer, PASSWORD};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use venue_groups::api::routes::{Guard, Route, Verb, ROUTES};

/// An answer read off a raw connection.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes a chunked body (hyper streams some bodies that way).
fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

/// Parses a whole HTTP/1.1 response.
fn parse(bytes: &[u8]) -> Option<Raw> {
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut raw = Raw {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    };
    if raw
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        raw.body = dechunk(&raw.body);
    }
    Some(raw)
}

/// Sends raw bytes on a fresh connection and reads the answer to the end
/// (the request says `Connection: close`); panics if that takes 20 s.
async fn send_raw(addr: &str, request: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer (413) and stop reading before all is written.
    let _ = stream.write_all(request).await;
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server did not finish its answer in 20 s");
    parse(&out).unwrap_or_else(|| {
        panic!(
            "not an HTTP answer: {:?}",
            String::from_utf8_lossy(&out[..out.len().min(500)])
        )
    })
}

/// A request with `Connection: close`.
fn request(
    method: &str,
    target: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<u8> {
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The invariants every answer keeps: no 5xx, `nosniff`, no versioned
/// `Server`, and an error is a JSON object with a string `message` (a 422
/// also with `errors`) that leaks no SQL or panic text.
fn check(raw: &Raw, method: &str, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        raw.status < 500,
        "{what}: {} {}",
        raw.status,
        String::from_utf8_lossy(&raw.body)
    );
    prop_assert_eq!(
        raw.header("x-content-type-options"),
        Some("nosniff"),
        "{}",
        what
    );
    prop_assert!(
        raw.header("server")
            .is_none_or(|s| !s.chars().any(|c| c.is_ascii_digit())),
        "{what}: Server header {:?}",
        raw.header("server")
    );
    if raw.status >= 400 && method != "HEAD" {
        let ct = raw.header("content-type").unwrap_or("");
        prop_assert!(
            ct.starts_with("application/json"),
            "{what}: {} with content type {ct:?}",
            raw.status
        );
        let body: Value = serde_json::from_slice(&raw.body).map_err(|e| {
            TestCaseError::fail(format!(
                "{what}: {} with a body that is not JSON ({e}): {:?}",
                raw.status,
                String::from_utf8_lossy(&raw.body)
            ))
        })?;
        prop_assert!(body["message"].is_string(), "{what}: {body}");
        let text = body.to_string().to_lowercase();
        for leak in ["sqlite", "select ", "panicked", "stack backtrace", "src/"] {
            prop_assert!(!text.contains(leak), "{what}: {body}");
        }
        if raw.status == 422 {
            prop_assert!(body["errors"].is_object(), "{what}: {body}");
        }
    }
    Ok(())
}

/// A test server on a runtime of its own, so proptest's synchronous runner
/// can drive it.
struct Rig {
    rt: Runtime,
    s: TestServer,
    addr: String,
    ids: Ids,
}

#[derive(Debug, Clone, Copy)]
struct Ids {
    partner: i64,
    group: i64,
    customer: i64,
    user: i64,
}

impl Rig {
    fn new() -> Rig {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        let (s, ids) = rt.block_on(async {
            let s = TestServer::start().await;
            let p = s.partner("Hostile Venue").await;
            let g = s.group(&s.admin, p, "Target group").await;
            let c = s
                .customer(&s.admin, p, "Tara", "Target", Some("tara@h.example"))
                .await;
            assert_eq!(s.add_member(&s.admin, p, g, c).await.status, 200);
            let (u, _) = s.user("staff@h.example", &["groups.read"], &[p]).await;
            (
                s,
                Ids {
                    partner: p,
                    group: g,
                    customer: c,
                    user: u,
                },
            )
        });
        let addr = s.url.trim_start_matches("http://").to_string();
        Rig { rt, s, addr, ids }
    }

    fn fill(&self, route: &Route) -> String {
        route
            .path
            .replace("{partner_id}", &self.ids.partner.to_string())
            .replace("{group_id}", &self.ids.group.to_string())
            .replace("{customer_id}", &self.ids.customer.to_string())
            .replace("{user_id}", &self.ids.user.to_string())
    }

    fn send(&self, bytes: &[u8]) -> Raw {
        self.rt.block_on(send_raw(&self.addr, bytes))
    }

    /// After a barrage the server still answers `/healthz` with 200.
    fn assert_healthy(&self) {
        let raw = self.send(&request("GET", "/healthz", None, None, b""));
        assert_eq!(raw.status, 200, "{}", String::from_utf8_lossy(&raw.body));
        let body: Value = serde_json::from_slice(&raw.body).unwrap();
        assert_eq!(body, json!({"status": "ok"}));
    }
}

/// A runner for `cases` cases (modest, so the file runs in seconds);
/// `PROPTEST_CASES=5000 cargo test --test hostile` digs deeper, and
/// `HOSTILE_TRACE=1 ... -- --nocapture` prints each body barrage answer.
fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..PropConfig::default()
    })
}

// --- Strategies ---

fn chars(max: usize) -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// A JSON string literal: random Unicode, NULs, lone surrogates, long.
fn json_string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => chars(40).prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => Just(r#""\u0000""#.to_string()),
        1 => Just(r#""a\u0000b""#.to_string()),
        1 => Just(r#""\ud800""#.to_string()),
        1 => Just(r#""   ""#.to_string()),
        1 => Just(r#""<script>alert(1)</script>""#.to_string()),
        1 => Just(r#""' OR 1=1; --""#.to_string()),
        1 => (200usize..3000).prop_map(|n| format!("\"{}\"", "é".repeat(n))),
        1 => (60_000usize..70_000).prop_map(|n| format!("\"{}\"", "x".repeat(n))),
    ]
}

fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1e400".to_string()),
        Just("-1e400".to_string()),
        Just("1e-400".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("-99999999999999999999999".to_string()),
        Just("9223372036854775807".to_string()),
        Just("9223372036854775808".to_string()),
        Just("-9223372036854775809".to_string()),
        Just("18446744073709551616".to_string()),
        Just("0".to_string()),
        Just("-0".to_string()),
        Just("1.0".to_string()),
        Just("1.5".to_string()),
        Just("1E2".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
    ]
}

/// A field some route reads.
fn json_known_key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "name",
        "description",
        "email",
        "password",
        "first_name",
        "last_name",
        "phone",
        "customer_id",
        "permissions",
        "partner_ids",
        "add",
        "remove",
        "group_id",
    ])
    .prop_map(|k| format!("\"{k}\""))
}

/// A key: mostly the fields routes read, so the validators are exercised.
fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![4 => json_known_key(), 1 => json_string()]
}

/// A scalar, or a short list of them (ids and permissions are lists).
fn json_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => json_string(),
        2 => json_number(),
        1 => prop::sample::select(vec!["null", "true", "false", "[]", "{}"]).prop_map(str::to_string),
        1 => vec(prop_oneof![json_number(), json_string()], 0..4)
            .prop_map(|v| format!("[{}]", v.join(","))),
        1 => prop::sample::select(vec![
            r#"["groups.read", "groups.read"]"#, r#"["GROUPS.READ"]"#, r#"[1, 1, 2]"#,
            r#""a@b.example""#, r#""  A@B.EXAMPLE  ""#, r#""a@b""#, r#""@""#, r#""a@@b.c""#,
        ]).prop_map(str::to_string),
    ]
}

fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        json_number(),
        json_string(),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
            vec((json_key(), inner), 0..6).prop_map(|kv| {
                let fields: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", fields.join(","))
            }),
        ]
    })
}

/// A body: mostly an object of known fields with hostile values, or deep
/// nesting, or bytes; then perhaps truncated or with a NUL or an invalid
/// UTF-8 byte spliced in.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        6 => vec((json_key(), json_value()), 0..5).prop_map(|kv| {
            let fields: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("{{{}}}", fields.join(","))
        }),
        2 => json_value(),
        1 => (1usize..120).prop_map(|d| format!("{{\"name\":{}1{}}}", "[".repeat(d), "]".repeat(d))),
        1 => (1usize..120).prop_map(|d| format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d))),
        1 => (1usize..40).prop_map(|d| "[".repeat(d * 1000)),
        1 => Just(String::new()),
    ]
    .prop_map(String::into_bytes);
    // Only the fields routes read, with hostile scalar values: these get
    // past the unknown-field check to the validators and the database.
    let plausible = vec((json_known_key(), json_scalar()), 1..5)
        .prop_map(|kv| {
            let fields: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("{{{}}}", fields.join(","))
        })
        .prop_map(String::into_bytes);
    let bytes = prop_oneof![
        6 => plausible,
        6 => text,
        1 => vec(any::<u8>(), 0..300),
    ];
    (bytes, 0u8..16, any::<prop::sample::Index>()).prop_map(|(mut b, mutation, at)| {
        let i = if b.is_empty() { 0 } else { at.index(b.len()) };
        match mutation {
            0 => b.truncate(i),
            1 => b.insert(i, 0),
            2 => b.insert(i, 0xff),
            3 => b.splice(i..i, [0xc3, 0x28]).for_each(drop),
            4 => b.splice(i..i, *b"\xed\xa0\x80").for_each(drop),
            _ => {}
        }
        b
    })
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        24 => Just(Some("application/json")),
        4 => Just(Some("application/json; charset=utf-8")),
        1 => Just(Some("application/merge-patch+json")),
        1 => Just(Some("text/plain")),
        1 => Just(Some("text/csv")),
        1 => Just(Some("application/x-www-form-urlencoded")),
        1 => Just(None),
    ]
}

/// Percent-encodes every byte that is not unreserved.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (*b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A query value: numbers in and out of range, SQL metacharacters raw and
/// encoded, invalid percent-encoding and invalid UTF-8.
fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "1",
            "0",
            "-1",
            "2",
            "100",
            "101",
            "9223372036854775807",
            "9223372036854775808",
            "99999999999999999999999",
            "1e3",
            "1.5",
            "%201",
            "+1",
            "0x10",
            "",
            "-0",
            "00001",
            "'",
            "';--",
            "%",
            "%%",
            "_",
            "%25",
            "%5F",
            "\\",
            "%5C",
            "'%20OR%201=1%20--",
            ";DROP%20TABLE%20groups;",
            "%27%3B--",
            "%FF",
            "%C3",
            "%C3%28",
            "%ED%A0%80",
            "%00",
            "%zz",
            "%2",
            "a%00b",
            "%E2%80%AE",
            "*",
            "[]",
            "{}",
            "$",
            "!",
            "(",
            ")",
            "@",
            ":",
        ])
        .prop_map(str::to_string),
        chars(20).prop_map(|s| encode(s.as_bytes())),
        vec(any::<u8>(), 0..20).prop_map(|b| encode(&b)),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => prop::sample::select(vec!["page", "per_page", "search"]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["page[]", "sort", "%70age", "", "=", "search%00"])
            .prop_map(str::to_string),
        1 => chars(8).prop_map(|s| encode(s.as_bytes())),
    ];
    vec((key, query_value(), any::<bool>()), 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v, with_eq)| {
                if *with_eq || !v.is_empty() {
                    format!("{k}={v}")
                } else {
                    k.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "partners", "groups", "customers", "users", "auth", "login", "logout", "me",
            "permissions", "batch", "export", "import", "audit", "1", "2", "3", "0", "-1", "abc",
            "1.5", "1e3", "+1", "9223372036854775807", "9223372036854775808", "", ".", "..",
            "%2e%2e", "%2F", "%00", "%FF", "%C3%28", "index.html", "app.js", "openapi.json",
            "api", "internal", "v1", "'", ";", "%27%3B--", "\\", "%5C", "~", "*",
        ])
        .prop_map(str::to_string),
        1 => chars(12).prop_map(|s| encode(s.as_bytes())),
        1 => vec(any::<u8>(), 0..12).prop_map(|b| encode(&b)),
    ]
}

fn path() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            3 => Just("/api/internal/v1/"),
            1 => Just("/api/internal/v1/partners/1/"),
            1 => Just("/"),
            1 => Just("/api/"),
        ],
        vec(segment(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(base, segs, slash)| {
            let mut p = format!("{base}{}", segs.join("/"));
            if slash {
                p.push('/');
            }
            p
        })
}

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND",
    ])
}
