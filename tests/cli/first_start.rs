//! The first start and its admin.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_without_admin_settings_prints_a_random_admin_password_that_logs_in() {
    let (_dir, db) = temp();

    let mut server = Server::start(&db, &[]);

    let admin_lines: Vec<&String> = server
        .seen
        .iter()
        .filter(|l| l.contains("admin@localhost"))
        .collect();
    assert_eq!(admin_lines.len(), 1, "{:#?}", server.seen);
    let password = admin_lines[0]
        .split("password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no password in {:?}", admin_lines[0]))
        .to_string();
    assert!(password.len() >= 12, "{password}");
    let (status, body) = server.login("admin@localhost", &password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["user"]["is_admin"], true);
    let (wrong, _) = server.login("admin@localhost", "not-it-at-all").await;
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    server.child.kill().unwrap();
    server.wait_exit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_env_vars_make_the_first_admin_and_only_on_the_first_start() {
    let (_dir, db) = temp();

    let mut first = Server::start(&db, &boss_env());
    let token = first.token(BOSS, BOSS_PASSWORD).await;
    let (status, me) = first.get("/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["data"]["email"], BOSS);
    assert_eq!(me["data"]["is_admin"], true);
    let (status, _) = first.login("admin@localhost", BOSS_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(first.log().contains(BOSS), "{}", first.log());
    assert!(!first.log().contains(BOSS_PASSWORD), "{}", first.log());
    assert!(first.terminate().success());

    let mut second = Server::start(
        &db,
        &[
            ("VENUE_GROUPS_ADMIN_EMAIL", "other@venue.test"),
            ("VENUE_GROUPS_ADMIN_PASSWORD", "other-password-2"),
        ],
    );
    let (status, _) = second.login("other@venue.test", "other-password-2").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "users exist: no new admin"
    );
    let (status, _) = second.login(BOSS, BOSS_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_email_of_a_user_who_is_not_an_admin_makes_no_admin_and_says_why() {
    // A database with a user but no admin (as `user create` without --admin leaves it).
    let (_dir, db) = temp();
    let mut create = venue_groups(&db);
    create
        .args(["user", "create", "--email", "desk@venue.test"])
        .args(["--first-name", "Front", "--last-name", "Desk"])
        .env("VENUE_GROUPS_PASSWORD", "desk-password-1");
    let out = run(create);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let mut plain = Server::start(&db, &[]);
    let said: Vec<&String> = plain
        .seen
        .iter()
        .filter(|l| l.contains("no admin"))
        .collect();
    assert_eq!(said.len(), 1, "{:#?}", plain.seen);
    assert!(said[0].contains("VENUE_GROUPS_ADMIN_EMAIL"), "{}", said[0]);
    assert!(plain.terminate().success());

    let mut refused = Server::start(
        &db,
        &[
            ("VENUE_GROUPS_ADMIN_EMAIL", "Desk@Venue.test"),
            ("VENUE_GROUPS_ADMIN_PASSWORD", "other-password-2"),
        ],
    );
    let said: Vec<&String> = refused
        .seen
        .iter()
        .filter(|l| l.contains("not an admin"))
        .collect();
    assert_eq!(said.len(), 1, "{:#?}", refused.seen);
    let (status, _) = refused.login("desk@venue.test", "other-password-2").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the password is unchanged"
    );
    let desk = refused.token("desk@venue.test", "desk-password-1").await;
    let (_, me) = refused.get("/me", &desk).await;
    assert_eq!(me["data"]["is_admin"], false, "not promoted");
    assert!(refused.terminate().success());

    // Users exist, but no admin: the configured admin is created.
    let mut made = Server::start(&db, &boss_env());
    let boss = made.token(BOSS, BOSS_PASSWORD).await;
    let (_, me) = made.get("/me", &boss).await;
    assert_eq!(me["data"]["is_admin"], true);
    assert!(made.terminate().success());
}
