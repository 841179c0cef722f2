//! How the page's files are served: security headers, ETags, gzip, the
//! size budget, and a page that talks to its own server only.

use crate::common::{self};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends a request line as typed (no client normalises the path) and
/// answers the status code.
async fn raw_status(addr: &str, path: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).unwrap_or_default();
    status
        .parse()
        .unwrap_or_else(|_| panic!("no status in {text:?}"))
}

// No browser needed: the headers the assets are served with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_carry_the_security_headers_and_stay_small() {
    let s = common::TestServer::start().await;
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let r = s
            .client
            .get(format!("{}{path}", s.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(h("content-type"), kind, "{path}");
        let csp = h("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        let etag = h("etag");
        assert!(
            etag.starts_with('"') && etag.len() > 2,
            "{path}: etag {etag:?}"
        );
        assert!(!h("cache-control").is_empty(), "{path}");
        // The ETag revalidates.
        let again = s
            .client
            .get(format!("{}{path}", s.url))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }

    let addr = s.url.trim_start_matches("http://").to_string();
    for path in [
        "/..%2fCargo.toml",
        "/%2e%2e/schema.sql",
        "/../schema.sql",
        "/assets/app.js",
        "/.gitignore",
        "/nope.js",
    ] {
        assert_eq!(raw_status(&addr, path).await, 404, "{path}");
    }

    // The whole page, German dictionary included: what a browser loads in
    // either language. Scripts and styles are served without the source's
    // comment lines, every other line exactly as written and in order.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let (mut total, mut written) = (0, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let served = s
            .client
            .get(format!("{}/{name}", s.url))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), StatusCode::OK, "{name}");
        let served = served.bytes().await.unwrap();
        total += served.len();
        let source = std::fs::read(&path).unwrap();
        if !(name.ends_with(".js") || name.ends_with(".css")) {
            assert_eq!(served, source, "{name} is served as written");
            written += source.len();
            continue;
        }
        let served = String::from_utf8(served.to_vec()).unwrap();
        let source = String::from_utf8(source).unwrap();
        let mut left = source.lines();
        for line in served.lines() {
            assert!(
                left.any(|l| l == line),
                "{name}: the served line {line:?} is not the source's next"
            );
        }
        written += source.len();
    }
    assert!(total < written, "the comment lines are not served");
    assert!(total < 150 * 1024, "the page weighs {total} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_served_gzipped_with_their_own_etag_and_preloaded() {
    let s = common::TestServer::start().await;
    let get = |path: &'static str, gzip: bool, tag: Option<String>| {
        let mut r = s.client.get(format!("{}{path}", s.url));
        if gzip {
            r = r.header("Accept-Encoding", "gzip, deflate, br");
        }
        if let Some(tag) = tag {
            r = r.header("If-None-Match", tag);
        }
        r.send()
    };
    for path in ["/", "/app.js", "/i18n-de.js", "/style.css"] {
        let plain = get(path, false, None).await.unwrap();
        let packed = get(path, true, None).await.unwrap();
        let header = |r: &reqwest::Response, name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header(&packed, "content-encoding"), "gzip", "{path}");
        assert_eq!(header(&plain, "content-encoding"), "", "{path}");
        for r in [&plain, &packed] {
            assert_eq!(
                header(r, "vary").to_ascii_lowercase(),
                "accept-encoding",
                "{path}"
            );
        }
        let (tag, ztag) = (header(&plain, "etag"), header(&packed, "etag"));
        assert!(
            tag.starts_with('"') && ztag.starts_with('"') && tag != ztag,
            "{path}: {tag} {ztag}"
        );
        let raw = plain.bytes().await.unwrap();
        let zipped = packed.bytes().await.unwrap();
        assert_eq!(&zipped[..2], b"\x1f\x8b", "{path}");
        assert!(
            zipped.len() * 2 < raw.len(),
            "{path}: {} of {}",
            zipped.len(),
            raw.len()
        );
        let again = get(path, true, Some(ztag)).await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }

    // Every module is preloaded, so the browser fetches the graph at once.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".js") && name != "app.js" {
            assert!(
                index.contains(&format!("<link rel=\"modulepreload\" href=\"/{name}\">")),
                "{name} is not preloaded"
            );
        }
    }
}
