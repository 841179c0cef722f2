//! The operator at the box: `user set-password`, `user disable` and
//! `user list` run by the real binary on the file a running server uses.

use crate::common::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use crate::{login_status, works};
use reqwest::StatusCode;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");

/// Runs `venue-groups --db DB ARGS`, with `stdin` as its standard input and
/// a clean environment but for `env`.
fn run(db: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("VENUE_GROUPS_") {
            c.env_remove(k);
        }
    }
    c.envs(env.iter().copied());
    c.arg("--db").arg(db).args(args);
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    tokio::task::block_in_place(|| child.wait_with_output().expect("wait"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_password_lets_the_admin_in_with_the_new_password_only_and_ends_its_sessions() {
    let s = TestServer::start().await;
    let session = s.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let new = "forgot-it-so-reset-it";

    let out = run(
        &s.db_path,
        &[
            "user",
            "set-password",
            "--email",
            "ADMIN@test.local",
            "--password-stdin",
        ],
        &format!("{new}\n"),
        &[],
    );

    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("password of ADMIN@test.local changed"),
        "{}",
        text(&out.stdout)
    );
    assert!(!text(&out.stdout).contains(new) && !text(&out.stderr).contains(new));
    assert_eq!(login_status(&s, ADMIN_EMAIL, new).await, StatusCode::OK);
    assert_eq!(
        login_status(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        !works(&s, &session).await,
        "a password set at the box ends every session"
    );
    let admin = s.login(ADMIN_EMAIL, new).await;
    let trail = s.get("/audit?action=user.updated", &admin).await.text;
    assert!(
        trail.contains("\"password\":\"changed\"") && !trail.contains(new),
        "{trail}"
    );

    // From the environment too; bad input is one clear line and no change.
    let env = run(
        &s.db_path,
        &["user", "set-password", "--email", ADMIN_EMAIL],
        "",
        &[("VENUE_GROUPS_PASSWORD", "from-the-environment")],
    );
    assert!(env.status.success(), "{}", text(&env.stderr));
    assert_eq!(
        login_status(&s, ADMIN_EMAIL, "from-the-environment").await,
        StatusCode::OK
    );
    for (args, stdin, says) in [
        (
            &[
                "user",
                "set-password",
                "--email",
                "nobody@test.local",
                "--password-stdin",
            ][..],
            "long-enough-1\n",
            "there is no user",
        ),
        (
            &[
                "user",
                "set-password",
                "--email",
                ADMIN_EMAIL,
                "--password-stdin",
            ][..],
            "short\n",
            "at least 8",
        ),
        (
            &["user", "set-password", "--email", ADMIN_EMAIL][..],
            "",
            "--password-stdin or VENUE_GROUPS_PASSWORD",
        ),
    ] {
        let out = run(&s.db_path, args, stdin, &[]);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        login_status(&s, ADMIN_EMAIL, "from-the-environment").await,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_ends_a_running_servers_sessions_of_that_user_at_once() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, token) = s.user("left@hall.example", &["groups.read"], &[p]).await;
    let (_, other) = s.user("stays@hall.example", &["groups.read"], &[p]).await;
    assert!(works(&s, &token).await);

    let out = run(
        &s.db_path,
        &["user", "disable", "--email", "Left@Hall.example"],
        "",
        &[],
    );

    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("disabled"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        !works(&s, &token).await,
        "the running server refuses the token at once"
    );
    assert!(works(&s, &other).await);
    assert_eq!(
        login_status(&s, "left@hall.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    // The last enabled admin is refused here as over HTTP.
    let out = run(
        &s.db_path,
        &["user", "disable", "--email", ADMIN_EMAIL],
        "",
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("last enabled admin"),
        "{}",
        text(&out.stderr)
    );
    assert!(works(&s, &s.admin).await);

    // The list: every user, who is an admin, who is disabled; no secrets.
    let out = run(&s.db_path, &["user", "list"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(
        listed.starts_with("id\temail\tadmin\tdisabled\tpartners\n"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("\t{ADMIN_EMAIL}\tyes\tno\t-\n")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("\tleft@hall.example\tno\tyes\t{p}\n")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("\tstays@hall.example\tno\tno\t{p}\n")),
        "{listed}"
    );
    assert!(
        !listed.contains("argon2") && !listed.contains(PASSWORD),
        "{listed}"
    );
}
