//! Checkpoints the WAL from a thread and connection of its own.
//!
//! Left to SQLite, a checkpoint runs inside whichever commit crosses the
//! WAL's size limit: the writer's. Under steady reads the WAL cannot be
//! reset, grows, and the commit that finally gets to copy the backlog
//! stalls every queued write for up to a second (seen as the p99 of the
//! create-group benchmark). A passive checkpoint on another connection
//! runs beside the writer and the readers without blocking either.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the WAL is copied back into the database file.
const INTERVAL: Duration = Duration::from_millis(250);

/// The checkpointing thread.
pub struct Checkpointer {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path`.
    pub fn start(path: &Path) -> Result<Checkpointer, String> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("cannot open {} for checkpoints: {e}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(1))
            .map_err(|e| e.to_string())?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("db-checkpoint".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    // PASSIVE: copy what no reader still needs; never wait.
                    let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Err(e) = done {
                        tracing::debug!("checkpoint: {e}");
                    }
                }
            })
            .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
        Ok(Checkpointer { stop, thread })
    }

    /// Stops the thread and closes its connection.
    pub fn stop(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}
