//! Building responses: JSON bodies, the `{"data": ...}` wrapper, `ETag`s.

use serde::Serialize;
use warp::http::{header, HeaderValue, Response, StatusCode};
use warp::hyper::Body;

/// A JSON response.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response<Body> {
    let bytes =
        serde_json::to_vec(body).unwrap_or_else(|_| br#"{"message":"Server error."}"#.to_vec());
    json_bytes(status, Body::from(bytes))
}

/// A response whose body is already JSON.
pub fn json_bytes(status: StatusCode, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    // Room for this and the security headers at once, not grown twice.
    response.headers_mut().reserve(8);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

#[derive(Serialize)]
struct Data<'a, T: Serialize> {
    data: &'a T,
}

/// `200 {"data": value}`.
pub fn data<T: Serialize>(value: &T) -> Response<Body> {
    json(StatusCode::OK, &Data { data: value })
}

/// `200 {"data": value}` with a `Location` header (a create).
pub fn created<T: Serialize>(value: &T, location: String) -> Response<Body> {
    let mut response = data(value);
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A strong `ETag` over the JSON body `{"data": value}`: it changes exactly
/// when what the client sees changes. `DefaultHasher::new()` has fixed keys,
/// so tags are stable across restarts, and it is far cheaper than SHA-256;
/// nothing secret is hashed.
pub fn etag<T: Serialize>(value: &T) -> String {
    tag_of(&serde_json::to_vec(&Data { data: value }).unwrap_or_default())
}

fn tag_of(body: &[u8]) -> String {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(body);
    format!("\"{:016x}{:08x}\"", hasher.finish(), body.len())
}

/// `200 {"data": value}` with its `ETag`, serialized once for both.
pub fn data_with_etag<T: Serialize>(value: &T) -> Response<Body> {
    let body = serde_json::to_vec(&Data { data: value }).unwrap_or_default();
    let tag = tag_of(&body);
    let mut response = json_bytes(StatusCode::OK, Body::from(body));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}
