//! SQLite storage: opening the file, the pool of read connections, the one
//! writer, and the helpers that keep blocking work off the async runtime.
//!
//! SQLite takes one writer at a time. Rather than let pooled connections
//! queue on its lock (seconds of p99 under load), every write is a job for
//! the writer thread, which owns the only connection that writes. The
//! writer takes every job waiting in its queue, runs each in a savepoint of
//! one `BEGIN IMMEDIATE` transaction (so one job's failure rolls back only
//! that job), commits once, and only then answers each job: under load many
//! writes share one fsync, and every answered write is durable.
//!
//! `db` is usable on its own: it names nothing of HTTP or of the API layer
//! (only the shared ids and permissions of `crate::model`). Its functions
//! take a `&Connection` and return rows of its own types and [`Error`];
//! [`read`] and [`Writer::write`] run a closure whose error type is the
//! caller's, as long as it can be made from an [`Error`].

pub mod accounts;
pub mod audit;
mod checkpoint;
pub mod customers;
mod error;
pub mod groups;
mod ids;
pub mod migrations;
pub mod partners;
mod readers;
pub mod search;
pub mod tokens;
pub mod users;
mod writer;

pub use crate::model::{CustomerId, GroupId, PartnerId, UserId};
pub use error::{unique, Error, Result};
pub use writer::Writer;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// The pool of read-only connections.
pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// How long a connection waits on another process's lock (the CLI or a
/// backup) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open database: read pool plus the writer.
pub struct Db {
    /// Read connections (`query_only`).
    pub pool: Pool,
    /// The one writer.
    pub writer: Writer,
}

/// Opens (creating if missing) and migrates the database, then starts the
/// writer and the checkpoint thread. The error is one line for the operator.
pub fn open(path: &Path) -> Result<Db, String> {
    open_with(path, true)
}

/// [`open`]; with `checkpoints` false the server never copies the WAL back
/// into the file, not even on close, and leaves that to another process
/// (Litestream), which must then see every frame first.
pub fn open_with(path: &Path, checkpoints: bool) -> Result<Db, String> {
    let conn = open_writer_connection(path)?;
    if !checkpoints {
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
    }
    // The checkpoint thread copies the WAL back; the writer's commits
    // should not (see checkpoint.rs).
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0")
        .map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
    let manager = SqliteConnectionManager::file(path)
        .with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_init(|c| {
            c.busy_timeout(BUSY_TIMEOUT)?;
            plan_once(c)?;
            // More than the queries of every read path (rusqlite keeps 16):
            // an evicted statement is parsed and planned again.
            c.set_prepared_statement_cache_capacity(64);
            // 1 MiB of page cache each (SQLite's default is 2): the OS caches
            // the file anyway, and eight readers' caches add up.
            c.execute_batch(
                "PRAGMA foreign_keys = ON; PRAGMA query_only = ON; PRAGMA cache_size = -1024;",
            )
        });
    let pool = r2d2::Pool::builder()
        // Reads are short and the machine small: more connections than
        // this only add page caches (memory), not throughput. One for each
        // read thread, so a read never waits for one.
        .max_size(readers::THREADS as u32)
        .min_idle(Some(2))
        // r2d2_sqlite's validity check is a query; on every checkout it
        // costs a round trip per request for nothing.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(Db {
        pool,
        writer: Writer::start(
            conn,
            match checkpoints {
                true => Some(checkpoint::Checkpointer::start(path)?),
                false => None,
            },
        ),
    })
}

/// Sets SQLite's process-wide options; they only take before SQLite's
/// first use in the process, so the writer's open (a server's first)
/// calls this first.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SQLite's memory statistics take a global mutex on every malloc
        // and free: a tenth of the writer's time in a create, and nothing
        // here reads them. Refused (harmlessly) if SQLite is already in use.
        // SAFETY: called before any connection of this process is opened,
        // with the one int argument SQLITE_CONFIG_MEMSTATUS takes.
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0);
        }
    });
}

/// Turns on the query planner stability guarantee: a cached statement
/// keeps the plan it was prepared with. Without it, SQLite (3.4x) lets the
/// value bound to `LIMIT ?` (and to a `LIKE ?` pattern) shape the plan, and
/// so prepares the statement again each time a new value is bound, that is
/// on every request: a fifth of the CPU of a page of members, measured.
/// No query here wants a plan that depends on its values.
fn plan_once(c: &Connection) -> rusqlite::Result<()> {
    c.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// Opens a connection that may write (the writer's, or a CLI command's),
/// with the durability settings, and migrates the schema.
pub fn open_writer_connection(path: &Path) -> Result<Connection, String> {
    configure_sqlite();
    let fail = |e: &dyn std::fmt::Display| format!("cannot open database {}: {e}", path.display());
    check_is_sqlite(path).map_err(|e| fail(&e))?;
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(&e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| fail(&e))?;
    plan_once(&conn).map_err(|e| fail(&e))?;
    // WAL lets readers go on while the writer commits; FULL fsyncs the WAL
    // on every commit, so a write that was answered survives power loss.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| fail(&e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(fail(&format!("cannot switch to WAL mode (got {mode})")));
    }
    // temp_store stays FILE: the statement journal of each job's savepoint
    // then lives in one buffer until it passes 64 KiB (a job that changes
    // more than 15 pages spills it to a temporary file), where MEMORY grows
    // it 1 KiB at a time, a malloc and a free each: 3 % of a create's CPU,
    // measured side by side.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(|e| fail(&e))?;
    migrations::apply(&mut conn).map_err(|e| fail(&e))?;
    // Every write path flushes the search index changes it queued before it
    // commits; should one ever not, the index catches up here, at the next
    // start, instead of missing those rows for good.
    let tx = conn.transaction().map_err(|e| fail(&e))?;
    commit(tx).map_err(|e| fail(&e))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Commits a write transaction of a command (not the writer's): the search
/// index changes it queued first, so they commit with it.
pub fn commit(tx: rusqlite::Transaction) -> rusqlite::Result<()> {
    search::flush(&tx)?;
    tx.commit()
}

/// A file that exists must start with SQLite's magic header (or be empty);
/// anything else is refused before SQLite can misread it.
fn check_is_sqlite(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.to_string()),
    };
    if file.metadata().map_err(|e| e.to_string())?.is_dir() {
        return Err("it is a directory".into());
    }
    let mut header = [0u8; 16];
    let n = file.read(&mut header).map_err(|e| e.to_string())?;
    if n == 0 || (n == 16 && header == *b"SQLite format 3\0") {
        Ok(())
    } else {
        Err("not a SQLite database file".into())
    }
}

/// Runs read work on a pooled connection on a read thread (`readers`): the whole
/// closure (authentication and the resource) in one read transaction, so a
/// request sees one snapshot and pays for one thread hand-off.
pub async fn read<T, E, F>(pool: &Pool, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<Error> + Send + 'static,
    F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
{
    let pool = pool.clone();
    readers::run(move || {
        let conn = pool.get().map_err(Error::from)?;
        let begin = || -> Result<()> {
            if !conn.is_autocommit() {
                // A panic in earlier work left a transaction open.
                conn.execute_batch("ROLLBACK")?;
            }
            conn.prepare_cached("BEGIN")?.execute([])?;
            Ok(())
        };
        begin()?;
        let result = f(&conn);
        conn.prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]))
            .map_err(Error::from)?;
        result
    })
    .await
    .ok_or(Error::Internal("a read job panicked"))?
}

/// True when the error means the file cannot take writes now (disk full,
/// read-only file or directory, an I/O error, or, should the one-writer
/// rule ever be broken, a lock): the client gets a 503 and retries later.
pub fn is_unavailable(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(DiskFull | ReadOnly | SystemIoFailure | DatabaseBusy | DatabaseLocked | CannotOpen)
    )
}

/// True when an error is a UNIQUE constraint on the named index or column.
pub fn is_unique_violation(e: &rusqlite::Error, name: &str) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, Some(msg))
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE && msg.contains(name))
}

/// True when an error is a foreign-key constraint failure. An `ON DELETE
/// RESTRICT` action is run as a trigger program, so SQLite reports it as
/// `SQLITE_CONSTRAINT_TRIGGER` with the foreign-key message.
pub fn is_foreign_key_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, msg)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
            || (f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER
                && msg.as_deref() == Some("FOREIGN KEY constraint failed")))
}

/// Which slice of a list to read: 1-based page, page size, and an optional
/// search.
#[derive(Debug, Clone)]
pub struct Slice {
    /// 1-based page number.
    pub page: i64,
    /// Rows per page (1..=100).
    pub per_page: i64,
    /// The words to find; `None` lists everything.
    pub search: Option<search::Search>,
}

impl Slice {
    /// Rows to skip; a page too far for an i64 offset is past any end.
    pub fn offset(&self) -> i64 {
        (self.page - 1)
            .checked_mul(self.per_page)
            .unwrap_or(i64::MAX)
    }
}

/// The form used by `*_key` columns and searches: trimmed, NFC (so "é" as
/// one code point and as "e" plus an accent are one), and case-folded.
pub fn fold(text: &str) -> String {
    nfc(text.trim()).to_lowercase()
}

/// Text in Unicode normalization form C; borrowed when it already is.
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.into(),
        _ => text.nfc().collect::<String>().into(),
    }
}

/// [`read`] for callers already on a blocking thread.
pub fn read_blocking<T, E: From<Error>>(
    pool: &Pool,
    f: impl FnOnce(&Connection) -> Result<T, E>,
) -> Result<T, E> {
    let conn = pool.get().map_err(Error::from)?;
    f(&conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How often a cached `LIMIT ? OFFSET ?` page query was prepared again
    /// over three pages of different sizes.
    fn reprepared(c: &Connection) -> i32 {
        let sql = "SELECT id FROM groups WHERE partner_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3";
        for (per_page, offset) in [(15, 0), (50, 15), (7, 65)] {
            let mut stmt = c.prepare_cached(sql).unwrap();
            let ids: Vec<i64> = stmt
                .query_map(rusqlite::params![1, per_page, offset], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(ids.is_empty());
        }
        let stmt = c.prepare_cached(sql).unwrap();
        stmt.get_status(rusqlite::StatementStatus::RePrepare)
    }

    /// Pages `c` had to read from the file (not its page cache) so far.
    fn cache_misses(c: &Connection) -> i32 {
        let (mut now, mut high) = (0, 0);
        // SAFETY: the handle is the open connection `c` borrows, and
        // sqlite3_db_status only writes the two ints it is given.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_db_status(
                c.handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_MISS,
                &mut now,
                &mut high,
                0,
            )
        };
        assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
        now
    }

    #[test]
    fn one_read_connection_s_scan_leaves_another_s_cache_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        // Some 2,000 pages: more than a read connection's page cache holds.
        let w = open_writer_connection(&path).unwrap();
        w.execute_batch(
            "CREATE TABLE filler(x BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO filler SELECT randomblob(3000) FROM n;",
        )
        .unwrap();
        drop(w);
        let db = open(&path).unwrap();
        let (a, b) = (db.pool.get().unwrap(), db.pool.get().unwrap());
        let point = "SELECT length(x) FROM filler WHERE rowid = 1000";
        let read =
            |c: &Connection, sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        read(&a, point);
        let warm = cache_misses(&a);
        read(&b, "SELECT sum(length(x)) FROM filler");
        read(&a, point);
        // With SQLite's memory management compiled in, every connection's
        // pages sit in one process-wide LRU, and a connection whose cache
        // is full takes the oldest page of any other: after a search, the
        // next connection to serve point reads read every page from the
        // file again (see .cargo/config.toml).
        assert_eq!(cache_misses(&a) - warm, 0, "pages read again");
    }

    #[test]
    fn a_page_query_keeps_its_plan_whatever_the_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = open(&path).unwrap();
        assert_eq!(reprepared(&db.pool.get().unwrap()), 0, "a read connection");
        let writer = open_writer_connection(&dir.path().join("w.db")).unwrap();
        assert_eq!(reprepared(&writer), 0, "a writing connection");
    }
}
