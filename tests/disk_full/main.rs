//! When the disk cannot take writes: a full disk and a disk the kernel
//! turned read-only answer every write `503` with `Retry-After`, keep
//! answering reads, leave nothing half-written, and (disk full) take
//! writes again as soon as there is space, without a restart. And a
//! database path that cannot be opened stops the binary with one line.
//!
//! These tests mount file systems, so they need root (CI runs as root). A
//! test that cannot mount fails; it does not skip.

#[path = "../common/mod.rs"]
mod common;

mod writer;

use common::{expect, TestServer};
use reqwest::StatusCode;
use rusqlite::{Connection, OpenFlags};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");

/// Runs a system command; its stderr on failure.
fn sh(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {} {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn text(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

/// A file system mounted for one test; unmounted on drop, even on panic.
struct Mounted {
    dir: PathBuf,
    source: String,
    options: String,
    /// The loop device behind it, detached on drop.
    loop_dev: Option<String>,
}

impl Mounted {
    /// A tmpfs of `size` (e.g. `3m`) at `dir`.
    fn tmpfs(dir: &Path, size: &str) -> Mounted {
        let options = format!("size={size}");
        if let Err(e) = sh(
            "mount",
            &["-t", "tmpfs", "-o", &options, "tmpfs", text(dir)],
        ) {
            panic!(
                "cannot mount a tmpfs for the disk-full test ({e}). \
                 This test must run as root (CI does); it fails rather than skips."
            );
        }
        Mounted {
            dir: dir.to_path_buf(),
            source: "tmpfs".into(),
            options,
            loop_dev: None,
        }
    }

    /// A small ext4 file system in `image`, on a loop device, that the
    /// kernel turns read-only on its first error.
    fn ext4(image: &Path, dir: &Path) -> Mounted {
        let root =
            "This test must run as root with loop devices (CI does); it fails rather than skips.";
        std::fs::File::create(image)
            .and_then(|f| f.set_len(16 << 20))
            .expect("create the disk image");
        sh(
            "mkfs.ext4",
            &["-q", "-F", "-O", "^has_journal", text(image)],
        )
        .unwrap_or_else(|e| panic!("cannot make the test file system ({e}). {root}"));
        let dev = sh("losetup", &["-f", "--show", text(image)])
            .unwrap_or_else(|e| panic!("cannot attach a loop device ({e}). {root}"))
            .trim()
            .to_string();
        let mut mounted = Mounted {
            dir: dir.to_path_buf(),
            source: dev.clone(),
            options: "errors=remount-ro".into(),
            loop_dev: Some(dev),
        };
        mounted.mount();
        mounted
    }

    fn mount(&mut self) {
        if let Err(e) = sh(
            "mount",
            &["-o", &self.options, &self.source, text(&self.dir)],
        ) {
            panic!("cannot mount {}: {e}", self.source);
        }
    }

    /// Unmounts and mounts again (what an operator does after the kernel
    /// turned a disk read-only).
    fn remount(&mut self) {
        sh("umount", &[text(&self.dir)]).expect("unmount (is a file still open?)");
        self.mount();
    }

    /// The kernel turns the file system read-only, as after an I/O error.
    fn fail_read_only(&self) {
        let dev = self.loop_dev.as_deref().expect("an ext4 mount");
        let name = dev.trim_start_matches("/dev/");
        std::fs::write(
            format!("/sys/fs/ext4/{name}/trigger_fs_error"),
            "venue-groups disk_full test",
        )
        .expect("trigger an ext4 error");
        let probe = std::fs::File::create(self.dir.join("probe"));
        assert_eq!(
            probe.map(|_| ()).map_err(|e| e.kind()),
            Err(std::io::ErrorKind::ReadOnlyFilesystem),
            "the file system should be read-only now"
        );
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if sh("umount", &[text(&self.dir)]).is_err() {
            // A file is still open (the test failed with the server up):
            // detach now, free when the last file closes.
            let _ = sh("umount", &["-l", text(&self.dir)]);
        }
        if let Some(dev) = &self.loop_dev {
            let _ = sh("losetup", &["-d", dev]);
        }
    }
}

/// Writes zeros to `path` until the file system has no space left.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).expect("create the filler");
    let zeros = vec![0u8; 64 << 10];
    let mut written = 0u64;
    for size in [64 << 10, 4 << 10, 512, 1] {
        loop {
            match file.write(&zeros[..size]) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
    }
    written
}

/// Asserts the contract's 503.
fn expect_unavailable(a: &common::Answer, what: &str) {
    expect(
        a,
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"message": "Service unavailable."}),
        what,
    );
    let retry: u64 = a
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: no Retry-After in {:?}", a.headers));
    assert!(retry >= 1, "{what}: Retry-After {retry}");
}

/// A write's answer while the disk is full: `503`, or `200` where a small
/// write still fits in space a failed one left allocated. Never anything
/// else. Returns whether it was written.
fn written_or_unavailable(a: &common::Answer, what: &str) -> bool {
    if a.status == StatusCode::OK {
        return true;
    }
    expect_unavailable(a, what);
    false
}

fn open_read_only(db: &Path) -> Connection {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open db");
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The file is sound, holds `groups` groups and `members` memberships,
/// and its kept counters are exact.
fn check_file(db: &Path, groups: i64, members: i64, when: &str) {
    let c = open_read_only(db);
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{when}");
    assert_eq!(count(&c, "SELECT count(*) FROM groups"), groups, "{when}");
    assert_eq!(
        count(&c, "SELECT count(*) FROM group_customers"),
        members,
        "{when}"
    );
    assert_eq!(
        count(&c, "SELECT coalesce(sum(groups_count), 0) FROM partners"),
        groups,
        "{when}: partners.groups_count"
    );
    assert_eq!(
        count(&c, "SELECT coalesce(sum(customers_count), 0) FROM groups"),
        members,
        "{when}: groups.customers_count"
    );
    assert_eq!(
        count(
            &c,
            "SELECT coalesce(sum(members), 0) FROM group_customer_blocks"
        ),
        members,
        "{when}: group_customer_blocks"
    );
}

/// Reads that must keep working while writes cannot: lists, a group, its
/// members, `/me` and `/healthz`.
async fn assert_reads_work(server: &TestServer, partner: i64, group: i64, groups: i64) {
    let list = server
        .get(&format!("/partners/{partner}/groups"), &server.admin)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.body["meta"]["total"], groups, "{}", list.text);
    let shown = server
        .get(
            &format!("/partners/{partner}/groups/{group}"),
            &server.admin,
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    let members = server
        .get(
            &format!("/partners/{partner}/groups/{group}/customers"),
            &server.admin,
        )
        .await;
    assert_eq!(members.status, StatusCode::OK, "{}", members.text);
    let me = server.get("/me", &server.admin).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let health = common::send(server.client.get(format!("{}/healthz", server.url))).await;
    expect(&health, StatusCode::OK, json!({"status": "ok"}), "healthz");
}

async fn login(server: &TestServer) -> common::Answer {
    server
        .call(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": common::ADMIN_EMAIL, "password": common::ADMIN_PASSWORD})),
        )
        .await
}

async fn start_on(db: &Path, dir: tempfile::TempDir) -> TestServer {
    let db = db.to_path_buf();
    TestServer::start_in(dir, move |c| c.db = db).await
}

/// Stops the server. Its client goes first: a spare connection the client
/// opened but never used would hold the graceful shutdown until the
/// server's header timeout (10 s).
async fn stop(mut server: TestServer) -> tempfile::TempDir {
    server.client = reqwest::Client::new();
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_keeps_reads_and_takes_writes_again_once_space_is_back() {
    // Arrange: a server on a 3 MB tmpfs, with a partner, a customer and a
    // group; then a filler file takes every byte left.
    let outer = tempfile::tempdir().unwrap();
    let disk = outer.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let _mounted = Mounted::tmpfs(&disk, "3m");
    let db = disk.join("venue.db");
    let server = start_on(&db, tempfile::tempdir().unwrap()).await;
    let partner = server.partner("Hall").await;
    let customer = server
        .customer(&server.admin, partner, "Ada", "Full", None)
        .await;
    let first = server.group(&server.admin, partner, "Before").await;
    let groups_path = format!("/partners/{partner}/groups");
    let filler = disk.join("filler");
    assert!(fill(&filler) > 1 << 20, "the filler took the space");

    // Act: create groups until the disk refuses.
    let mut groups = 1i64;
    let mut refused = None;
    for i in 0..2000 {
        let a = server
            .post(
                &groups_path,
                &server.admin,
                json!({"name": format!("Full {i}")}),
            )
            .await;
        if a.status == StatusCode::OK {
            groups += 1;
        } else {
            refused = Some(a);
            break;
        }
    }

    // Assert: the contract's 503 for every kind of write, reads go on.
    let refused = refused.expect("no write failed on a full disk");
    expect_unavailable(&refused, "a create on a full disk");
    let mut members = 0i64;
    for i in 0..5 {
        let a = server
            .post(
                &groups_path,
                &server.admin,
                json!({"name": format!("Still full {i}")}),
            )
            .await;
        groups += i64::from(written_or_unavailable(&a, "create"));
    }
    let a = server
        .add_member(&server.admin, partner, first, customer)
        .await;
    members += i64::from(written_or_unavailable(&a, "add a member"));
    let a = server
        .put(
            &format!("{groups_path}/{first}"),
            &server.admin,
            json!({"description": "x".repeat(1500)}),
        )
        .await;
    written_or_unavailable(&a, "update a group");
    written_or_unavailable(&login(&server).await, "log in");
    assert_reads_work(&server, partner, first, groups).await;
    check_file(&db, groups, members, "while the disk is full");

    // Act: space is back.
    std::fs::remove_file(&filler).unwrap();

    // Assert: writes work again, without a restart.
    let again = server
        .post(&groups_path, &server.admin, json!({"name": "After"}))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    groups += 1;
    let a = server
        .add_member(
            &server.admin,
            partner,
            again.body["data"]["id"].as_i64().unwrap(),
            customer,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    members += 1;
    assert_eq!(login(&server).await.status, StatusCode::OK);
    assert_reads_work(&server, partner, first, groups).await;
    check_file(&db, groups, members, "after space came back");
    stop(server).await;
    check_file(&db, groups, members, "after a clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_turned_read_only_answers_503_for_writes_and_keeps_reads() {
    // Arrange: a server on an ext4 file system that the kernel will turn
    // read-only on an error (errors=remount-ro), with some data.
    let outer = tempfile::tempdir().unwrap();
    let disk = outer.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mut mounted = Mounted::ext4(&outer.path().join("disk.img"), &disk);
    let db = disk.join("venue.db");
    let server = start_on(&db, tempfile::tempdir().unwrap()).await;
    let partner = server.partner("Hall").await;
    let customer = server
        .customer(&server.admin, partner, "Ada", "Ronly", None)
        .await;
    let first = server.group(&server.admin, partner, "Before").await;
    let groups_path = format!("/partners/{partner}/groups");

    // Act: the disk turns read-only under the running server.
    mounted.fail_read_only();

    // Assert: every write is the contract's 503, and stays one; reads work.
    for i in 0..3 {
        let a = server
            .post(
                &groups_path,
                &server.admin,
                json!({"name": format!("Ro {i}")}),
            )
            .await;
        expect_unavailable(&a, "create on a read-only disk");
    }
    let a = server
        .add_member(&server.admin, partner, first, customer)
        .await;
    expect_unavailable(&a, "add a member");
    let a = server
        .put(
            &format!("{groups_path}/{first}"),
            &server.admin,
            json!({"name": "Renamed"}),
        )
        .await;
    expect_unavailable(&a, "rename a group");
    let a = server
        .delete(&format!("{groups_path}/{first}"), &server.admin)
        .await;
    expect_unavailable(&a, "delete a group");
    expect_unavailable(&login(&server).await, "log in");
    assert_reads_work(&server, partner, first, 1).await;
    check_file(&db, 1, 0, "while the disk is read-only");
    let dir = stop(server).await;

    // Act: the operator mounts the disk again and restarts.
    mounted.remount();
    let server = start_on(&db, dir).await;

    // Assert: what was acknowledged is there, nothing else, and writes work.
    let shown = server
        .get(&format!("{groups_path}/{first}"), &server.admin)
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    assert_eq!(shown.body["data"]["name"], "Before");
    let a = server
        .post(&groups_path, &server.admin, json!({"name": "After"}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = server
        .add_member(&server.admin, partner, first, customer)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_reads_work(&server, partner, first, 2).await;
    check_file(&db, 2, 1, "after the disk came back");
    stop(server).await;
}

/// Runs the binary to its end (within 30 s) with a clean environment.
fn run_binary(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("VENUE_GROUPS_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_BACKTRACE", "1")
        .args(args)
        .envs(env.iter().copied());
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not end within 30 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

/// Asserts an exit with one line on stderr that names `path`, no panic,
/// nothing served.
fn assert_refused(out: &std::process::Output, path: &Path, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{what}: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{what}: one line: {err:?}");
    assert!(err.contains(text(path)), "{what}: names the file: {err:?}");
    assert!(!err.contains("panicked"), "{what}: {err:?}");
    assert!(!err.to_lowercase().contains("backtrace"), "{what}: {err:?}");
    assert!(!err.contains("listening"), "{what}: {err:?}");
}

#[test]
fn a_database_path_that_cannot_be_opened_stops_the_binary_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing_dir = dir.path().join("no").join("such").join("venue.db");
    let a_directory = dir.path().to_path_buf();

    for (path, what) in [
        (&missing_dir, "a directory that does not exist"),
        (&a_directory, "a directory instead of a file"),
    ] {
        let out = run_binary(&["--db", text(path), "--addr", "127.0.0.1:0"], &[]);
        assert_refused(&out, path, what);
    }
    assert!(!missing_dir.parent().unwrap().exists(), "nothing created");
}

#[test]
fn a_database_on_a_read_only_file_system_stops_the_binary_with_one_line() {
    // Arrange: a database made by the binary, then its disk made read-only.
    let outer = tempfile::tempdir().unwrap();
    let disk = outer.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Mounted::tmpfs(&disk, "3m");
    let db = disk.join("venue.db");
    let made = run_binary(
        &[
            "--db",
            text(&db),
            "user",
            "create",
            "--email",
            "ro@venue.test",
            "--first-name",
            "Read",
            "--last-name",
            "Only",
            "--admin",
        ],
        &[("VENUE_GROUPS_PASSWORD", "read-only-password")],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    sh("mount", &["-o", "remount,ro", text(&disk)]).expect("remount read-only");

    // Act
    let out = run_binary(&["--db", text(&db), "--addr", "127.0.0.1:0"], &[]);

    // Assert
    assert_refused(&out, &db, "a read-only file system");
    drop(mounted);
}
