//! The admin page: files under `assets/` (scripts and styles without their
//! comment lines, see build.rs), embedded in the binary and served at the
//! root by exact name. Nothing is read from the filesystem, so no
//! path can reach outside the embedded set. Each text file is also embedded
//! gzip-compressed (by build.rs, at build time) and sent so to clients that
//! accept gzip, each variant with its own strong ETag.

use include_dir::{include_dir, Dir};
use warp::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use warp::hyper::Body;

static ASSETS: Dir<'_> = include_dir!("$OUT_DIR/assets");

/// `(name, gzip bytes)` for every asset that compresses (build.rs).
static GZIPPED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/assets_gz.rs"));

fn gzipped(name: &str) -> Option<&'static [u8]> {
    GZIPPED.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Whether `Accept-Encoding` takes gzip (a `q=0` refuses it).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// The page's policy: its own scripts, styles and API only.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The embedded file at `path`, if any (`/` is `index.html`).
pub fn get(path: &str) -> Option<&'static [u8]> {
    file(path).map(|f| f.contents())
}

/// The embedded file at a request path.
fn file(path: &str) -> Option<&'static include_dir::File<'static>> {
    let name = match path {
        "/" | "/index.html" => "index.html",
        _ => path.strip_prefix('/')?,
    };
    if name.contains('/') || name.starts_with('.') {
        return None;
    }
    ASSETS.get_file(name)
}

/// Serves an embedded file for GET or HEAD, honouring `If-None-Match`.
pub fn serve(method: &Method, path: &str, headers: &HeaderMap) -> Option<Response<Body>> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let file = file(path)?;
    let name = file.path().to_str()?;
    let packed = gzipped(name).filter(|_| accepts_gzip(headers));
    let contents = packed.unwrap_or(file.contents());
    let mut etag = TAGS.get(name).cloned().unwrap_or_default();
    if packed.is_some() {
        // A strong tag names one byte sequence: the gzip variant has its own.
        etag.insert_str(etag.len() - 1, "-gz");
    }
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::from(contents))
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(name)));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if packed.is_some() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Revalidate every time: the ETag makes that cheap, and a new binary's
    // page is picked up at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    Some(response)
}

/// Each embedded file's ETag, hashed once: the files are part of the
/// binary and never change while it runs.
static TAGS: std::sync::LazyLock<std::collections::HashMap<&'static str, String>> =
    std::sync::LazyLock::new(|| {
        use sha2::{Digest, Sha256};
        ASSETS
            .files()
            .filter_map(|f| {
                let tag = format!(
                    "\"{}\"",
                    crate::secrets::hex(&Sha256::digest(f.contents())[..16])
                );
                Some((f.path().to_str()?, tag))
            })
            .collect()
    });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_html_is_embedded_and_traversal_finds_nothing() {
        assert!(get("/").is_some());
        assert!(get("/..%2fCargo.toml").is_none());
        assert!(get("/../schema.sql").is_none());
        assert!(get("/%2e%2e/schema.sql").is_none());
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
        assert!(gzipped("app.js").is_some());
    }
}
