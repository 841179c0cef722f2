//! The one writer: a thread that owns the write connection and runs every
//! write job, with group commit (see the module docs of `db`).

use super::Error;
use crate::metrics::METRICS;
use rusqlite::Connection;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Most jobs in one transaction; bounds how long the first waits.
const MAX_BATCH: usize = 256;

/// How the transaction a job ran in ended.
#[derive(Clone, Copy)]
enum Outcome {
    Committed,
    /// Not committed: the database cannot take writes now.
    Unavailable,
    /// Not committed for another reason (a bug).
    Failed,
}

/// Answers a job's caller once its transaction has ended.
type Finish = Box<dyn FnOnce(Outcome) + Send>;
type Job = Box<dyn WriteJob>;

/// One write request waiting for the writer.
trait WriteJob: Send {
    /// Runs inside its savepoint: whether it succeeded, and how to answer.
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Finish);
    /// Answers without running (the transaction could not start).
    fn abandon(self: Box<Self>, outcome: Outcome);
}

struct FnJob<T, E, F> {
    f: F,
    answer: tokio::sync::oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> WriteJob for FnJob<T, E, F>
where
    T: Send + 'static,
    E: From<Error> + Send + 'static,
    F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Finish) {
        let FnJob { f, answer } = *self;
        let result = f(conn);
        let ok = result.is_ok();
        let finish: Finish = Box::new(move |outcome| {
            let _ = answer.send(match result {
                Err(e) => Err(e),
                Ok(v) => outcome.answer(v),
            });
        });
        (ok, finish)
    }

    fn abandon(self: Box<Self>, outcome: Outcome) {
        let _ = self.answer.send(outcome.answer_without_value());
    }
}

impl Outcome {
    fn answer<T, E: From<Error>>(self, value: T) -> Result<T, E> {
        match self {
            Outcome::Committed => Ok(value),
            _ => self.answer_without_value(),
        }
    }

    fn answer_without_value<T, E: From<Error>>(self) -> Result<T, E> {
        match self {
            Outcome::Unavailable => Err(Error::Unavailable.into()),
            _ => Err(Error::Internal("the write transaction failed").into()),
        }
    }
}

/// A handle for sending write jobs; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    /// `None` asks the writer to finish what is queued and stop.
    jobs: mpsc::Sender<Option<Job>>,
    thread: std::sync::Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer thread on a connection opened for writing.
    pub fn start(
        conn: Connection,
        checkpointer: Option<super::checkpoint::Checkpointer>,
    ) -> Writer {
        let (jobs, queue) = mpsc::channel::<Option<Job>>();
        let thread = std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || run(conn, queue, checkpointer))
            .expect("spawning the writer thread");
        Writer {
            jobs,
            thread: std::sync::Arc::new(std::sync::Mutex::new(Some(thread))),
        }
    }

    /// Runs `f` in the write transaction and answers once it is committed.
    /// An `Err` from `f` rolls back only `f`'s own changes.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Some(job(f, answer)))
            .map_err(|_| Error::Internal("the writer has stopped"))?;
        METRICS.writer_queue.inc();
        answered
            .await
            .map_err(|_| Error::Internal("a write job panicked"))?
    }

    /// Like [`Writer::write`], for callers outside the async runtime.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Some(job(f, answer)))
            .map_err(|_| Error::Internal("the writer has stopped"))?;
        METRICS.writer_queue.inc();
        answered
            .blocking_recv()
            .map_err(|_| Error::Internal("a write job panicked"))?
    }

    /// Finishes the jobs already queued and stops (handles still held, e.g.
    /// by a connection hyper has not let go of, can no longer write),
    /// and waits for the thread (which closes the connection, checkpointing
    /// the WAL). Call from a blocking context.
    pub fn shutdown(self) {
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        let _ = self.jobs.send(None);
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

fn job<T, E, F>(f: F, answer: tokio::sync::oneshot::Sender<Result<T, E>>) -> Job
where
    T: Send + 'static,
    E: From<Error> + Send + 'static,
    F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
{
    Box::new(FnJob { f, answer })
}

fn run(
    conn: Connection,
    queue: mpsc::Receiver<Option<Job>>,
    checkpointer: Option<super::checkpoint::Checkpointer>,
) {
    // Without the triggers that make it forget, the writer must not remember.
    let remember = match super::tokens::watch_holders(&conn) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("token checks are not remembered within a transaction: {e}");
            false
        }
    };
    let mut pending: VecDeque<Job> = VecDeque::new();
    let mut stopping = false;
    loop {
        if pending.is_empty() {
            if stopping {
                break;
            }
            match queue.recv() {
                Ok(Some(job)) => {
                    METRICS.writer_queue.dec();
                    pending.push_back(job)
                }
                Ok(None) => stopping = true,
                Err(_) => break, // every handle dropped: shut down
            }
        }
        while pending.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(Some(job)) => {
                    METRICS.writer_queue.dec();
                    pending.push_back(job)
                }
                Ok(None) => stopping = true,
                Err(_) => break,
            }
        }
        if !pending.is_empty() {
            run_batch(&conn, &mut pending, remember);
        }
    }
    // Closing the last connection checkpoints the whole WAL and removes it.
    if let Some(c) = checkpointer {
        c.stop();
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!("closing the database: {e}");
    }
}

/// Runs jobs from the front of `pending` in one transaction and answers
/// them. Jobs it could not run stay in `pending` for the next transaction.
/// With `remember`, token holders found in it are looked up once (see
/// `tokens`), and forgotten when it ends, however it ends.
fn run_batch(conn: &Connection, pending: &mut VecDeque<Job>, remember: bool) {
    let _remembering = remember.then(super::tokens::Remembering::start);
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
        let outcome = outcome_of(&e);
        tracing::warn!("cannot begin a write transaction: {e}");
        // Nothing ran: answer every waiting job rather than spin.
        for job in pending.drain(..) {
            job.abandon(outcome);
        }
        rollback_if_open(conn);
        return;
    }
    let mut done: Vec<Finish> = Vec::with_capacity(pending.len());
    while let Some(job) = pending.pop_front() {
        if let Err(e) = exec(conn, "SAVEPOINT job") {
            tracing::warn!("cannot open a savepoint: {e}");
            if done.is_empty() {
                // Not even the first job can be isolated: answer it rather
                // than retry it in one empty transaction after another.
                job.abandon(outcome_of(&e));
            } else {
                // Cannot isolate the job: run it in the next transaction.
                pending.push_front(job);
            }
            break;
        }
        let ran = catch_unwind(AssertUnwindSafe(|| job.run(conn)));
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (disk full, I/O
            // error): earlier jobs of this batch are lost, so they must not
            // be answered as written.
            let outcome = Outcome::Unavailable;
            for finish in done.drain(..) {
                finish(outcome);
            }
            if let Ok((_, finish)) = ran {
                finish(outcome);
            }
            return;
        }
        match ran {
            Ok((true, finish)) => {
                let _ = exec(conn, "RELEASE job");
                done.push(finish);
            }
            Ok((false, finish)) => {
                let undone = undo_job(conn);
                // Its answer is its own error; nothing of it is committed.
                finish(Outcome::Failed);
                if let Err(e) = undone {
                    return abort(conn, done, &e);
                }
            }
            Err(_) => {
                // A panicking job dropped its answer; the caller sees a 500.
                if let Err(e) = undo_job(conn) {
                    return abort(conn, done, &e);
                }
            }
        }
    }
    if conn.is_autocommit() {
        // The transaction is gone (SQLite rolled it back): nothing of it
        // can be committed.
        for finish in done {
            finish(Outcome::Unavailable);
        }
        return;
    }
    METRICS.writer_batch.observe(done.len() as f64);
    let committing = std::time::Instant::now();
    let outcome = match super::search::flush(conn).and_then(|_| exec(conn, "COMMIT")) {
        Ok(()) => {
            METRICS
                .commit_seconds
                .observe(committing.elapsed().as_secs_f64());
            METRICS.commits.inc();
            Outcome::Committed
        }
        Err(e) => {
            tracing::warn!("commit failed: {e}");
            rollback_if_open(conn);
            outcome_of(&e)
        }
    };
    for finish in done {
        finish(outcome);
    }
}

/// Undoes a failed job's changes, keeping the rest of the transaction.
/// Holders looked up after a change it made no longer hold either.
fn undo_job(conn: &Connection) -> rusqlite::Result<()> {
    super::tokens::forget_holders();
    exec(conn, "ROLLBACK TO job").and_then(|_| exec(conn, "RELEASE job"))
}

/// A failed job's changes could not be undone on their own: rolls back the
/// whole transaction, so they are never committed, and answers the jobs
/// that ran before it as not written.
fn abort(conn: &Connection, done: Vec<Finish>, e: &rusqlite::Error) {
    tracing::warn!("cannot undo a failed write job: {e}");
    rollback_if_open(conn);
    let outcome = outcome_of(e);
    for finish in done {
        finish(outcome);
    }
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn rollback_if_open(conn: &Connection) {
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
}

fn outcome_of(e: &rusqlite::Error) -> Outcome {
    if super::is_unavailable(e) {
        Outcome::Unavailable
    } else {
        Outcome::Failed
    }
}
