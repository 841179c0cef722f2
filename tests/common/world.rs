//! Arrange vocabulary shared by the tests: worlds of two partners made in
//! one call ([`World`] with a user each, [`Venues`] with a group and a
//! customer each), groups filled straight into the file, and raw HTTP for
//! what reqwest hides (a paused reader, a half-sent body, a socket with a
//! tiny receive buffer).

use super::{TestServer, ALL};
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Two venues, each with a user holding every permission on it alone.
pub struct World {
    pub a: i64,
    pub b: i64,
    pub a_user: (i64, String),
    pub b_user: (i64, String),
}

impl World {
    /// Partners "Venue A" and "Venue B" with `a@world.test` and `b@world.test`.
    pub async fn new(server: &TestServer) -> World {
        let a = server.partner("Venue A").await;
        let b = server.partner("Venue B").await;
        let a_user = server.user("a@world.test", ALL, &[a]).await;
        let b_user = server.user("b@world.test", ALL, &[b]).await;
        World {
            a,
            b,
            a_user,
            b_user,
        }
    }
}

/// Two partners, "Hall" (`p`) and "Pool" (`p2`), each with one group
/// (`g` "Juniors", `g2` "Seniors") holding its one customer (`c` Anna
/// Berger, `c2` Bert Huber), all made by the admin through the API.
pub struct Venues {
    pub s: TestServer,
    pub p: i64,
    pub g: i64,
    pub c: i64,
    pub p2: i64,
    pub g2: i64,
    pub c2: i64,
}

impl Venues {
    /// A fresh server with the two venues.
    pub async fn start() -> Venues {
        let s = TestServer::start().await;
        let t = s.admin.clone();
        let p = s.partner("Hall").await;
        let p2 = s.partner("Pool").await;
        let g = s.group(&t, p, "Juniors").await;
        let g2 = s.group(&t, p2, "Seniors").await;
        let c = s
            .customer(&t, p, "Anna", "Berger", Some("anna@example.com"))
            .await;
        let c2 = s
            .customer(&t, p2, "Bert", "Huber", Some("bert@example.com"))
            .await;
        assert_eq!(s.add_member(&t, p, g, c).await.status, StatusCode::OK);
        assert_eq!(s.add_member(&t, p2, g2, c2).await.status, StatusCode::OK);
        Venues {
            s,
            p,
            g,
            c,
            p2,
            g2,
            c2,
        }
    }
}

impl TestServer {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("a socket address")
    }

    /// Adds `n` new customers of `partner` (emails `{tag}{i}@bulk.test`) to
    /// a group, straight into the file in one transaction: the API would
    /// take minutes for an export big enough to fill socket buffers.
    pub fn fill_group(&self, partner: i64, group: i64, n: i64, tag: &str) {
        let c = self.db();
        c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        let tx = c.unchecked_transaction().unwrap();
        tx.execute(
            "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?2)
             INSERT INTO customers (partner_id, first_name, last_name, email, email_key, phone,
                                    search_key, created_at, updated_at)
             SELECT ?1, 'Bulk', 'Customer ' || n, ?3 || n || '@bulk.test', ?3 || n || '@bulk.test',
                    '+43 1 ' || n, 'bulk', '2026-12-01T08:00:00Z', '2026-12-01T08:00:00Z' FROM i",
            rusqlite::params![partner, n, tag],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO group_customers (group_id, customer_id, added_at)
             SELECT ?1, id, '2026-12-01T08:00:00Z' FROM customers
             WHERE partner_id = ?2 AND email_key LIKE ?3 || '%@bulk.test'",
            rusqlite::params![group, partner, tag],
        )
        .unwrap();
        tx.commit().unwrap();
    }
}

/// A connection with a small receive buffer, so that a reader that stops
/// reading stalls the server's writes within a few kilobytes.
pub async fn small_socket(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Writes a request's head (and `body`, if any) on a raw connection.
pub async fn send_head(
    stream: &mut TcpStream,
    method: &str,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
    body: &[u8],
) {
    let mut head = format!("{method} /api/internal/v1{path} HTTP/1.1\r\nhost: test\r\n");
    if let Some(t) = token {
        head.push_str(&format!("authorization: Bearer {t}\r\n"));
    }
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
}

/// Reads until the response head is complete; returns (status, head text,
/// the bytes of the body read so far).
pub async fn read_head(stream: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let status = head[9..12].parse().expect("a status code");
            return (status, head, buf[end + 4..].to_vec());
        }
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("a response head within 10 s")
            .expect("read");
        assert!(
            n > 0,
            "closed before a response head: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Reads the rest of a connection until the server closes it (or `limit`
/// passes); returns the bytes.
pub async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut out)).await;
    out
}
