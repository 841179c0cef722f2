//! venue-groups: the Venuzle partner-groups API served from one binary with
//! an embedded SQLite database and a browser admin page.

/// The HTTP API: route table, request handling, handlers per resource.
pub mod api;
/// The embedded admin page.
pub mod assets;
/// What the user typed on the command line.
pub mod cli;
/// Wall-clock time as unix seconds and RFC 3339 text.
pub mod clock;
/// Commands other than `serve`: user creation, demo data, backup.
pub mod commands;
/// Validated configuration with defaults.
pub mod config;
/// SQLite storage: the read pool, the one writer, and queries per table.
pub mod db;
/// Demo data at a venue chain's scale, written in bulk.
pub mod demo;
/// One server per database file: the advisory lock beside it.
pub mod lock;
/// The log: lines written to stderr by a thread of their own.
pub mod logging;
/// Figures for a monitoring system (`GET /metrics`).
pub mod metrics;
/// The ids and permissions both storage and the API name.
pub mod model;
/// How the kernel schedules the server's threads.
pub mod scheduling;
/// Password hashing (argon2id) and bearer-token secrets.
pub mod secrets;
/// Binds, serves and shuts down.
pub mod server;
