//! The server's threads and their scheduling policies (src/main.rs,
//! src/secrets.rs), read from /proc as an operator's `ps` would.

use super::*;

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
    for (name, policy) in &threads {
        let wanted = if name.starts_with("argon2-") {
            SCHED_IDLE
        } else {
            SCHED_BATCH
        };
        assert_eq!(*policy, wanted, "{name} in {threads:?}");
    }
    assert!(server.terminate().success());
}
