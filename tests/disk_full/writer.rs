//! The writer's failure paths, driven directly: what SQLite does on a
//! full or failing disk (roll back a statement, or the whole transaction)
//! must never commit a failed write or answer a lost one as written.

use super::*;

use venue_groups::api::error::ApiError;
use venue_groups::db::Writer;

/// A writer on a fresh file with a table `t (x)`; the directory too.
async fn writer() -> (Writer, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("writer.db");
    let conn = venue_groups::db::open_writer_connection(&db).expect("open");
    let writer = Writer::start(conn, None);
    writer
        .write(|c| Ok::<_, ApiError>(c.execute_batch("CREATE TABLE t (x TEXT NOT NULL)")?))
        .await
        .unwrap();
    (writer, dir, db)
}

fn insert(c: &rusqlite::Connection, x: &str) -> Result<(), ApiError> {
    c.execute("INSERT INTO t (x) VALUES (?1)", [x])?;
    Ok(())
}

/// Runs three jobs in one transaction and returns their answers.
async fn batch_of_three<A, B, C>(writer: &Writer, a: A, b: B, c: C) -> [Result<(), ApiError>; 3]
where
    A: FnOnce(&rusqlite::Connection) -> Result<(), ApiError> + Send + 'static,
    B: FnOnce(&rusqlite::Connection) -> Result<(), ApiError> + Send + 'static,
    C: FnOnce(&rusqlite::Connection) -> Result<(), ApiError> + Send + 'static,
{
    let answers =
        common::in_one_transaction(writer, vec![Box::new(a), Box::new(b), Box::new(c)]).await;
    match <[_; 3]>::try_from(answers) {
        Ok(three) => three,
        Err(_) => unreachable!("three jobs, three answers"),
    }
}

fn rows(db: &Path) -> Vec<String> {
    open_read_only(db)
        .prepare("SELECT x FROM t ORDER BY x")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_sqlite_rolled_back_answers_its_jobs_as_not_written() {
    let (writer, _dir, db) = writer().await;

    // The second job's transaction is rolled back under it, as SQLite does
    // on some disk-full and I/O errors.
    let [a, b, c] = batch_of_three(
        &writer,
        |c| insert(c, "a"),
        |c| {
            insert(c, "b")?;
            c.execute_batch("ROLLBACK")?;
            Ok(())
        },
        |c| insert(c, "c"),
    )
    .await;

    assert!(matches!(a, Err(ApiError::Unavailable)), "{a:?}");
    assert!(matches!(b, Err(ApiError::Unavailable)), "{b:?}");
    assert!(c.is_ok(), "the next job runs in a new transaction: {c:?}");
    assert_eq!(rows(&db), vec!["c"]);
    tokio::task::block_in_place(|| writer.shutdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_that_cannot_be_undone_alone_takes_its_transaction_with_it() {
    let (writer, _dir, db) = writer().await;

    // The second job writes, then fails in a way its savepoint cannot undo
    // (the savepoint is gone): its write must not be committed.
    let [a, b, c] = batch_of_three(
        &writer,
        |c| insert(c, "a"),
        |c| {
            insert(c, "b")?;
            c.execute_batch("RELEASE job")?;
            Err(ApiError::invalid("x", "refused"))
        },
        |c| insert(c, "c"),
    )
    .await;

    assert!(a.is_err(), "the first job's transaction was rolled back");
    assert!(matches!(b, Err(ApiError::Invalid(_))), "{b:?}");
    assert!(c.is_ok(), "{c:?}");
    assert_eq!(rows(&db), vec!["c"], "nothing of the failed job");
    tokio::task::block_in_place(|| writer.shutdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_is_undone_and_the_rest_of_its_batch_is_committed() {
    let (writer, _dir, db) = writer().await;

    let [a, b, c] = batch_of_three(
        &writer,
        |c| insert(c, "a"),
        |c| {
            insert(c, "b")?;
            // A statement that fails, as on a full disk.
            insert(c, "b")?;
            c.execute_batch("INSERT INTO t (x) VALUES (NULL)")?;
            Ok(())
        },
        |c| insert(c, "c"),
    )
    .await;

    assert!(a.is_ok(), "{a:?}");
    assert!(matches!(b, Err(ApiError::Internal(_))), "{b:?}");
    assert!(c.is_ok(), "{c:?}");
    assert_eq!(rows(&db), vec!["a", "c"]);
    tokio::task::block_in_place(|| writer.shutdown());
}
