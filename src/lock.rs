//! One server per database file: an advisory lock on a file beside the
//! database (`venue-groups.db.lock`), held for the server's life.
//!
//! SQLite's own locks let two servers share a file, but each would run its
//! own writer and checkpoints and think itself the only one; the second
//! one is refused instead. The lock is `flock`, so the kernel drops it when
//! the process dies, even by SIGKILL: a stale lock file never blocks a
//! restart. Commands (`backup`, `user create`, ...) take no lock and work
//! beside a running server.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
}

/// The lock file for a database: its path with `.lock` appended.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock for `db`, or says in one line why not.
pub fn acquire(db: &Path) -> Result<ServerLock, String> {
    let path = path_for(db);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    if let Err(e) = flock_exclusive(&file) {
        return Err(if e.kind() == std::io::ErrorKind::WouldBlock {
            format!(
                "another venue-groups server is running on {} (it holds {}); stop it first or use another --db",
                db.display(),
                path.display()
            )
        } else {
            format!("cannot lock {}: {e}", path.display())
        });
    }
    Ok(ServerLock { _file: file })
}

#[cfg(unix)]
fn flock_exclusive(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock only reads the descriptor, which `file` keeps open.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn flock_exclusive(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_file_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("venue.db");
        let first = acquire(&db).expect("first lock");
        let err = acquire(&db).expect_err("second lock");
        assert!(err.contains("another venue-groups server"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        drop(first);
        acquire(&db).expect("lock again after release");
        assert_eq!(path_for(&db), dir.path().join("venue.db.lock"));
    }
}
