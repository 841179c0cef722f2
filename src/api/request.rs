//! A request after routing: its guard, path ids, query, headers and body,
//! with the readers handlers use (JSON body, pagination, `If-Match`).

use super::auth::{Check, Guard, Params, Permission};
use super::error::ApiError;
use super::validate::Input;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use warp::http::{header, HeaderMap};

/// Deepest JSON nesting a body may have (its own object is level 1).
const MAX_JSON_DEPTH: usize = 32;

/// What a route reads from the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    None,
    /// `page`, `per_page`.
    Page,
    /// `page`, `per_page`, `search`.
    PageSearch,
    /// `page`, `per_page` and the audit filters.
    Audit,
    /// `group_id`, `dry_run` of the CSV import.
    Import,
}

/// A request body as it arrived.
#[derive(Debug)]
pub enum Body {
    /// No bytes.
    Empty,
    /// The whole body, within the route's limit.
    Bytes(Bytes),
    /// Larger than the route's limit.
    TooLarge,
    /// The client stopped sending before the end.
    TimedOut,
    /// Past the bytes all requests' bodies may hold at once.
    OverBudget,
}

/// Everything a handler gets.
pub struct Request {
    /// The route's guard.
    pub guard: Guard,
    /// What the route reads from the query string.
    pub query_kind: Query,
    pub params: Params,
    /// The path as requested (percent-encoded).
    pub path: String,
    /// The raw query string (without `?`).
    pub query: String,
    pub headers: HeaderMap,
    /// The client's address (see `api::client_address`), for the throttle.
    pub client: IpAddr,
    pub body: Body,
    /// The body's share of the bytes in flight, given back when the request
    /// is done.
    pub _held: Option<OwnedSemaphorePermit>,
}

/// Reads a body up to `limit` bytes, within `timeout`, taking each chunk's
/// bytes from `budget` (the bytes all bodies may hold at once) as it comes.
/// A body past the limit is drained (up to a bound, holding nothing) so the
/// client gets to read the 413 instead of a reset connection.
pub async fn read_body<S, B, E>(
    headers: &HeaderMap,
    stream: S,
    limit: usize,
    timeout: std::time::Duration,
    budget: &Arc<Semaphore>,
) -> (Body, Option<OwnedSemaphorePermit>)
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: bytes::Buf,
{
    const DRAIN_LIMIT: usize = 32 * 1024 * 1024;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared == Some(0) {
        return (Body::Empty, None);
    }
    let mut too_large = declared.is_some_and(|n| n > limit as u64);
    let mut held: Option<OwnedSemaphorePermit> = None;
    let read = async {
        let mut stream = stream;
        let mut buf = BytesMut::new();
        let mut seen = 0usize;
        while let Some(chunk) = stream.next().await {
            let Ok(mut chunk) = chunk else {
                return Body::TimedOut;
            };
            let n = chunk.remaining();
            seen += n;
            if seen > limit {
                too_large = true;
                held = None;
                buf = BytesMut::new();
            }
            if too_large {
                if seen > DRAIN_LIMIT {
                    break;
                }
                chunk.advance(n);
                continue;
            }
            let Ok(more) = budget.clone().try_acquire_many_owned(n as u32) else {
                return Body::OverBudget;
            };
            match &mut held {
                Some(permit) => permit.merge(more),
                None => held = Some(more),
            }
            while chunk.has_remaining() {
                let part = chunk.chunk();
                buf.extend_from_slice(part);
                let n = part.len();
                chunk.advance(n);
            }
        }
        if too_large {
            Body::TooLarge
        } else if buf.is_empty() {
            Body::Empty
        } else {
            Body::Bytes(buf.freeze())
        }
    };
    let body = tokio::time::timeout(timeout, read)
        .await
        .unwrap_or(Body::TimedOut);
    match body {
        Body::Bytes(_) => (body, held),
        other => (other, None),
    }
}

impl Request {
    /// The bearer token's stored form, if the request carries one.
    pub fn token_hash(&self) -> Option<[u8; 32]> {
        bearer_token(&self.headers).map(crate::secrets::token_hash)
    }

    /// The authorization this request needs, to run in a transaction.
    pub fn check(&self) -> Check {
        // The CSV import into a group also needs groups.update; it is a
        // permission check, so it comes before the query's and the body's.
        let also = (self.query_kind == Query::Import
            && self
                .query_pairs()
                .iter()
                .any(|(k, v)| k == "group_id" && !v.trim().is_empty()))
        .then_some(Permission::GroupsUpdate);
        Check {
            token: self.token_hash(),
            guard: self.guard,
            also,
            params: self.params.clone(),
        }
    }

    /// The JSON object body, checked in the contract's order: size (413),
    /// content type (415), syntax and depth (400). No body reads as `{}`.
    pub fn json(&self) -> Result<Input, ApiError> {
        let bytes = match &self.body {
            Body::Empty => return Ok(Input::new(serde_json::Map::new())),
            Body::TooLarge => return Err(ApiError::PayloadTooLarge),
            Body::TimedOut => return Err(ApiError::RequestTimeout),
            Body::OverBudget => return Err(ApiError::Unavailable),
            Body::Bytes(b) => b,
        };
        if !is_json(&self.headers) {
            return Err(ApiError::UnsupportedMediaType);
        }
        if json_depth(bytes) > MAX_JSON_DEPTH {
            return Err(ApiError::MalformedJson(format!(
                "nested deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(serde_json::Value::Object(map)) => Ok(Input::new(map)),
            Ok(_) => Err(ApiError::MalformedJson(
                "the body must be a JSON object".into(),
            )),
            Err(e) => Err(ApiError::MalformedJson(e.to_string())),
        }
    }

    /// The query's `(name, value)` pairs, percent-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The `If-Match` header, if any. One that is not text (obs-text bytes)
    /// reads as empty, which matches no ETag: a precondition the client set
    /// is never dropped, so the write is refused rather than let through.
    pub fn if_match(&self) -> Option<&str> {
        self.headers
            .get(header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or(""))
    }
}

/// The token from `Authorization: Bearer <token>`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// `application/json`, or any `+json` type, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The deepest nesting of arrays and objects, counted without parsing, so a
/// hostile body cannot make the parser recurse.
fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Whether an `If-Match` value lets a write to something with `etag` go on.
pub fn if_match_allows(if_match: Option<&str>, etag: &str) -> bool {
    match if_match {
        None => true,
        Some(value) => value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == etag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_nesting_outside_strings() {
        assert_eq!(json_depth(br#"{"a":[1,{"b":"[[[{"}]}"#), 3);
        assert_eq!(json_depth(br#"{"a":"\"{{"}"#), 1);
    }

    #[test]
    fn if_match_takes_lists_and_star_but_not_weak_tags() {
        assert!(if_match_allows(None, "\"x\""));
        assert!(if_match_allows(Some("\"y\", \"x\""), "\"x\""));
        assert!(if_match_allows(Some("*"), "\"x\""));
        assert!(!if_match_allows(Some("W/\"x\""), "\"x\""));
        assert!(!if_match_allows(Some("\"y\""), "\"x\""));
    }
}
