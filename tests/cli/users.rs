//! user create.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_with_password_stdin_makes_a_user_who_logs_in_with_those_rights() {
    // Arrange: a partner, made through the API.
    let (_dir, db) = temp();
    let mut server = Server::start(&db, &boss_env());
    let admin = server.token(BOSS, BOSS_PASSWORD).await;
    let (status, partner) = server
        .post("/partners", &admin, json!({"name": "Hall"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let partner = partner["data"]["id"].as_i64().unwrap();
    assert!(server.terminate().success());

    // Act
    let mut c = venue_groups(&db);
    c.args([
        "user",
        "create",
        "--email",
        "Desk@Venue.test",
        "--first-name",
        "Frank",
        "--last-name",
        "Desk",
        "--permission",
        "groups.read",
        "--permission",
        "customers.read",
        "--partner",
        &partner.to_string(),
        "--password-stdin",
    ]);
    let child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"desk-password-9\n")
        .unwrap();
    let out = tokio::task::block_in_place(|| finish(child, PATIENCE));

    // Assert
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Desk@Venue.test"),
        "{}",
        text(&out.stdout)
    );
    let mut server = Server::start(&db, &[]);
    let token = server.token("desk@venue.test", "desk-password-9").await;
    let (status, me) = server.get("/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    let me = &me["data"];
    assert_eq!(me["email"], "Desk@Venue.test");
    assert_eq!(me["first_name"], "Frank");
    assert_eq!(me["last_name"], "Desk");
    assert_eq!(me["is_admin"], false);
    let mut perms: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    perms.sort_unstable();
    assert_eq!(perms, vec!["customers.read", "groups.read"]);
    assert_eq!(me["partner_ids"], json!([partner]));
    let (status, _) = server
        .get(&format!("/partners/{partner}/groups"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    // The newline ending the stdin line is not part of the password.
    let (status, _) = server.login("desk@venue.test", "desk-password-9\n").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_takes_the_password_from_the_environment_and_makes_admins() {
    let (_dir, db) = temp();
    let mut c = venue_groups(&db);
    c.args([
        "user",
        "create",
        "--email",
        "root@venue.test",
        "--first-name",
        "Root",
        "--last-name",
        "Admin",
        "--admin",
    ])
    .env("VENUE_GROUPS_PASSWORD", "root-password-7");

    let out = run(c);

    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut server = Server::start(&db, &[]);
    assert!(
        !server.log().contains("admin@localhost"),
        "a user exists, so no bootstrap admin: {}",
        server.log()
    );
    let token = server.token("root@venue.test", "root-password-7").await;
    let (_, me) = server.get("/me", &token).await;
    assert_eq!(me["data"]["is_admin"], true);
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_refuses_bad_input_with_one_clear_line() {
    let (_dir, db) = temp();
    let base = |extra: &[&str]| {
        let mut c = venue_groups(&db);
        c.args([
            "user",
            "create",
            "--email",
            "x@venue.test",
            "--first-name",
            "X",
            "--last-name",
            "Y",
        ])
        .args(extra)
        .env("VENUE_GROUPS_PASSWORD", "long-enough-pw");
        c
    };

    let unknown_permission = run(base(&["--permission", "groups.fly"]));
    let unknown_partner = run(base(&["--partner", "77"]));
    let short_password = run({
        let mut c = base(&[]);
        c.env("VENUE_GROUPS_PASSWORD", "short");
        c
    });
    let no_password = run({
        let mut c = base(&[]);
        c.env_remove("VENUE_GROUPS_PASSWORD");
        c
    });
    let bad_email = run({
        let mut c = venue_groups(&db);
        c.args([
            "user",
            "create",
            "--email",
            "not-an-email",
            "--first-name",
            "X",
            "--last-name",
            "Y",
        ])
        .env("VENUE_GROUPS_PASSWORD", "long-enough-pw");
        c
    });

    for (out, needle) in [
        (&unknown_permission, "groups.fly"),
        (&unknown_partner, "77"),
        (&short_password, "8"),
        (&no_password, "password"),
        (&bad_email, "not-an-email"),
    ] {
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{needle}: should fail");
        assert_eq!(lines(&err).len(), 1, "one line: {err:?}");
        assert!(err.starts_with("venue-groups: "), "{err:?}");
        assert!(err.contains(needle), "{needle}: {err:?}");
        assert!(!err.contains("panicked"), "{err:?}");
        assert_eq!(text(&out.stdout), "", "nothing on stdout");
    }
    if db.exists() {
        let users: i64 = common::open_db(&db)
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 0);
    }
    // The same email twice is refused too.
    assert!(run(base(&[])).status.success());
    let twice = run(base(&[]));
    assert!(!twice.status.success());
    assert_eq!(
        lines(&text(&twice.stderr)).len(),
        1,
        "{}",
        text(&twice.stderr)
    );
    assert!(text(&twice.stderr).contains("exists"));
}
