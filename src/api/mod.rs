//! The HTTP API: one warp filter hands every request to [`handle`], which
//! routes it through the table in [`routes`], reads its body, and calls the
//! resource's handler. Doing the routing ourselves is what lets every
//! answer, 404 and 405 included, be the contract's JSON, and lets the
//! authorization checks run in the contract's order before the body's.

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
use crate::metrics::{RouteSlot, METRICS};
use auth::{Principal, Throttle};
use error::ApiError;
use request::Request;
use routes::{Endpoint, Resolved};
use rusqlite::Connection;
use std::sync::Arc;
use std::time::Instant;
use warp::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use warp::hyper::Body;

/// What every handler shares.
pub struct Ctx {
    pub pool: Pool,
    pub writer: Writer,
    pub config: Config,
    pub throttle: Throttle,
    /// Runs argon2 at low priority on all cores but one.
    pub hasher: crate::secrets::Hasher,
}

impl Ctx {
    /// Builds the shared state; argon2 may use all cores but one.
    pub fn new(pool: Pool, writer: Writer, config: Config) -> Ctx {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ctx {
            pool,
            writer,
            config,
            throttle: Throttle::default(),
            hasher: crate::secrets::Hasher::start(cores.saturating_sub(1).max(1)),
        }
    }

    /// Authorizes the request and runs read work in the same read
    /// transaction, on a blocking thread: one hand-off per request.
    pub async fn read<T, F>(&self, req: &Request, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Principal) -> Result<T, ApiError> + Send + 'static,
    {
        let token = req.token_hash();
        let guard = req.route.guard;
        let params = req.params.clone();
        db::read(&self.pool, move |c| {
            let who = auth::authorize(c, token.as_ref(), guard, &params)?
                .ok_or_else(|| ApiError::internal("a guarded handler on a public route"))?;
            f(c, &who)
        })
        .await
    }

    /// Authorizes the request (before a write, whose body is read next).
    pub async fn authorize(&self, req: &Request) -> Result<Principal, ApiError> {
        self.read(req, |_, who| Ok(who.clone())).await
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

/// Serves one request: routing, body, handler, security headers, log line.
pub async fn handle<S, B, E>(
    ctx: Arc<Ctx>,
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: S,
) -> Response<Body>
where
    S: futures_util::Stream<Item = Result<B, E>> + Unpin,
    B: bytes::Buf,
{
    let started = Instant::now();
    let cors = allowed_origin(&ctx.config, &headers);
    let mut slot = RouteSlot::Unmatched;
    let mut response = match routes::resolve(&method, &path) {
        Resolved::Found(route, params) => {
            slot = routes::slot(route);
            let limit = route.body_limit();
            let body =
                request::read_body(&headers, body, limit, ctx.config.body_read_timeout).await;
            let req = Request {
                route,
                params,
                path: path.clone(),
                query,
                headers,
                body,
            };
            dispatch(&ctx, req)
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
        Resolved::NotFound => match crate::assets::serve(&method, &path, &headers) {
            Some(asset) => {
                slot = RouteSlot::Asset;
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
    METRICS.request(slot, status, started.elapsed());
    if let RouteSlot::Route(i) = slot {
        if routes::ROUTES[i].endpoint == Endpoint::Login {
            METRICS.login(status);
        }
    }
    tracing::info!(
        "{} {} {} {:.1}ms",
        method,
        path,
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

async fn dispatch(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    use Endpoint::*;
    match req.route.endpoint {
        Livez => Ok(health::livez()),
        Healthz => health::healthz(ctx).await,
        OpenApi => Ok(openapi::document()),
        Login => sessions::login(ctx, req).await,
        Logout => sessions::logout(ctx, req).await,
        Me => sessions::me(ctx, req).await,
        PartnersList => partners::list(ctx, req).await,
        PartnersCreate => partners::create(ctx, req).await,
        PartnersShow => partners::show(ctx, req).await,
        PartnersUpdate => partners::update(ctx, req).await,
        PartnersDelete => partners::delete(ctx, req).await,
        UsersShow => users::show(ctx, req).await,
        UsersSetPermissions => users::set_permissions(ctx, req).await,
        UsersSetPartners => users::set_partners(ctx, req).await,
        PartnerUsersList => users::list_for_partner(ctx, req).await,
        PartnerUsersCreate => users::create_for_partner(ctx, req).await,
        CustomersList => customers::list(ctx, req).await,
        CustomersCreate => customers::create(ctx, req).await,
        CustomersShow => customers::show(ctx, req).await,
        CustomersUpdate => customers::update(ctx, req).await,
        CustomersDelete => customers::delete(ctx, req).await,
        GroupsList => groups::list(ctx, req).await,
        GroupsCreate => groups::create(ctx, req).await,
        GroupsShow => groups::show(ctx, req).await,
        GroupsUpdate => groups::update(ctx, req).await,
        GroupsDelete => groups::delete(ctx, req).await,
        MembersList => members::list(ctx, req).await,
        MembersAdd => members::add(ctx, req).await,
        MembersRemove => members::remove(ctx, req).await,
        MembersBatch => members::batch(ctx, req).await,
        MembersExport => members::export(ctx, req).await,
        CustomersImport => imports::import(ctx, req).await,
        AuditList | AuditAll => audit::list(ctx, req).await,
        Metrics => health::metrics(ctx, req).await,
    }
}

/// Headers every response carries; API answers are never cached (they
/// hold personal data and tokens).
fn secure(cors: Option<HeaderValue>, response: &mut Response<Body>) {
    let h = response.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
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
