//! The ceilings `bench/run` measures venue-groups against, built from the
//! same Cargo.lock (so the same warp, hyper, tokio and SQLite):
//!
//! - `ceiling serve ADDR`: the least a warp server can do per request, a
//!   29-byte JSON answer to `GET /livez` with nothing else on the path;
//! - `ceiling durable PATH SECONDS`: the most durable writes one SQLite
//!   connection makes without group commit, one single-row insert per
//!   transaction, WAL with `synchronous=FULL` (an fsync each), on the file
//!   system of PATH. Prints `writes/s N`.
//!
//! An example of the crate rather than a project of its own so that it
//! cannot drift to other versions and costs no second build of its
//! dependencies.

use std::time::{Duration, Instant};
use warp::Filter;

const BODY: &[u8] = br#"{"status":"ok","ceiling":"1"}"#;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["serve", addr] => serve(addr),
        ["durable", path, seconds] => durable(path, seconds.parse().expect("SECONDS")),
        _ => {
            eprintln!("usage: ceiling serve ADDR | ceiling durable PATH SECONDS");
            std::process::exit(2);
        }
    }
}

fn serve(addr: &str) {
    let addr: std::net::SocketAddr = addr.parse().expect("ADDR");
    let livez = warp::get()
        .and(warp::path("livez"))
        .and(warp::path::end())
        .map(|| {
            warp::http::Response::builder()
                .header("content-type", "application/json")
                .body(BODY)
                .expect("response")
        });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(warp::serve(livez).run(addr));
}

fn durable(path: &str, seconds: f64) {
    let c = rusqlite::Connection::open(path).expect("open");
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
    )
    .expect("schema");
    let mut insert = c.prepare("INSERT INTO t (v) VALUES (?1)").expect("prepare");
    let limit = Duration::from_secs_f64(seconds);
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < limit {
        // Autocommit: each insert is its own transaction and its own fsync.
        insert
            .execute(["a row of about the size of a group"])
            .expect("insert");
        n += 1;
    }
    println!("writes/s {:.1}", n as f64 / t0.elapsed().as_secs_f64());
}
