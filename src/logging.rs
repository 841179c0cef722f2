//! The log: one line per event on stderr, written by a thread of its own.
//!
//! A request only formats its line and hands it to a bounded queue; the
//! writer thread does the `write` to stderr (measured: one synchronous
//! write per request cost a fifth of the server's capacity on a cheap
//! route), once per batch of lines, waking once per batch too. When the
//! queue is full (stderr not read fast enough) the line is dropped and
//! counted, never waited for, and the writer says how many
//! were dropped. [`LogGuard`] drains the queue on a clean shutdown, so no
//! line is lost then.

use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
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

/// Installs the log as the global subscriber. Keep the guard until the
/// server has stopped: dropping it writes out every queued line.
pub fn init(filter: &str, format: Format, queue_lines: usize) -> Result<LogGuard, String> {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).map_err(|e| format!("--log: {e}"))?;
    let (queue, guard) = start(queue_lines.max(1));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(Line { format })
        .with_writer(queue)
        .try_init()
        .map_err(|e| format!("cannot start the log: {e}"))?;
    Ok(guard)
}

/// How long the writer lets lines gather after the first; a queue of
/// 16,384 lines holds this long at over a million lines a second.
const GATHER: Duration = Duration::from_millis(10);

enum Msg {
    Line(Vec<u8>),
    Stop,
}

/// The requests' side of the queue.
pub struct Queue {
    tx: SyncSender<Msg>,
    dropped: Arc<AtomicU64>,
}

/// Stops the writer thread after it has written every queued line.
pub struct LogGuard {
    tx: SyncSender<Msg>,
    worker: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        // A blocking send: at shutdown, waiting for room is right.
        if self.tx.send(Msg::Stop).is_ok() {
            if let Some(worker) = self.worker.take() {
                let _ = worker.join();
            }
        }
    }
}

/// The queue and its writer thread, writing to stderr.
fn start(lines: usize) -> (Queue, LogGuard) {
    let (tx, rx) = mpsc::sync_channel::<Msg>(lines);
    let dropped = Arc::new(AtomicU64::new(0));
    let counter = dropped.clone();
    let worker = std::thread::Builder::new()
        .name("log".into())
        .spawn(move || {
            // Not stderr().lock(): eprintln! elsewhere must not wait for it.
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
            let mut reported = 0u64;
            let mut stopping = false;
            while !stopping {
                let mut next = match rx.recv_timeout(Duration::from_secs(1)) {
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                // Let the lines of the next few milliseconds gather before
                // writing: a sender only wakes this thread when it waits in
                // recv, so a busy server pays one wake-up and one write per
                // batch instead of a context switch per request (measured:
                // on one core that was most of what a cheap route cost).
                if next.is_some() {
                    std::thread::sleep(GATHER);
                }
                // Everything queued now, then one flush: not one per line.
                // Lines queued before the stop are written too.
                while let Some(msg) = next {
                    match msg {
                        Msg::Line(line) => {
                            let _ = out.write_all(&line);
                        }
                        Msg::Stop => stopping = true,
                    }
                    next = rx.try_recv().ok();
                }
                report_dropped(&mut out, &counter, &mut reported);
                let _ = out.flush();
            }
        })
        .expect("cannot start the log thread");
    (
        Queue {
            tx: tx.clone(),
            dropped,
        },
        LogGuard {
            tx,
            worker: Some(worker),
        },
    )
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

/// One event's line, queued when the formatter is done with it.
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
        if self.buf.is_empty() {
            return;
        }
        match self
            .queue
            .tx
            .try_send(Msg::Line(std::mem::take(&mut self.buf)))
        {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.queue.dropped.fetch_add(1, Ordering::Relaxed);
            }
            // The writer has stopped (after shutdown): nothing waits on
            // this line any more, so it is written directly.
            Err(TrySendError::Disconnected(Msg::Line(line))) => {
                let _ = std::io::stderr().write_all(&line);
            }
            Err(TrySendError::Disconnected(Msg::Stop)) => {}
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
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = crate::clock::rfc3339(now.as_secs() as i64);
    format!("{}.{:03}Z", secs.trim_end_matches('Z'), now.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn timestamps_have_milliseconds() {
        let t = timestamp();
        assert_eq!(t.len(), "2026-12-03T08:15:00.123Z".len(), "{t}");
        assert!(t.ends_with('Z'));
    }
}
