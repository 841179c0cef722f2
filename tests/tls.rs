//! HTTPS from the built binary: PEM files, SIGHUP re-reading a renewed
//! certificate without dropping connections, one-line errors for bad files,
//! and the self-signed certificate made once with its fingerprint. The
//! client is reqwest on rustls trusting only the certificate under test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");
const PATIENCE: Duration = Duration::from_secs(30);

/// A server process on a temp database, with its stderr read line by line.
struct Server {
    child: Child,
    stderr: Receiver<String>,
    seen: Vec<String>,
    /// `127.0.0.1:PORT`
    addr: String,
}

fn command(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("VENUE_GROUPS_") {
            c.env_remove(k);
        }
    }
    c.arg("--db")
        .arg(db)
        .args(["--addr", "127.0.0.1:0", "--log", "info"]);
    c.args(args);
    c.env("VENUE_GROUPS_ADMIN_EMAIL", "admin@tls.test")
        .env("VENUE_GROUPS_ADMIN_PASSWORD", "tls-password-1");
    c
}

impl Server {
    fn start(db: &Path, args: &[&str]) -> Server {
        let mut child = command(db, args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stderr: rx,
            seen: Vec::new(),
            addr: String::new(),
        };
        let line = server.wait_for(|l| l.contains("listening on https://"));
        server.addr = line.split("https://").nth(1).unwrap().trim().to_string();
        server
    }

    fn wait_for(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(e) => panic!("no such line ({e:?}); seen: {:#?}", self.seen),
            }
        }
    }

    fn hup(&self) {
        let sent = Command::new("kill")
            .arg("-HUP")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
    }

    fn url(&self, host: &str, path: &str) -> String {
        let port = self.addr.rsplit(':').next().unwrap();
        format!("https://{host}:{port}{path}")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A certificate and key for these names, as PEM files in `dir`.
fn make_pair(dir: &Path, tag: &str, names: &[&str]) -> (PathBuf, PathBuf) {
    let made =
        rcgen::generate_simple_self_signed(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    let cert = dir.join(format!("{tag}.crt"));
    let key = dir.join(format!("{tag}.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

/// A client that trusts only the certificate in this PEM file.
fn client_trusting(pem: &Path, server: &Server) -> reqwest::Client {
    let cert = reqwest::Certificate::from_pem(&std::fs::read(pem).unwrap()).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(cert)
        .resolve("venue.test", server.addr.parse().unwrap())
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn one_line(s: &str) -> &str {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{s:?}");
    lines[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pem_files_serve_https_with_hsts_and_sighup_swaps_the_certificate_without_dropping_connections(
) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("venue.db");
    let (cert, key) = make_pair(dir.path(), "live", &["venue.test"]);
    let old = dir.path().join("old.crt");
    std::fs::copy(&cert, &old).unwrap();
    let mut server = tokio::task::block_in_place(|| {
        Server::start(
            &db,
            &[
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
        )
    });
    let first = client_trusting(&old, &server);

    let r = first
        .get(server.url("venue.test", "/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://{}/livez", server.addr))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true));

    // Renew: new files in place, then SIGHUP.
    let (renewed, renewed_key) = make_pair(dir.path(), "renewed", &["venue.test"]);
    std::fs::copy(&renewed, &cert).unwrap();
    std::fs::copy(&renewed_key, &key).unwrap();
    server.hup();
    tokio::task::block_in_place(|| server.wait_for(|l| l.contains("TLS certificate reloaded")));

    // The open connection goes on with the old certificate; a new one gets
    // the renewed certificate (so a client trusting only the old one fails).
    let r = first
        .get(server.url("venue.test", "/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the connection made before the reload still works"
    );
    let stale = client_trusting(&old, &server)
        .get(server.url("venue.test", "/livez"))
        .send()
        .await;
    assert!(
        stale.is_err(),
        "a new connection gets the renewed certificate"
    );
    let fresh = client_trusting(&renewed, &server);
    let r = fresh
        .get(server.url("venue.test", "/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // A broken renewal keeps the certificate in use.
    std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\nbroken\n").unwrap();
    server.hup();
    let line = tokio::task::block_in_place(|| {
        server.wait_for(|l| l.contains("kept the TLS certificate in use"))
    });
    assert!(line.contains("--tls-key"), "{line}");
    let r = client_trusting(&renewed, &server)
        .get(server.url("venue.test", "/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_unreadable_or_mismatched_key_stops_the_start_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("venue.db");
    let (cert, key) = make_pair(dir.path(), "a", &["venue.test"]);
    let (_, other_key) = make_pair(dir.path(), "b", &["venue.test"]);
    let missing = dir.path().join("missing.key");
    let unreadable = dir.path().join("dir.key");
    std::fs::create_dir(&unreadable).unwrap();

    for (key, wanted) in [
        (&missing, "cannot read"),
        (&unreadable, "cannot read"),
        (&other_key, "does not match"),
    ] {
        let out = command(
            &db,
            &[
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
        assert!(!out.status.success(), "{wanted}");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let line = one_line(&err);
        assert!(
            line.contains(wanted) && line.contains("--tls-key"),
            "{line}"
        );
        assert!(!line.contains("panicked"), "{line}");
    }
    assert!(
        !db.exists(),
        "a bad key stops the start before the database is made"
    );
    let out = command(&db, &["--tls-cert", cert.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "--tls-cert without --tls-key");
    assert!(key.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_self_signed_certificate_is_made_once_beside_the_database_with_its_fingerprint() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("venue.db");
    let args = ["--tls-self-signed", "--tls-name", "venue.test"];
    let first = tokio::task::block_in_place(|| Server::start(&db, &args));
    let pem = dir.path().join("venue.db.tls-cert.pem");
    assert!(pem.exists() && dir.path().join("venue.db.tls-key.pem").exists());
    let der = {
        use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
        CertificateDer::from_pem_file(&pem).unwrap()
    };
    let expected: String = sha2::Sha256::digest(der.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let line = first
        .seen
        .iter()
        .find(|l| l.contains("fingerprint"))
        .unwrap()
        .clone();
    assert!(line.ends_with(&expected), "{line} vs {expected}");
    assert!(first.seen.iter().any(|l| l.contains("made a self-signed")));

    let r = client_trusting(&pem, &first)
        .get(first.url("venue.test", "/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let wrong_name = client_trusting(&pem, &first)
        .get(first.url("127.0.0.1", "/livez"))
        .send()
        .await;
    assert!(wrong_name.is_err(), "the certificate names only venue.test");
    drop(first);

    let again = tokio::task::block_in_place(|| Server::start(&db, &args));
    assert!(
        again.seen.iter().any(|l| l.ends_with(&expected)),
        "the same certificate: {:#?}",
        again.seen
    );
    assert!(!again.seen.iter().any(|l| l.contains("made a self-signed")));
}
