//! Figures for a monitoring system, rendered at `GET /metrics` in
//! Prometheus text format.
//!
//! One process serves one database (the lock in `lock.rs` sees to the
//! file; `main` runs one server), so the figures live in one process-wide
//! registry that the API, the writer thread and the connection layer
//! update directly, without handles threaded through every layer. Every
//! label set a request touches is made at start-up or looked up by
//! `&'static str` labels: a request costs a few atomic adds and a lookup
//! in its thread's own table of series, and allocates nothing.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

/// The content type of the rendered figures.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

/// The labels a request is counted under: its route's method and path
/// pattern (`/api/internal/v1/partners/{partner_id}/groups`), so the series
/// are one per route, never one per id.
pub type RouteLabels = (&'static str, &'static str);

/// Requests for a file of the admin page.
pub const ADMIN_PAGE: RouteLabels = ("GET", "admin page");
/// Requests that matched no route and no file.
pub const UNMATCHED: RouteLabels = ("any", "unmatched");

type SeriesKey = (usize, usize, usize);

thread_local! {
    /// A thread's handles on the request series it has counted; at most
    /// one per route and status text.
    static SERIES: std::cell::RefCell<std::collections::HashMap<SeriesKey, (Histogram, IntCounter)>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Every figure the server keeps.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Write jobs sent to the writer and not yet taken by it.
    pub writer_queue: IntGauge,
    /// Jobs per write transaction.
    pub writer_batch: Histogram,
    /// Write transactions committed.
    pub commits: IntCounter,
    /// Time of each `COMMIT` (with `synchronous=FULL`, mostly the fsync).
    pub commit_seconds: Histogram,
    logins: IntCounterVec,
    logins_ok: IntCounter,
    logins_failed: IntCounter,
    logins_throttled: IntCounter,
    /// Client connections open now.
    pub connections: IntGauge,
    database_bytes: IntGauge,
    wal_bytes: IntGauge,
}

/// The process's figures.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// Request latencies from a cached read (~0.2 ms) to a slow import.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// fsync on an SSD takes about a millisecond; a busy or spinning disk more.
const COMMIT_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];
/// Group commit takes up to 256 jobs at once.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new_custom(Some("venue_groups".into()), None)
            .expect("a valid metrics prefix");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from routing a request to its answer's headers, by route",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("valid metric");
        let histogram = |name: &str, help: &str, buckets: &[f64]| {
            Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec()))
                .expect("valid metric")
        };
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let logins = IntCounterVec::new(
            Opts::new("logins_total", "Login attempts, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let m = Metrics {
            writer_queue: gauge(
                "writer_queue_depth",
                "Write jobs waiting for the writer thread",
            ),
            writer_batch: histogram(
                "writer_batch_size",
                "Write jobs per transaction (group commit)",
                BATCH_BUCKETS,
            ),
            commits: IntCounter::new("db_commits_total", "Write transactions committed")
                .expect("valid metric"),
            commit_seconds: histogram(
                "db_commit_seconds",
                "Time of each COMMIT, fsync of the WAL included",
                COMMIT_BUCKETS,
            ),
            logins_ok: logins.with_label_values(&["ok"]),
            logins_failed: logins.with_label_values(&["failed"]),
            logins_throttled: logins.with_label_values(&["throttled"]),
            connections: gauge("open_connections", "Client connections open now"),
            database_bytes: gauge("database_bytes", "Size of the database file"),
            wal_bytes: gauge("wal_bytes", "Size of the write-ahead log beside it"),
            registry,
            requests,
            latency,
            logins,
        };
        let r = &m.registry;
        let all: [Box<dyn prometheus::core::Collector>; 11] = [
            Box::new(m.requests.clone()),
            Box::new(m.latency.clone()),
            Box::new(m.writer_queue.clone()),
            Box::new(m.writer_batch.clone()),
            Box::new(m.commits.clone()),
            Box::new(m.commit_seconds.clone()),
            Box::new(m.logins.clone()),
            Box::new(m.connections.clone()),
            Box::new(m.database_bytes.clone()),
            Box::new(m.wal_bytes.clone()),
            Box::new(build_info()),
        ];
        for c in all {
            r.register(c).expect("metric names are unique");
        }
        m
    }

    /// Makes every route's latency series at start-up, so a dashboard sees
    /// each route from the first scrape and a request finds its series.
    pub fn register_routes(&self, routes: impl IntoIterator<Item = RouteLabels>) {
        for (method, route) in routes.into_iter().chain([ADMIN_PAGE, UNMATCHED]) {
            self.latency.with_label_values(&[method, route]);
        }
    }

    /// Counts an answered request. Each thread remembers the series it has
    /// used, keyed by the labels' addresses (they are `'static`), so a
    /// request costs one small hash lookup on its own thread and atomic
    /// adds: no label hashing, no shared lock, nothing allocated.
    pub fn request(&self, (method, route): RouteLabels, status: u16, elapsed: Duration) {
        let status = status_text(status);
        let key = (
            method.as_ptr() as usize,
            route.as_ptr() as usize,
            status.as_ptr() as usize,
        );
        SERIES.with_borrow_mut(|series| {
            let (latency, count) = series.entry(key).or_insert_with(|| {
                (
                    self.latency.with_label_values(&[method, route]),
                    self.requests.with_label_values(&[method, route, status]),
                )
            });
            latency.observe(elapsed.as_secs_f64());
            count.inc();
        });
    }

    /// Counts a login by its answer: 200 in, 401 wrong, 429 throttled.
    pub fn login(&self, status: u16) {
        match status {
            200 => self.logins_ok.inc(),
            429 => self.logins_throttled.inc(),
            401 => self.logins_failed.inc(),
            _ => {}
        }
    }

    /// Renders every figure, the database's and WAL's sizes read now.
    pub fn render(&self, db: &Path) -> String {
        let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len() as i64);
        self.database_bytes.set(size(db));
        let mut wal = db.as_os_str().to_os_string();
        wal.push("-wal");
        self.wal_bytes.set(size(Path::new(&wal)));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!("rendering metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// `venue_groups_build_info{version="..."} 1`: which binary is running.
fn build_info() -> IntGauge {
    let opts = Opts::new("build_info", "Always 1; the running version is its label")
        .const_label("version", env!("CARGO_PKG_VERSION"));
    let g = IntGauge::with_opts(opts).expect("valid metric");
    g.set(1);
    g
}

/// A status code as a `&'static str` label, so counting allocates nothing.
fn status_text(status: u16) -> &'static str {
    match status {
        200 => "200",
        201 => "201",
        204 => "204",
        304 => "304",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        409 => "409",
        412 => "412",
        413 => "413",
        415 => "415",
        422 => "422",
        428 => "428",
        429 => "429",
        500 => "500",
        503 => "503",
        _ => match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        },
    }
}

/// Counts a connection as open until dropped.
pub struct ConnectionGuard(());

impl ConnectionGuard {
    /// A newly accepted connection.
    pub fn open() -> ConnectionGuard {
        METRICS.connections.inc();
        ConnectionGuard(())
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        METRICS.connections.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_request_shows_in_the_rendered_text() {
        let m = Metrics::new();
        m.request(("GET", "/livez"), 200, Duration::from_millis(3));
        m.request(UNMATCHED, 404, Duration::from_millis(1));
        m.login(429);
        let text = m.render(Path::new("/nonexistent/venue.db"));
        assert!(
            text.contains(
                r#"venue_groups_http_requests_total{method="GET",route="/livez",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"venue_groups_http_requests_total{method="any",route="unmatched",status="404"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"venue_groups_logins_total{outcome="throttled"} 1"#),
            "{text}"
        );
        assert!(text.contains("venue_groups_database_bytes 0"), "{text}");
    }
}
