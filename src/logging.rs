//! The log: one line per event on stderr, written by a thread of its own.
//!
//! A request appends its line to a shared buffer and goes on; the writer
//! thread takes the whole buffer once per batch and does one `write` to
//! stderr (measured: one synchronous write per request cost a fifth of the
//! server's capacity on a cheap route; a queue of one allocated line each
//! still cost half of `GET /livez` on one core). When the buffer holds its
//! cap of lines (stderr not read fast enough) a new line is dropped and
//! counted, never waited for, and the writer says how many were dropped.
//! [`LogGuard`] drains the buffer on a clean shutdown, so no line is lost
//! then.
//!
//! Request lines ([`request`]) are formatted straight into the buffer, the
//! timestamp's date and time of day remembered per second; other events go
//! through `tracing` and the same buffer.

use std::cell::RefCell;
use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// How lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `2026-12-03T08:15:00.123Z  INFO GET /livez 200 0.1ms`
    Text,
    /// One JSON object per line: `time`, `level`, `message` and any fields.
    Json,
}

/// The installed log, for [`request`].
static LOG: OnceLock<(Arc<Shared>, Format)> = OnceLock::new();

/// Installs the log as the global subscriber. Keep the guard until the
/// server has stopped: dropping it writes out every buffered line.
pub fn init(filter: &str, format: Format, buffer_lines: usize) -> Result<LogGuard, String> {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).map_err(|e| format!("--log: {e}"))?;
    let (queue, guard) = start(buffer_lines.max(1));
    let _ = LOG.set((queue.shared.clone(), format));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(Line { format })
        .with_writer(queue)
        .try_init()
        .map_err(|e| format!("cannot start the log: {e}"))?;
    Ok(guard)
}

/// Logs an answered request at INFO (target `venue_groups::api`):
/// `GET /livez 200 0.1ms`. The caller checks the level is on.
pub fn request(method: &str, path: &str, status: u16, elapsed: Duration) {
    if let Some((shared, format)) = LOG.get() {
        shared.append(|buf| request_line(buf, *format, method, path, status, elapsed));
    }
}

/// Appends a request's line. The text line is written straight into the
/// buffer; the JSON one puts the same message through serde_json.
fn request_line(
    buf: &mut Vec<u8>,
    format: Format,
    method: &str,
    path: &str,
    status: u16,
    elapsed: Duration,
) {
    let tenths = (elapsed.as_micros() + 50) / 100;
    let message = |w: &mut Vec<u8>| {
        let _ = write!(
            w,
            "{method} {path} {status} {}.{}ms",
            tenths / 10,
            tenths % 10
        );
    };
    match format {
        Format::Text => {
            stamp(buf);
            buf.extend_from_slice(b"  INFO ");
            message(buf);
            buf.push(b'\n');
        }
        Format::Json => {
            buf.extend_from_slice(b"{\"time\":\"");
            stamp(buf);
            buf.extend_from_slice(b"\",\"level\":\"INFO\",\"message\":");
            let mut text = Vec::new();
            message(&mut text);
            let _ = serde_json::to_writer(&mut *buf, &*String::from_utf8_lossy(&text));
            buf.extend_from_slice(b"}\n");
        }
    }
}

/// How long the writer lets lines gather after the first; a cap of 16,384
/// lines holds this long at over a million lines a second.
const GATHER: Duration = Duration::from_millis(10);

/// The lines waiting for the writer thread.
struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when a line lands in an empty buffer, and on stop.
    ready: Condvar,
    cap: usize,
    dropped: AtomicU64,
}

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    lines: usize,
    /// The guard has asked the writer to finish.
    stopping: bool,
    /// The writer has finished: lines are written straight to stderr.
    stopped: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one line that `write` puts at the end of the buffer, or
    /// counts it as dropped when the buffer is full.
    fn append(&self, write: impl FnOnce(&mut Vec<u8>)) {
        let mut p = self.lock();
        if p.stopped {
            drop(p);
            let mut line = Vec::new();
            write(&mut line);
            let _ = std::io::stderr().write_all(&line);
            return;
        }
        if p.lines >= self.cap {
            drop(p);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let first = p.lines == 0;
        write(&mut p.bytes);
        p.lines += 1;
        drop(p);
        // Only the first line of a batch wakes the writer; it then sleeps
        // GATHER before taking the batch, so a busy server pays one wake-up
        // per batch instead of a context switch per request.
        if first {
            self.ready.notify_one();
        }
    }
}

/// The requests' side: what `tracing` writes events to.
pub struct Queue {
    shared: Arc<Shared>,
}

/// Stops the writer thread after it has written every buffered line.
pub struct LogGuard {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.lock().stopping = true;
        self.shared.ready.notify_one();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The buffer and its writer thread, writing to stderr.
fn start(lines: usize) -> (Queue, LogGuard) {
    let shared = Arc::new(Shared {
        pending: Mutex::new(Pending::default()),
        ready: Condvar::new(),
        cap: lines,
        dropped: AtomicU64::new(0),
    });
    let worker = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("log".into())
            .spawn(move || write_batches(&shared))
            .expect("cannot start the log thread")
    };
    (
        Queue {
            shared: shared.clone(),
        },
        LogGuard {
            shared,
            worker: Some(worker),
        },
    )
}

/// The writer thread: waits for a first line, lets the batch gather, takes
/// it whole and writes it; after the stop, writes what is left and marks
/// the buffer stopped.
fn write_batches(shared: &Shared) {
    // Not stderr().lock(): eprintln! elsewhere must not wait for it.
    let mut out = std::io::stderr();
    let mut batch = Vec::new();
    let mut reported = 0u64;
    loop {
        let mut p = shared.lock();
        while p.lines == 0 && !p.stopping {
            p = shared.ready.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        if !p.stopping {
            drop(p);
            std::thread::sleep(GATHER);
            p = shared.lock();
        }
        std::mem::swap(&mut p.bytes, &mut batch);
        p.lines = 0;
        let last = p.stopping;
        if last {
            p.stopped = true;
        }
        drop(p);
        let _ = out.write_all(&batch);
        batch.clear();
        report_dropped(&mut out, &shared.dropped, &mut reported);
        if last {
            break;
        }
    }
}

/// Writes a warning when lines were dropped since the last one.
fn report_dropped(out: &mut impl std::io::Write, counter: &AtomicU64, reported: &mut u64) {
    let now = counter.load(Ordering::Relaxed);
    if now > *reported {
        let line = format!(
            "{} WARN the log could not keep up: {} lines dropped ({} in all)\n",
            timestamp(),
            now - *reported,
            now
        );
        let _ = out.write_all(line.as_bytes());
        *reported = now;
    }
}

impl<'a> MakeWriter<'a> for Queue {
    type Writer = QueuedLine<'a>;

    fn make_writer(&'a self) -> QueuedLine<'a> {
        QueuedLine {
            queue: self,
            buf: Vec::new(),
        }
    }
}

/// One event's line, appended when the formatter is done with it.
pub struct QueuedLine<'a> {
    queue: &'a Queue,
    buf: Vec<u8>,
}

impl std::io::Write for QueuedLine<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for QueuedLine<'_> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let line = std::mem::take(&mut self.buf);
            self.queue.shared.append(|buf| buf.extend_from_slice(&line));
        }
    }
}

/// The event formatter: a timestamp, the level, the message and fields.
struct Line {
    format: Format,
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let level = event.metadata().level().as_str();
        match self.format {
            Format::Text => {
                write!(w, "{} {level:>5} ", timestamp())?;
                let mut fields = TextFields {
                    w: &mut w,
                    first: true,
                    result: Ok(()),
                };
                event.record(&mut fields);
                fields.result?;
                w.write_char('\n')
            }
            Format::Json => {
                write!(w, "{{\"time\":\"{}\",\"level\":\"{level}\"", timestamp())?;
                let mut fields = JsonFields {
                    w: &mut w,
                    result: Ok(()),
                };
                event.record(&mut fields);
                fields.result?;
                w.write_str("}\n")
            }
        }
    }
}

struct TextFields<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    result: fmt::Result,
}

impl Visit for TextFields<'_, '_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let sep = if self.first { "" } else { " " };
        self.first = false;
        self.result = self.result.and_then(|_| {
            if field.name() == "message" {
                write!(self.w, "{sep}{value:?}")
            } else {
                write!(self.w, "{sep}{}={value:?}", field.name())
            }
        });
    }
}

struct JsonFields<'w, 'a> {
    w: &'w mut Writer<'a>,
    result: fmt::Result,
}

impl JsonFields<'_, '_> {
    fn raw(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        self.result = self
            .result
            .and_then(|_| write!(self.w, ",\"{}\":{value}", field.name()));
    }
}

impl Visit for JsonFields<'_, '_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.raw(field, format_args!("{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.raw(field, format_args!("{value}"));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.raw(field, format_args!("{value}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let quoted = json_string(value);
        self.raw(field, format_args!("{quoted}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let quoted = json_string(&format!("{value:?}"));
        self.raw(field, format_args!("{quoted}"));
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Now as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn timestamp() -> String {
    let mut buf = Vec::with_capacity(24);
    stamp(&mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

thread_local! {
    /// The second last stamped on this thread and its `YYYY-MM-DDTHH:MM:SS`.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// Appends now as `YYYY-MM-DDTHH:MM:SS.mmmZ`; the date and time of day are
/// formatted once a second per thread.
fn stamp(buf: &mut Vec<u8>) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    SECOND.with_borrow_mut(|(secs, text)| {
        if *secs != now.as_secs() {
            *secs = now.as_secs();
            *text = crate::clock::rfc3339(now.as_secs() as i64)
                .trim_end_matches('Z')
                .to_string();
        }
        buf.extend_from_slice(text.as_bytes());
    });
    let _ = write!(buf, ".{:03}Z", now.subsec_millis());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn a_json_request_line_is_one_object_whatever_the_path() {
        let mut buf = Vec::new();
        let path = "/a\"b\\c\u{1}ü";
        request_line(
            &mut buf,
            Format::Json,
            "GET",
            path,
            404,
            Duration::from_micros(1234),
        );
        assert_eq!(buf.last(), Some(&b'\n'));
        let line: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(line["message"], format!("GET {path} 404 1.2ms"));
        assert_eq!(line["level"], "INFO");
    }

    #[test]
    fn a_full_buffer_drops_and_counts() {
        let shared = Shared {
            pending: Mutex::new(Pending::default()),
            ready: Condvar::new(),
            cap: 2,
            dropped: AtomicU64::new(0),
        };
        for _ in 0..5 {
            shared.append(|b| b.extend_from_slice(b"x\n"));
        }
        assert_eq!(shared.lock().bytes, b"x\nx\n");
        assert_eq!(shared.dropped.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn timestamps_have_milliseconds() {
        let t = timestamp();
        assert_eq!(t.len(), "2026-12-03T08:15:00.123Z".len(), "{t}");
        assert!(t.ends_with('Z'));
    }
}
