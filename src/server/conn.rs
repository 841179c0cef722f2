//! Accepted connections: the cap on how many are open, the idle cut-off,
//! and the peer address the login throttle keys on.
//!
//! hyper 0.14 has no idle timeout of its own, and a client that stops
//! reading a streamed answer (an export) would hold its connection for as
//! long as it likes. [`Conn`] wraps the socket: a connection on which no
//! byte moves either way for [`Limits::idle`] while the server waits on it
//! fails with `TimedOut`, and hyper closes it. While the server is working
//! out an answer ([`Answering`]) the client waits on the server, not the
//! other way round, so that time is not idle: a password check queued on a
//! busy box does not cut its login. (A request's head and body have
//! timeouts of their own.)

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// What the accept loop enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; past it a connection gets a 503 and is closed.
    pub max_connections: usize,
    /// A connection on which nothing moves for this long is closed.
    pub idle: Duration,
}

/// The answer to a connection past the cap: written straight to the socket
/// (no request is parsed), then the connection is closed.
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json; charset=utf-8\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 35\r\n\r\n\
{\"message\":\"Service unavailable.\"}";

/// Rejections being written at once; past it a connection is just closed.
const MAX_REJECTING: usize = 64;

/// An accepted connection holding its place under the cap.
pub struct Conn {
    io: TcpStream,
    peer: SocketAddr,
    idle: Duration,
    last_progress: Instant,
    timer: Pin<Box<tokio::time::Sleep>>,
    answering: Answering,
    _permit: OwnedSemaphorePermit,
}

/// How many requests of one connection the server is answering (from the
/// call of the service to the answer's head).
#[derive(Debug, Clone, Default)]
pub struct Answering(Arc<AtomicUsize>);

impl Answering {
    /// Counts a request as being answered until the guard is dropped.
    pub fn begin(&self) -> AnsweringGuard {
        self.0.fetch_add(1, Ordering::Relaxed);
        AnsweringGuard(self.0.clone())
    }

    fn any(&self) -> bool {
        self.0.load(Ordering::Relaxed) > 0
    }
}

/// See [`Answering::begin`].
pub struct AnsweringGuard(Arc<AtomicUsize>);

impl Drop for AnsweringGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Conn {
    /// The TCP peer.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The count of requests being answered on this connection.
    pub fn answering(&self) -> Answering {
        self.answering.clone()
    }

    fn progressed(&mut self, moved: bool) {
        if moved {
            self.last_progress = Instant::now();
        }
    }

    /// Called when the socket is not ready: an error once nothing has moved
    /// for the idle time, else arms the timer so the task wakes up then.
    fn check_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if self.answering.any() {
            // Look again an idle time from now.
            self.last_progress = Instant::now();
        }
        let deadline = self.last_progress + self.idle;
        if Instant::now() >= deadline {
            return Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "no bytes moved for the idle time",
            ));
        }
        let deadline = tokio::time::Instant::from_std(deadline);
        // The deadline moves with every byte; the timer is not moved with
        // it (a reset takes the timer wheel's lock, on every request). A
        // timer set for an earlier deadline fires early and is set again
        // then, so it is reset about once an idle time.
        if self.timer.is_elapsed() || self.timer.deadline() > deadline {
            self.timer.as_mut().reset(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            // Fired before the deadline: set for it, look again on the next
            // wake-up.
            Poll::Ready(()) => {
                self.timer.as_mut().reset(deadline);
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                let moved = buf.filled().len() > before;
                self.progressed(moved);
                Poll::Ready(result)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, buf) {
            Poll::Ready(result) => {
                let moved = matches!(result, Ok(n) if n > 0);
                self.progressed(moved);
                Poll::Ready(result)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                let moved = matches!(result, Ok(n) if n > 0);
                self.progressed(moved);
                Poll::Ready(result)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.io).poll_flush(cx) {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Accepts connections on `listener` for as long as the receiver lives;
/// each one under the cap is handed over, each one past it is answered 503
/// and closed. The accept loop never waits on a client.
pub fn accept(listener: TcpListener, limits: Limits) -> mpsc::Receiver<Conn> {
    let places = Arc::new(Semaphore::new(limits.max_connections));
    let rejecting = Arc::new(Semaphore::new(MAX_REJECTING));
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let (io, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors or similar: back off
                        // rather than spin; connections wait in the backlog.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = tx.closed() => return,
            };
            let _ = io.set_nodelay(true);
            match places.clone().try_acquire_owned() {
                Ok(permit) => {
                    let conn = Conn {
                        io,
                        peer,
                        idle: limits.idle,
                        last_progress: Instant::now(),
                        timer: Box::pin(tokio::time::sleep(limits.idle)),
                        answering: Answering::default(),
                        _permit: permit,
                    };
                    if tx.send(conn).await.is_err() {
                        return;
                    }
                }
                Err(_) => {
                    if let Ok(slot) = rejecting.clone().try_acquire_owned() {
                        tokio::spawn(async move {
                            reject(io).await;
                            drop(slot);
                        });
                    }
                    // else: dropped, which closes it.
                }
            }
        }
    });
    rx
}

/// Writes the 503 and closes, within a second whatever the client does.
async fn reject(mut io: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        io.write_all(OVER_CAPACITY).await?;
        io.shutdown().await?;
        // Read what the client sent, so closing does not reset the
        // connection before it has read the answer.
        let mut sink = [0u8; 4096];
        let mut left: usize = 64 * 1024;
        while left > 0 {
            let n = tokio::io::AsyncReadExt::read(&mut io, &mut sink).await?;
            if n == 0 {
                break;
            }
            left = left.saturating_sub(n);
        }
        Ok::<_, io::Error>(())
    })
    .await;
}
