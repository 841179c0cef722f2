//! Files the server will not take.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_sqlite_stops_the_server_with_one_line_and_no_panic() {
    let (_dir, db) = temp();
    std::fs::write(&db, "hello").unwrap();
    let mut c = venue_groups(&db);
    c.args(["--addr", "127.0.0.1:0"]);

    let out = run(c);

    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("venue.db"), "names the file: {err:?}");
    assert!(err.to_lowercase().contains("sqlite"), "{err:?}");
    assert!(!err.contains("panicked"), "{err:?}");
    assert!(!err.to_lowercase().contains("backtrace"), "{err:?}");
    assert!(!err.contains("listening"), "{err:?}");
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "hello", "untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_file_refuses_with_one_line_and_commands_still_work() {
    let (dir, db) = temp();
    let mut first = Server::start(&db, &boss_env());
    let admin = first.token(BOSS, BOSS_PASSWORD).await;

    let mut second = venue_groups(&db);
    second.args(["--addr", "127.0.0.1:0"]);
    let refused = run(second);

    assert!(!refused.status.success());
    let err = text(&refused.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("another venue-groups server"), "{err:?}");
    assert!(err.contains("venue.db"), "{err:?}");
    // Beside the running server, the commands still work.
    let mut backup = venue_groups(&db);
    backup.arg("backup").arg(dir.path().join("copy.db"));
    let out = run(backup);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut create = venue_groups(&db);
    create
        .args(["user", "create", "--email", "late@venue.test"])
        .args(["--first-name", "Late", "--last-name", "Comer", "--admin"])
        .env("VENUE_GROUPS_PASSWORD", "late-password-3");
    let out = run(create);
    assert!(out.status.success(), "{}", text(&out.stderr));
    first.token("late@venue.test", "late-password-3").await;
    let (status, _) = first.get("/me", &admin).await;
    assert_eq!(status, StatusCode::OK, "the first server still serves");
    // A killed server leaves no lock behind: the kernel drops it.
    first.child.kill().unwrap();
    first.wait_exit();
    let mut after = Server::start(&db, &[]);
    after.token(BOSS, BOSS_PASSWORD).await;
    assert!(after.terminate().success());
}
