//! The threads read jobs run on: a fixed set fed by one queue, woken in
//! batches.
//!
//! `spawn_blocking` wakes a thread for every job. On a busy box that is a
//! context switch away from the runtime and one back per request, about
//! as much as a point read itself (measured: futex and scheduler work were
//! a sixth of a `GET` of one group on one core). Here a job only wakes a
//! sleeping thread when the queue is longer than [`BATCH`] jobs for each
//! thread that is awake and not in a job (so always when every awake
//! thread is busy); an awake thread takes job after job until the queue is
//! empty. So when requests arrive faster than one core answers them, one
//! wake-up serves a batch, and a slow job (a search) never holds up one
//! queued behind it: that one wakes another thread.
//!
//! The queue has no bound of its own: each job is one request being
//! answered, and connections are capped (`--max-connections`).

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};

/// Threads, as many as the pool has connections: a thread never waits for
/// one.
pub const THREADS: usize = 8;
/// Jobs waiting per awake thread before another one is woken.
const BATCH: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

struct Readers {
    state: Mutex<State>,
    ready: Condvar,
}

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// Threads running jobs or woken to.
    awake: usize,
    /// Threads in a job now.
    running: usize,
    /// Wake-ups sent and not yet taken (a condvar may wake spuriously).
    wakeups: usize,
}

static READERS: LazyLock<&'static Readers> = LazyLock::new(|| {
    let readers: &'static Readers = Box::leak(Box::new(Readers {
        state: Mutex::new(State {
            // Every thread starts awake and goes to sleep on an empty queue.
            awake: THREADS,
            ..State::default()
        }),
        ready: Condvar::new(),
    }));
    for n in 0..THREADS {
        std::thread::Builder::new()
            .name(format!("db-read-{n}"))
            .spawn(move || readers.work())
            .expect("cannot start the database read threads");
    }
    readers
});

/// Runs `job` on a read thread; `None` when it panicked.
pub fn run<T, F>(job: F) -> impl Future<Output = Option<T>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    READERS.submit(Box::new(move || {
        // A panic drops `tx`: the caller gets `None`, the thread lives on.
        if let Ok(value) = catch_unwind(AssertUnwindSafe(job)) {
            let _ = tx.send(value);
        }
    }));
    async move { rx.await.ok() }
}

impl Readers {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn submit(&self, job: Job) {
        let mut s = self.lock();
        s.jobs.push_back(job);
        let spare = s.awake - s.running;
        let wake = s.jobs.len() > spare * BATCH;
        if wake && s.awake < THREADS {
            s.awake += 1;
            s.wakeups += 1;
            drop(s);
            self.ready.notify_one();
        }
    }

    fn work(&self) {
        let mut s = self.lock();
        loop {
            if let Some(job) = s.jobs.pop_front() {
                s.running += 1;
                drop(s);
                job();
                s = self.lock();
                s.running -= 1;
                continue;
            }
            s.awake -= 1;
            while s.wakeups == 0 {
                s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            s.wakeups -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn jobs_answer_and_a_panic_is_none() {
        assert_eq!(run(|| 6 * 7).await, Some(42));
        let panicked: Option<()> = run(|| panic!("a read job fails")).await;
        assert_eq!(panicked, None);
        // The threads live on after a panic.
        let answers: Vec<_> = (0..THREADS * 4).map(|n| run(move || n)).collect();
        let mut got = Vec::new();
        for a in answers {
            got.push(a.await.unwrap());
        }
        assert_eq!(got, (0..THREADS * 4).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_slow_job_does_not_hold_up_the_queue_behind_it() {
        let slow = run(|| std::thread::sleep(Duration::from_secs(2)));
        // Give the slow job time to start on its thread.
        tokio::time::sleep(Duration::from_millis(100)).await;
        // One job behind a busy thread: another thread is woken for it.
        let quick: Vec<_> = (0..2).map(|n| run(move || n)).collect();
        let started = std::time::Instant::now();
        for q in quick {
            q.await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        slow.await.unwrap();
    }
}
