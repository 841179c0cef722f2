//! The server's threads and their scheduling policies (src/scheduling.rs),
//! read from /proc as an operator's `ps` would.

use super::*;

const SCHED_OTHER: u32 = 0;
const SCHED_BATCH: u32 = 3;
const SCHED_IDLE: u32 = 5;

/// Each thread of the process: its name and scheduling policy.
fn threads(pid: u32) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let dir = task.unwrap().path();
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(dir.join("comm")),
            std::fs::read_to_string(dir.join("stat")),
        ) else {
            continue; // the thread ended meanwhile
        };
        // The fields after the name (which may hold spaces) in parentheses:
        // state is field 3 of proc(5), the policy field 41.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let policy: u32 = after.split(' ').nth(41 - 3).unwrap().parse().unwrap();
        found.push((name.trim().to_string(), policy));
    }
    found
}

/// Every thread is at `others` but the hashing threads, at `SCHED_IDLE`.
fn assert_policies(threads: &[(String, u32)], others: u32, when: &str) {
    for (name, policy) in threads {
        let wanted = if name.starts_with("argon2-") {
            SCHED_IDLE
        } else {
            others
        };
        assert_eq!(*policy, wanted, "{name} {when}: {threads:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_thread_is_batch_scheduled_and_hashing_is_idle() {
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    // A login runs a hash; a read starts the read threads.
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let (status, _) = server.get("/me", &admin).await;
    assert_eq!(status, StatusCode::OK);

    let threads = threads(server.child.id());
    for prefix in ["tokio-rt-worker", "db-read-", "db-writer", "log", "argon2-"] {
        let named = threads.iter().filter(|(n, _)| n.starts_with(prefix));
        assert!(named.count() > 0, "no {prefix} thread in {threads:?}");
    }
    assert_policies(&threads, SCHED_BATCH, "at rest");
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_a_password_is_hashed_the_server_threads_run_at_the_normal_policy() {
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let pid = server.child.id();
    // The hash takes some 20 ms or more; look at the policies until it is done.
    let mut seen_normal = Vec::new();
    let (status, body) = {
        let login = server.login(BOSS, BOSS_PASSWORD);
        tokio::pin!(login);
        loop {
            tokio::select! {
                answer = &mut login => break answer,
                _ = tokio::time::sleep(Duration::from_millis(1)) => {
                    let now = threads(pid);
                    let workers_normal = now
                        .iter()
                        .filter(|(n, _)| n.starts_with("tokio-rt-worker"))
                        .all(|(_, p)| *p == SCHED_OTHER);
                    if workers_normal {
                        seen_normal = now;
                    }
                }
            }
        }
    };
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !seen_normal.is_empty(),
        "never at the normal policy during the login"
    );
    assert_policies(&seen_normal, SCHED_OTHER, "during the hash");
    // Done: back to SCHED_BATCH before the answer came.
    assert_policies(&threads(pid), SCHED_BATCH, "after the hash");
    assert!(server.terminate().success());
}
