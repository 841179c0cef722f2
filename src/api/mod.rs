//! The HTTP API: the server hands every request to [`handle`], which
//! routes it through the table in [`routes`], reads its body, and calls the
//! handler the route's line names. Doing the routing ourselves is what lets
//! every answer, 404 and 405 included, be the contract's JSON, and lets the
//! authorization checks run in the contract's order before the body's.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod customers;
pub mod error;
pub mod groups;
pub mod health;
pub mod imports;
pub mod members;
pub mod openapi;
pub mod pagination;
pub mod partners;
pub mod reply;
pub mod request;
pub mod routes;
pub mod sessions;
pub mod users;
pub mod validate;

use crate::config::Config;
use crate::db::{self, Pool, Writer};
use crate::metrics::METRICS;
use auth::{Principal, Throttle};
use error::ApiError;
use request::Request;
use routes::{Resolved, Route};
use rusqlite::Connection;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;
use warp::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use warp::hyper::Body;

/// What every handler shares.
pub struct Ctx {
    pub pool: Pool,
    pub writer: Writer,
    pub config: Config,
    pub throttle: Throttle,
    /// Runs argon2 at low priority on all cores but one.
    pub hasher: crate::secrets::Hasher,
    /// Request body bytes that may be held at once, over all requests.
    pub bodies: Arc<tokio::sync::Semaphore>,
    /// Logins that may wait for (or be in) password checking at once.
    pub logins: Arc<tokio::sync::Semaphore>,
    /// CSV exports streaming now.
    pub exports: members::Exports,
}

impl Ctx {
    /// Builds the shared state; argon2 may use all cores but one.
    pub fn new(pool: Pool, writer: Writer, config: Config) -> Ctx {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        METRICS.register_routes(routes::ROUTES.iter().map(routes::Route::labels));
        Ctx {
            pool,
            writer,
            throttle: Throttle::new(config.login_client_limit),
            hasher: crate::secrets::Hasher::start(cores.saturating_sub(1).max(1)),
            bodies: Arc::new(tokio::sync::Semaphore::new(config.max_body_bytes_in_flight)),
            logins: Arc::new(tokio::sync::Semaphore::new(config.max_pending_logins)),
            exports: members::Exports::new(config.max_exports, config.max_exports_per_user),
            config,
        }
    }

    /// Authorizes the request and runs read work in the same read
    /// transaction, on a blocking thread: one hand-off per request.
    pub async fn read<T, F>(&self, req: &Request, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Principal) -> Result<T, ApiError> + Send + 'static,
    {
        let check = req.check();
        db::read(&self.pool, move |c| {
            let who = check.run(c)?;
            f(c, &who)
        })
        .await
    }

    /// Runs a write job that first checks the token, permissions, partner
    /// access and path again in the write transaction itself, so a
    /// permission or access removed a moment before is honoured.
    pub async fn write<T, F>(&self, req: &Request, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Principal) -> Result<T, ApiError> + Send + 'static,
    {
        let check = req.check();
        self.writer
            .write(move |c| {
                let who = check.run(c)?;
                f(c, &who)
            })
            .await
    }

    /// Runs argon2 work off the runtime, on the low-priority hashing
    /// threads.
    pub async fn hashing<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.hasher
            .run(f)
            .await
            .ok_or_else(|| ApiError::internal("the hashing threads have stopped"))
    }
}

/// Serves one request: routing, authorization, body, handler, security
/// headers, log line.
pub async fn handle(
    ctx: Arc<Ctx>,
    req: warp::hyper::Request<Body>,
    peer: SocketAddr,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let method = parts.method;
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or_default();
    let headers = parts.headers;
    let started = Instant::now();
    let cors = allowed_origin(&ctx.config, &headers);
    let mut labels = crate::metrics::UNMATCHED;
    let mut login = false;
    let mut response = match routes::resolve(&method, path) {
        Resolved::Found(route, params) => {
            labels = route.labels();
            login = route.extras.login;
            let client = client_address(&ctx.config, peer, &headers);
            let req = Request {
                guard: route.guard,
                query_kind: route.query,
                params,
                path: path.to_string(),
                query: query.to_string(),
                headers,
                client,
                body: request::Body::Empty,
                _held: None,
            };
            serve(&ctx, route, req, body)
                .await
                .unwrap_or_else(ApiError::into_response)
        }
        Resolved::MethodNotAllowed(allow) => {
            if method == Method::OPTIONS {
                cors_preflight(&ctx.config, &headers, &allow)
                    .unwrap_or_else(|| ApiError::MethodNotAllowed(allow).into_response())
            } else {
                ApiError::MethodNotAllowed(allow).into_response()
            }
        }
        Resolved::NotFound => match crate::assets::serve(&method, path, &headers) {
            Some(asset) => {
                labels = crate::metrics::ADMIN_PAGE;
                asset
            }
            None => ApiError::NotFound.into_response(),
        },
    };
    secure(cors, &mut response);
    if ctx.config.tls.is_some() {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let status = response.status().as_u16();
    // One reading of the clock for both: they report the same duration.
    let took = started.elapsed();
    METRICS.request(labels, status, took);
    if login {
        METRICS.login(status);
    }
    if tracing::enabled!(tracing::Level::INFO) {
        crate::logging::request(method.as_str(), path, status, took);
    }
    response
}

/// The contract's order of work: a route that takes a body has the token,
/// permission, partner and path checked before a byte of the body is read,
/// so a request that will be refused costs no buffering. Routes without a
/// body never read one.
async fn serve<S, B, E>(
    ctx: &Ctx,
    route: &Route,
    mut req: Request,
    body: S,
) -> Result<Response<Body>, ApiError>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: bytes::Buf,
{
    if route.method.takes_body() {
        if route.guard != routes::Guard::Public {
            ctx.read(&req, |_, _| Ok(())).await?;
        }
        let (body, held) = request::read_body(
            &req.headers,
            body,
            route.body_limit,
            ctx.config.body_read_timeout,
            &ctx.bodies,
        )
        .await;
        req.body = body;
        req._held = held;
        if matches!(req.body, request::Body::OverBudget) {
            return Err(ApiError::Unavailable);
        }
    }
    (route.handler)(ctx, req).await
}

/// The client's address: the TCP peer, or, when the peer is a trusted
/// reverse proxy, the last address in `X-Forwarded-For` (the one that
/// proxy added; earlier ones are the client's to make up).
fn client_address(config: &Config, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let peer = peer.ip();
    if !config.trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(parse_forwarded);
    forwarded.unwrap_or(peer)
}

/// `203.0.113.7`, `203.0.113.7:5120`, `2001:db8::1` or `[2001:db8::1]:5120`.
fn parse_forwarded(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// GET /api/openapi.json: the document [`openapi`] writes from the table.
pub async fn openapi_document(ctx: &Ctx, _req: Request) -> routes::Answer {
    Ok(openapi::document(
        ctx.config.public_url.as_deref().unwrap_or_default(),
    ))
}

/// Headers every response carries; API answers are never cached (they
/// hold personal data and tokens). Names and values are made at compile
/// time: every answer carries them.
fn secure(cors: Option<HeaderValue>, response: &mut Response<Body>) {
    const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");
    const REFERRER: HeaderName = HeaderName::from_static("referrer-policy");
    const FRAMES: HeaderName = HeaderName::from_static("x-frame-options");
    let h = response.headers_mut();
    h.insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER, HeaderValue::from_static("no-referrer"));
    h.insert(FRAMES, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    if let Some(origin) = cors {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// The request's `Origin` when it is the one configured origin.
fn allowed_origin(config: &Config, headers: &HeaderMap) -> Option<HeaderValue> {
    let allowed = config.cors_origin.as_deref()?;
    let origin = headers.get(header::ORIGIN)?;
    (origin.as_bytes() == allowed.as_bytes()).then(|| origin.clone())
}

/// Answers a CORS preflight from the configured origin; `None` otherwise.
fn cors_preflight(config: &Config, headers: &HeaderMap, allow: &str) -> Option<Response<Body>> {
    allowed_origin(config, headers)?;
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_str(allow).ok()?,
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, if-match"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag, location"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    Some(response)
}
