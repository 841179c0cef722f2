//! Opens the database, binds, serves until told to stop, then finishes the
//! requests in flight and closes the database.

use crate::api::{self, Ctx};
use crate::config::Config;
use crate::{clock, db, secrets};

mod conn;
mod tls;
use std::convert::Infallible;
use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

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
    mut config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    // Before the file is opened: a second server must not even migrate it.
    let lock = crate::lock::acquire(&config.db)?;
    // A bad certificate or key stops the start before the file is touched.
    let certificates = match &config.tls {
        Some(tls) => Some(tls::Certificates::load(tls, &config.db)?),
        None => None,
    };
    let opened = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || {
            let own_checkpoints = config.checkpoint == crate::config::Checkpoint::Internal;
            let db = db::open_with(&config.db, own_checkpoints)?;
            bootstrap_admin(&db, &config)?;
            secrets::warm_up();
            Ok::<_, String>(db)
        })
        .await
        .map_err(|e| e.to_string())??
    };
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // After binding, so port 0 names the port actually chosen.
    config
        .public_url
        .get_or_insert_with(|| format!("http://{addr}"));
    let writer = opened.writer.clone();
    let ctx = Arc::new(Ctx::new(opened.pool, opened.writer, config.clone()));

    let limits = conn::Limits {
        max_connections: config.max_connections,
        idle: config.idle_timeout,
    };
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| format!("cannot serve on {addr}: {e}"))?;
    let accepted = conn::accept(listener, limits);
    let mut incoming = match &certificates {
        Some(c) => tls::handshakes(accepted, c.acceptor()),
        None => tls::plain(accepted),
    };
    reload_on_sighup(certificates.clone())?;
    let incoming = futures_util::stream::poll_fn(move |cx| {
        incoming
            .poll_recv(cx)
            .map(|c| c.map(Ok::<_, std::io::Error>))
    });
    // Straight from hyper to the router: the route table does all the
    // matching, so warp's filter chain (which cloned every request's
    // headers) only cost time.
    let serving = ctx.clone();
    let make = warp::hyper::service::make_service_fn(move |c: &tls::Incoming| {
        let peer = c.peer();
        let answering = c.answering();
        let ctx = serving.clone();
        let open = crate::metrics::ConnectionGuard::open();
        async move {
            Ok::<_, Infallible>(warp::hyper::service::service_fn(
                move |req: warp::hyper::Request<warp::hyper::Body>| {
                    // Counted as open until hyper drops this service with
                    // the connection.
                    let _ = &open;
                    let answering = answering.begin();
                    let answer = api::handle(ctx.clone(), req, peer);
                    async move {
                        let answer = answer.await;
                        drop(answering);
                        Ok::<_, Infallible>(answer)
                    }
                },
            ))
        }
    });
    let metrics_server = match config.metrics_addr {
        Some(at) => Some(serve_metrics(bind(at)?, config.db.clone())?),
        None => None,
    };
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
    let scheme = if certificates.is_some() {
        "https"
    } else {
        "http"
    };
    eprintln!("listening on {scheme}://{addr}");
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

    if let Some(task) = metrics_server {
        task.abort();
    }
    // Requests are done: let the writer finish its queue and close the file.
    drop(ctx);
    tokio::task::spawn_blocking(move || writer.shutdown())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    drop(lock);
    served
}

/// Makes sure the box has an admin. With no admin in the database: creates
/// the configured one (`VENUE_GROUPS_ADMIN_EMAIL`, with its password or a
/// random one printed once), or on a database with no users at all
/// `admin@localhost` with a random password; otherwise says in one line why
/// it made none. A `demo` database, whose users are not admins, so gets an
/// admin on its first start too.
fn bootstrap_admin(db: &db::Db, config: &Config) -> Result<(), String> {
    let configured = config.admin_email.as_deref().map(str::trim);
    let (users, admins, configured_is_admin) = db::read_blocking(&db.pool, |c| {
        let is_admin = match configured {
            Some(email) => db::users::is_admin_by_email(c, email)?,
            None => None,
        };
        Ok::<_, db::Error>((db::users::count(c)?, db::users::admin_count(c)?, is_admin))
    })
    .map_err(|e| e.to_string())?;
    if admins > 0 {
        return Ok(());
    }
    let email = match configured {
        Some(email) => email.to_string(),
        None if users == 0 => "admin@localhost".to_string(),
        None => {
            eprintln!(
                "there is no admin: set VENUE_GROUPS_ADMIN_EMAIL (and VENUE_GROUPS_ADMIN_PASSWORD) and restart, or run `venue-groups user create --admin`"
            );
            return Ok(());
        }
    };
    if !crate::api::validate::is_email(&email) {
        return Err(format!(
            "VENUE_GROUPS_ADMIN_EMAIL: {email:?} is not an email address"
        ));
    }
    if let Some(is_admin) = configured_is_admin {
        let what = if is_admin {
            "a disabled admin"
        } else {
            "a user who is not an admin"
        };
        eprintln!(
            "there is no enabled admin, and none was created: {email} (VENUE_GROUPS_ADMIN_EMAIL) belongs to {what}; give another email or run `venue-groups user create --admin`"
        );
        return Ok(());
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
            Ok::<_, db::Error>(id)
        })
        .map_err(|e| format!("creating the first admin: {e}"))?;
    if generated {
        eprintln!("created the admin {email} with password {password} (shown once; change it after logging in with \"Change my password\" on the admin page, or on this box with `venue-groups user set-password --email {email} --password-stdin`)");
    } else {
        eprintln!("created the admin {email} (password from VENUE_GROUPS_ADMIN_PASSWORD)");
    }
    Ok(())
}

/// SIGHUP re-reads the TLS certificate and key (a renewed certificate);
/// without TLS it is only logged, so a `systemctl reload` never kills the
/// server. Registered before the server says it listens.
#[cfg(unix)]
fn reload_on_sighup(certificates: Option<Arc<tls::Certificates>>) -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup =
        signal(SignalKind::hangup()).map_err(|e| format!("cannot listen for SIGHUP: {e}"))?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            match &certificates {
                Some(c) => {
                    if let Err(e) = c.reload() {
                        tracing::warn!("SIGHUP: kept the TLS certificate in use: {e}");
                    }
                }
                None => tracing::info!("SIGHUP: no TLS certificate to re-read"),
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn reload_on_sighup(_certificates: Option<Arc<tls::Certificates>>) -> Result<(), String> {
    Ok(())
}

/// `--metrics-addr`: GET /metrics without a token, nothing else, on a
/// listener of its own (for a monitoring system on a private network).
fn serve_metrics(
    listener: TcpListener,
    db: std::path::PathBuf,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let make = hyper::service::make_service_fn(move |_| {
        let db = db.clone();
        async move {
            Ok::<_, Infallible>(hyper::service::service_fn(
                move |req: hyper::Request<hyper::Body>| {
                    let answer = if req.uri().path() == "/metrics"
                        && matches!(*req.method(), hyper::Method::GET | hyper::Method::HEAD)
                    {
                        api::health::metrics_text(&db)
                    } else {
                        api::error::ApiError::NotFound.into_response()
                    };
                    async move { Ok::<_, Infallible>(answer) }
                },
            ))
        }
    });
    let server = hyper::Server::from_tcp(listener)
        .map_err(|e| format!("cannot serve metrics on {addr}: {e}"))?
        .http1_header_read_timeout(std::time::Duration::from_secs(10))
        .serve(make);
    eprintln!("metrics on http://{addr}/metrics");
    Ok(tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::warn!("metrics listener: {e}");
        }
    }))
}
