//! Opens the database, binds, serves until told to stop, then finishes the
//! requests in flight and closes the database.

use crate::api::{self, Ctx};
use crate::config::Config;
use crate::{clock, db, secrets};

mod conn;
use std::convert::Infallible;
use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use warp::Filter;

/// How long a stop signal waits for requests in flight.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Binds the configured address (port 0 picks a free one).
pub fn bind(addr: SocketAddr) -> Result<TcpListener, String> {
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    Ok(listener)
}

/// Serves on `listener` until `shutdown` resolves; then finishes requests in
/// flight, drains the write queue and closes the database.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let opened = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || {
            let db = db::open(&config.db)?;
            bootstrap_admin(&db, &config)?;
            secrets::warm_up();
            Ok::<_, String>(db)
        })
        .await
        .map_err(|e| e.to_string())??
    };
    let writer = opened.writer.clone();
    let ctx = Arc::new(Ctx::new(opened.pool, opened.writer, config.clone()));
    let addr = listener.local_addr().map_err(|e| e.to_string())?;

    let routes = warp::method()
        .and(warp::path::full())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::header::headers_cloned())
        .and(warp::ext::optional::<conn::Peer>())
        .and(warp::body::stream())
        .then({
            let ctx = ctx.clone();
            move |method,
                  path: warp::path::FullPath,
                  query,
                  headers,
                  peer: Option<conn::Peer>,
                  body| {
                api::handle(
                    ctx.clone(),
                    method,
                    path.as_str().to_string(),
                    query,
                    headers,
                    peer.map(|p| p.0),
                    body,
                )
            }
        });
    let service = warp::service(routes);
    let limits = conn::Limits {
        max_connections: config.max_connections,
        idle: config.idle_timeout,
    };
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| format!("cannot serve on {addr}: {e}"))?;
    let accepted = conn::accept(listener, limits);
    let incoming = futures_util::stream::unfold(accepted, |mut rx| async move {
        rx.recv().await.map(|c| (Ok::<_, std::io::Error>(c), rx))
    });
    let make = warp::hyper::service::make_service_fn(move |c: &conn::Conn| {
        let peer = conn::Peer(c.peer());
        let service = service.clone();
        async move {
            Ok::<_, Infallible>(warp::hyper::service::service_fn(
                move |mut req: warp::hyper::Request<warp::hyper::Body>| {
                    // The filters read the peer from the request's extensions.
                    req.extensions_mut().insert(peer);
                    let mut service = service.clone();
                    warp::hyper::service::Service::call(&mut service, req)
                },
            ))
        }
    });
    let stopping = Arc::new(tokio::sync::Notify::new());
    let server = warp::hyper::Server::builder(warp::hyper::server::accept::from_stream(incoming))
        .http1_header_read_timeout(config.header_read_timeout)
        .serve(make)
        .with_graceful_shutdown({
            let stopping = stopping.clone();
            async move {
                shutdown.await;
                stopping.notify_one();
            }
        });
    eprintln!("listening on http://{addr}");
    // Graceful shutdown waits for every connection, and hyper 0.14 counts
    // one that has not sent a byte yet (a client's spare, a browser's
    // preconnect) until its header timeout: give requests in flight a grace
    // period, then stop regardless.
    let grace = async {
        stopping.notified().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    let served = tokio::select! {
        served = server => served.map_err(|e| e.to_string()),
        _ = grace => {
            tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after the stop signal; closing them");
            Ok(())
        }
    };

    // Requests are done: let the writer finish its queue and close the file.
    drop(ctx);
    tokio::task::spawn_blocking(move || writer.shutdown())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    served
}

/// On first start (no users at all) creates the admin: from the configured
/// email and password, or `admin@localhost` with a random password printed
/// once on stderr.
fn bootstrap_admin(db: &db::Db, config: &Config) -> Result<(), String> {
    let has_users =
        db::read_blocking(&db.pool, |c| Ok(db::users::count(c)? > 0)).map_err(|e| e.to_string())?;
    if has_users {
        return Ok(());
    }
    let email = config
        .admin_email
        .clone()
        .unwrap_or_else(|| "admin@localhost".to_string());
    if !crate::api::validate::is_email(email.trim()) {
        return Err(format!(
            "VENUE_GROUPS_ADMIN_EMAIL: {email:?} is not an email address"
        ));
    }
    let (password, generated) = match &config.admin_password {
        Some(p) if p.chars().count() >= 8 => (p.clone(), false),
        Some(_) => return Err("VENUE_GROUPS_ADMIN_PASSWORD: use at least 8 characters".into()),
        None => (secrets::random_password(), true),
    };
    let hash = secrets::hash_password(&password);
    let stored_email = email.clone();
    db.writer
        .write_blocking(move |c| {
            let now = clock::now_rfc3339();
            let id = db::users::create(
                c,
                &db::users::NewUser {
                    email: &stored_email,
                    password_hash: &hash,
                    first_name: "Admin",
                    last_name: "User",
                    is_admin: true,
                },
                &now,
            )?;
            let changes =
                serde_json::json!({"email": [null, stored_email], "is_admin": [null, true]});
            db::audit::By::command_line(None).record(
                c,
                "user.created",
                ("user", id.0),
                changes,
                &now,
            )?;
            Ok(id)
        })
        .map_err(|e| format!("creating the first admin: {e}"))?;
    if generated {
        eprintln!("created the first admin: {email} with password {password} (shown once; change it by creating another admin)");
    } else {
        eprintln!("created the first admin: {email} (password from VENUE_GROUPS_ADMIN_PASSWORD)");
    }
    Ok(())
}
