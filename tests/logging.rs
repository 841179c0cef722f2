//! The request log of the real binary: every line written on a clean
//! shutdown, requests never waiting on a stderr nobody reads (lines are
//! dropped and counted instead), and `--log-format json`.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_venue-groups");

/// The server process and the stderr lines it wrote before "listening on".
struct Server {
    child: Child,
    url: String,
    stderr: Option<ChildStderr>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(dir.path().join("venue.db"))
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("VENUE_GROUPS_LOG")
            .env_remove("VENUE_GROUPS_LOG_FORMAT")
            .env_remove("VENUE_GROUPS_LOG_BUFFER_LINES")
            .env("VENUE_GROUPS_ADMIN_PASSWORD", "admin-password")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        // Read byte by byte up to the "listening on" line, so that nothing
        // after it is read yet: the caller decides when stderr is read.
        let mut stderr = child.stderr.take().unwrap();
        let mut line = Vec::new();
        let url = loop {
            let mut b = [0u8; 1];
            let n = std::io::Read::read(&mut stderr, &mut b).unwrap();
            assert_eq!(n, 1, "the server ended: {}", String::from_utf8_lossy(&line));
            if b[0] != b'\n' {
                line.push(b[0]);
                continue;
            }
            let text = String::from_utf8_lossy(&line).to_string();
            line.clear();
            if let Some(addr) = text.split("listening on ").nth(1) {
                break addr.trim().to_string();
            }
        };
        Server {
            child,
            url,
            stderr: Some(stderr),
            _dir: dir,
        }
    }

    /// Reads the rest of stderr on a thread of its own.
    fn read_stderr(&mut self) -> Receiver<String> {
        let stderr = self.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    }

    /// SIGTERM, then every line up to the end of stderr.
    fn stop(mut self, lines: Receiver<String>) -> Vec<String> {
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit: {status:?}");
        let mut out = Vec::new();
        while let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) {
            out.push(line);
        }
        out
    }
}

/// `n` GETs of /livez over `conns` keep-alive connections; all must be 200.
async fn livez(url: &str, n: usize, conns: usize) {
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for k in 0..conns {
        let (client, url) = (client.clone(), format!("{url}/livez"));
        let share = n / conns + usize::from(k < n % conns);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                let r = client.get(&url).send().await.expect("request");
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

fn request_lines(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.contains("GET /livez 200 "))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_line_is_written_on_a_clean_shutdown() {
    let mut s = Server::start(&[]);
    let lines = s.read_stderr();
    livez(&s.url, 600, 8).await;
    // SIGTERM right away: lines still queued must be written before exit.
    let lines = s.stop(lines);
    assert_eq!(request_lines(&lines), 600, "{lines:#?}");
    assert!(lines.last().unwrap().contains("stopped"), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains("dropped")), "{lines:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stderr_nobody_reads_never_holds_up_a_request() {
    // A small queue, and a pipe nobody reads: it fills after ~1,000 lines.
    let mut s = Server::start(&["--log-buffer-lines", "64"]);
    let started = Instant::now();
    let n = 4000;
    tokio::time::timeout(Duration::from_secs(60), livez(&s.url, n, 8))
        .await
        .expect("requests waited on the log");
    let took = started.elapsed();

    let lines = s.read_stderr();
    let lines = s.stop(lines);
    let written = request_lines(&lines);
    let dropped: usize = lines
        .iter()
        .filter_map(|l| l.split(" lines dropped (").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse().ok())
        .max()
        .unwrap_or(0);
    assert!(dropped > 0, "took {took:?}; {lines:#?}");
    // Every request line is written or counted. The count is of every
    // dropped line, so the server's own few lines around the stop (e.g.
    // "stopping") are in it when they met a full queue.
    assert!(written <= n, "{written} request lines for {n} requests");
    assert!(
        (n..=n + 2).contains(&(written + dropped)),
        "{written} written + {dropped} dropped for {n} requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_are_one_object_each() {
    let mut s = Server::start(&["--log-format", "json"]);
    let lines = s.read_stderr();
    livez(&s.url, 3, 1).await;
    let lines = s.stop(lines);
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let requests: Vec<&serde_json::Value> = objects
        .iter()
        .filter(|o| {
            o["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("GET /livez 200 "))
        })
        .collect();
    assert_eq!(requests.len(), 3, "{lines:#?}");
    for o in requests {
        assert_eq!(o["level"], "INFO");
        assert!(o["time"].as_str().unwrap().ends_with('Z'), "{o}");
    }
}
