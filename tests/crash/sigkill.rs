//! Kill and restart at random moments.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_at_random_moments_and_counters_stay_exact() {
    let started = Instant::now();
    let (mut rng, seed) = Rng::from_env_or_clock();
    eprintln!("crash test seed: {seed} (replay with CRASH_SEED={seed})");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");

    // Arrange: a partner and its customers, all acknowledged.
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
            .json(&json!({"name": "Crash Hall"})),
        "partner",
    )
    .await["data"]["id"]
        .as_i64()
        .unwrap();
    let mut customers = Vec::new();
    for i in 0..CUSTOMERS {
        let body = must(
            http.post(server.api(&format!("/partners/{partner}/customers")))
                .bearer_auth(&token)
                .json(&json!({"first_name": "Crash", "last_name": format!("Customer {i}")})),
            "customer",
        )
        .await;
        customers.push(body["data"]["id"].as_i64().unwrap());
    }
    let customers = Arc::new(customers);
    let mut clients: Vec<Client> = (0..CLIENTS)
        .map(|index| Client {
            index,
            ..Client::default()
        })
        .collect();

    let mut cut_off = 0;
    for cycle in 0..CYCLES {
        // Act: every client writes; the server dies 20-300 ms in.
        let target = Target {
            http: client(),
            base: server.api(""),
            token: token.clone(),
            partner,
            customers: customers.clone(),
        };
        let tasks: Vec<_> = std::mem::take(&mut clients)
            .into_iter()
            .map(|me| tokio::spawn(drive(me, target.clone(), rng.fork())))
            .collect();
        let delay = Duration::from_millis(20 + rng.below(281));
        tokio::time::sleep(delay).await;
        server.kill();
        server.assert_no_panic();
        for task in tasks {
            let me = tokio::time::timeout(PATIENCE, task)
                .await
                .expect("a client hangs after the kill")
                .expect("client task")
                .unwrap_or_else(|e| panic!("cycle {cycle} (seed {seed}): {e}"));
            cut_off += usize::from(me.doubt.is_some());
            clients.push(me);
        }

        // Assert: after a restart on the same file, it holds what was
        // acknowledged and its counters are exact.
        server = Server::start(&db);
        let when = format!("after kill {cycle} at {delay:?} (seed {seed})");
        let c = open_read_only(&db);
        check_file(&c, &when);
        check_clients(&c, &mut clients, partner, &when);
    }

    server.terminate();
    server.assert_no_panic();
    let c = open_read_only(&db);
    check_file(&c, "after the last clean stop");
    check_clients(&c, &mut clients, partner, "after the last clean stop");
    let acked: usize = clients.iter().map(|m| m.acked).sum();
    eprintln!(
        "{CYCLES} kills, {acked} acknowledged writes, {cut_off} writes cut off, {:?}",
        started.elapsed()
    );
    assert!(
        acked >= CYCLES * 10,
        "too few writes to prove anything: {acked}"
    );
}
