//! demo and backup.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fills_an_empty_database_with_logins_that_work_and_refuses_a_second_run() {
    let (_dir, db) = temp();
    let mut c = venue_groups(&db);
    c.arg("demo");

    let out = run(c);

    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let logins: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("login "))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let email = parts.next().unwrap().to_string();
            assert_eq!(parts.next(), Some("/"), "{l}");
            let password = parts.next().unwrap().to_string();
            (email, password)
        })
        .collect();
    assert!(logins.len() >= 3, "{stdout}");
    let mut server = Server::start(&db, &[]);
    assert!(
        !server.log().contains("admin@localhost") && !server.log().contains("no admin"),
        "demo made an admin: {}",
        server.log()
    );
    let mut admins = 0;
    for (email, password) in &logins {
        let token = server.token(email, password).await;
        let (_, me) = server.get("/me", &token).await;
        admins += usize::from(me["data"]["is_admin"] == true);
        let (status, partners) = server.get("/partners", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            partners["meta"]["total"], 1,
            "{email} works for the demo venue"
        );
        let partner = partners["data"][0]["id"].as_i64().unwrap();
        let (status, groups) = server
            .get(&format!("/partners/{partner}/groups"), &token)
            .await;
        assert_eq!(status, StatusCode::OK, "{email}");
        assert!(groups["meta"]["total"].as_i64().unwrap() >= 1);
        let (status, customers) = server
            .get(&format!("/partners/{partner}/customers"), &token)
            .await;
        assert_eq!(status, StatusCode::OK, "{email}");
        assert!(customers["meta"]["total"].as_i64().unwrap() >= 1);
    }
    assert_eq!(admins, 1, "demo prints one admin login: {stdout}");
    assert!(server.terminate().success());

    let mut again = venue_groups(&db);
    again.arg("demo");
    let second = run(again);
    assert!(!second.status.success());
    let err = text(&second.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("already"), "{err:?}");
    assert!(!err.contains("panicked"));
    let partners: i64 = common::open_db(&db)
        .query_row("SELECT count(*) FROM partners", [], |r| r.get(0))
        .unwrap();
    assert_eq!(partners, 1, "the second run added nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_the_server_takes_writes_makes_a_sound_copy() {
    // Arrange: a server with 20 groups, and a client that keeps writing.
    let (dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let (_, partner) = server
        .post("/partners", &admin, json!({"name": "Hall"}))
        .await;
    let partner = partner["data"]["id"].as_i64().unwrap();
    for i in 0..20 {
        let (status, _) = server
            .post(
                &format!("/partners/{partner}/groups"),
                &admin,
                json!({"name": format!("before {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (started_tx, started) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let mut started_tx = Some(started_tx);
        let stop = stop.clone();
        let client = server.client.clone();
        let url = server.api(&format!("/partners/{partner}/groups"));
        let admin = admin.clone();
        tokio::spawn(async move {
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r = client
                    .post(&url)
                    .bearer_auth(&admin)
                    .json(&json!({"name": format!("during {written}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                written += 1;
                if let Some(tx) = started_tx.take() {
                    let _ = tx.send(());
                }
            }
            written
        })
    };
    let copy = dir.path().join("copy.db");
    started.await.expect("the writes are going on");

    // Act
    let mut c = venue_groups(&db);
    c.arg("backup").arg(&copy);
    let out = tokio::task::spawn_blocking(move || {
        let child = c
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        finish(child, PATIENCE)
    })
    .await
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.await.unwrap();

    // Assert
    assert!(out.status.success(), "{}", text(&out.stderr));
    let copy_db = common::open_db(&copy);
    let check: String = copy_db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let before: i64 = copy_db
        .query_row(
            "SELECT count(*) FROM groups WHERE name LIKE 'before %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, 20);
    let during: i64 = copy_db
        .query_row(
            "SELECT count(*) FROM groups WHERE name LIKE 'during %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(during <= written, "{during} > {written}");
    // The copy is a database the server can serve.
    drop(copy_db);
    assert!(server.terminate().success());
    let restored = Server::start(&copy, &[]);
    let token = restored.token(BOSS, BOSS_PASSWORD).await;
    let (status, groups) = restored
        .get(&format!("/partners/{partner}/groups"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(groups["meta"]["total"], 20 + during);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_to_an_existing_path_fails_and_leaves_the_file_alone() {
    let (dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let existing = dir.path().join("keep.db");
    std::fs::write(&existing, "keep me").unwrap();

    let mut c = venue_groups(&db);
    c.arg("backup").arg(&existing);
    let out = run(c);

    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(lines(&err).len(), 1, "{err:?}");
    assert!(err.contains("exists"), "{err:?}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    assert!(server.terminate().success());
}
