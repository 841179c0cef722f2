//! How the kernel schedules the server's threads (Linux; elsewhere the
//! functions do nothing).
//!
//! The server's threads run `SCHED_BATCH` ([`batch_from_here`]): a thread
//! woken by another of the server's (a read job handed to a read thread,
//! its answer handed back to the runtime) waits until the running one
//! blocks or its slice is used up instead of preempting it, so each side
//! works through every job and answer queued meanwhile in one go. Measured
//! on one core with 64 connections: context switches per `GET` of a group
//! fell from 1.3 to 0.16, the server's CPU per request by about a third,
//! with p99 no worse. The weight (nice) is unchanged, and a woken thread
//! still gets an idle CPU at once.
//!
//! Password hashing runs at `SCHED_IDLE` ([`hashing_thread`]), below every
//! request. But a `SCHED_BATCH` thread does not preempt a `SCHED_IDLE` one
//! either (the kernel checks the policy first; seen on 6.18): a request
//! arriving during a 19 ms hash would wait for the next tick (4 ms at 250
//! Hz), which put the readers' p99 during a login storm at 3.9 times its
//! calm value. So while any hash is queued or running ([`Hashing`]) the
//! server's threads are switched to the normal policy, under which a woken
//! thread preempts an idle one at once, and back to `SCHED_BATCH` when the
//! last one is done: two switches per burst of logins, each a read of
//! /proc/self/task and a system call per thread, against a hash's 19 ms.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Whether [`batch_from_here`] succeeded: only then does [`Hashing`]
/// switch policies (a test that runs the server inside its own process
/// leaves that process's threads alone).
static BATCH: AtomicBool = AtomicBool::new(false);

struct State {
    /// Hashes queued or running.
    hashing: usize,
    /// Whether the server's threads are at the normal policy now.
    normal: bool,
    /// The hashing threads' ids: they stay `SCHED_IDLE`.
    hashers: Vec<i32>,
}

static STATE: Mutex<State> = Mutex::new(State {
    hashing: 0,
    normal: false,
    hashers: Vec::new(),
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// `SCHED_BATCH` for the calling thread, and so for every thread it starts
/// from now on. Call it before any other thread exists.
pub fn batch_from_here() -> std::io::Result<()> {
    set(0, Policy::Batch)?;
    BATCH.store(true, Ordering::SeqCst);
    Ok(())
}

/// `SCHED_IDLE` for the calling thread, a password hashing thread: it runs
/// only when no other thread of the machine wants the CPU.
pub fn hashing_thread() {
    if set(0, Policy::Idle).is_ok() {
        state().hashers.push(thread_id());
    }
}

/// A hash queued or running (see the module docs): made when a hash is
/// handed over (no system call), [`Hashing::start`] on the hashing thread
/// right before it runs, dropped when it is done or dropped unrun. The
/// policies are switched on the hashing threads, off the async runtime.
pub struct Hashing(());

impl Hashing {
    pub fn queued() -> Hashing {
        if BATCH.load(Ordering::SeqCst) {
            state().hashing += 1;
        }
        Hashing(())
    }

    /// The server's threads to the normal policy, if they are not there.
    pub fn start(&self) {
        if BATCH.load(Ordering::SeqCst) {
            let mut s = state();
            if !s.normal {
                set_all_but(&s.hashers, Policy::Normal);
                s.normal = true;
            }
        }
    }
}

impl Drop for Hashing {
    /// The last hash done: the server's threads back to `SCHED_BATCH`.
    fn drop(&mut self) {
        if BATCH.load(Ordering::SeqCst) {
            let mut s = state();
            s.hashing = s.hashing.saturating_sub(1);
            if s.hashing == 0 && s.normal {
                set_all_but(&s.hashers, Policy::Batch);
                s.normal = false;
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Policy {
    Normal,
    Batch,
    Idle,
}

/// Every thread of this process but `except`. A thread that ends
/// meanwhile is simply not found; one started meanwhile took its
/// creator's policy.
fn set_all_but(except: &[i32], policy: Policy) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    for task in tasks.flatten() {
        let Some(tid) = task
            .file_name()
            .to_str()
            .and_then(|t| t.parse::<i32>().ok())
        else {
            continue;
        };
        if !except.contains(&tid) {
            let _ = set(tid, policy);
        }
    }
}

#[cfg(target_os = "linux")]
fn set(tid: i32, policy: Policy) -> std::io::Result<()> {
    let policy = match policy {
        Policy::Normal => libc::SCHED_OTHER,
        Policy::Batch => libc::SCHED_BATCH,
        Policy::Idle => libc::SCHED_IDLE,
    };
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: sched_setscheduler reads the param and has no other memory
    // effects; tid 0 is the calling thread; a failure changes nothing.
    match unsafe { libc::sched_setscheduler(tid, policy, &param) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn set(_tid: i32, _policy: Policy) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(target_os = "linux")]
fn thread_id() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::gettid() }
}

#[cfg(not(target_os = "linux"))]
fn thread_id() -> i32 {
    0
}
