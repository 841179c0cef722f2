//! A backup while writes go on.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_during_writes_holds_every_write_acknowledged_before_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let mut server = Server::start(&db);
    let http = client();
    let login = must(
        http.post(server.api("/auth/login"))
            .json(&json!({"email": ADMIN, "password": ADMIN_PASSWORD})),
        "login",
    )
    .await;
    let token = login["data"]["token"].as_str().unwrap().to_string();
    let partner = must(
        http.post(server.api("/partners"))
            .bearer_auth(&token)
            .json(&json!({"name": "Backup Hall"})),
        "partner",
    )
    .await["data"]["id"]
        .as_i64()
        .unwrap();

    // Writers that keep creating groups, noting each acknowledged one.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (http, acked, stop) = (http.clone(), acked.clone(), stop.clone());
            let url = server.api(&format!("/partners/{partner}/groups"));
            let token = token.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let name = format!("w{w}-{n}");
                    n += 1;
                    let (status, body) = send(
                        http.post(&url)
                            .bearer_auth(&token)
                            .json(&json!({"name": name})),
                    )
                    .await
                    .expect("an answer");
                    assert_eq!(status, StatusCode::OK, "{body}");
                    acked.lock().unwrap().push(name);
                }
                n
            })
        })
        .collect();

    for round in 0..3 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Act: the backup starts after these were acknowledged.
        let before: Vec<String> = acked.lock().unwrap().clone();
        let copy = dir.path().join(format!("copy-{round}.db"));
        let mut c = Command::new(BIN);
        for v in ENV {
            c.env_remove(v);
        }
        c.arg("--db").arg(&db).arg("backup").arg(&copy);
        let out = tokio::task::spawn_blocking(move || c.output().expect("run backup"))
            .await
            .unwrap();

        // Assert
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c = open_read_only(&copy);
        check_file(&c, &format!("backup {round}"));
        let in_copy: BTreeSet<String> = c
            .prepare("SELECT name FROM groups WHERE partner_id = ?1")
            .unwrap()
            .query_map([partner], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let missing: Vec<&String> = before.iter().filter(|n| !in_copy.contains(*n)).collect();
        assert!(
            missing.is_empty(),
            "backup {round} lacks acknowledged writes: {missing:?}"
        );
        assert!(!before.is_empty(), "writes were going on");
        // Nothing in the copy that was not sent.
        let sent = acked.lock().unwrap().len() + 4;
        assert!(in_copy.len() <= sent, "{} > {sent}", in_copy.len());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    server.terminate();
    server.assert_no_panic();
}
