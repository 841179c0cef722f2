//! The `venue-groups` binary: parses the command line, sets up logging and
//! hands over to the server or a command.

use clap::Parser;
use venue_groups::cli::{Cli, Command, UserCommand};
use venue_groups::config::Config;
use venue_groups::{commands, server};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => serve(&cli, &cli.serve),
        Some(Command::Serve(args)) => serve(&cli, args),
        Some(Command::User(UserCommand::Create(args))) => commands::user_create(&cli.db, args),
        Some(Command::User(UserCommand::SetPassword(args))) => {
            commands::accounts::set_password(&cli.db, args)
        }
        Some(Command::User(UserCommand::Disable(args))) => {
            commands::accounts::disable(&cli.db, &args.email)
        }
        Some(Command::User(UserCommand::List)) => commands::accounts::list(&cli.db),
        Some(Command::Demo(args)) => commands::demo(&cli.db, args),
        Some(Command::Backup(args)) => commands::backup(&cli.db, args),
    };
    if let Err(e) = result {
        eprintln!("venue-groups: {e}");
        std::process::exit(1);
    }
}

fn serve(cli: &Cli, args: &venue_groups::cli::ServeArgs) -> Result<(), String> {
    let config = Config::from_cli(&cli.db, args)?;
    limit_malloc_caching();
    // Before any thread exists, so that every thread inherits it.
    let batch = venue_groups::scheduling::batch_from_here();
    // Dropped after the runtime below, i.e. after server::run has returned
    // and logged its last line: dropping it writes out every queued line.
    let _log = venue_groups::logging::init(&args.log, args.log_format, args.log_buffer_lines)?;
    if let Err(e) = batch {
        tracing::debug!("threads stay at the normal scheduling policy: {e}");
    }
    raise_open_files_limit(config.max_connections);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking work waits on 8 read connections and the argon2 permits;
        // hundreds of idle threads would only hold memory.
        .max_blocking_threads(32)
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        // Listen for the signals before anything else: a SIGTERM that comes
        // right after "listening on" must stop the server cleanly, not kill it.
        let stop = shutdown_signal()?;
        let listener = server::bind(config.addr)?;
        server::run(config, listener, stop).await
    })
}

/// Registers for SIGINT and SIGTERM now; the future resolves on either.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let listen = |kind| signal(kind).map_err(|e| format!("cannot listen for signals: {e}"));
    let (mut term, mut int) = (
        listen(SignalKind::terminate())?,
        listen(SignalKind::interrupt())?,
    );
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}

/// Each argon2 hash allocates a 19 MiB block. glibc raises its mmap
/// threshold after the first such block is freed, so later ones come from
/// per-thread heaps and stay resident, one per blocking thread that ever
/// hashed: a login storm left the process at over 100 MB. A fixed
/// threshold returns every large block to the system when freed, and two
/// arenas keep many threads from each holding memory of their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_caching() {
    // SAFETY: mallopt only tunes the allocator; it is called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_caching() {}

/// Each connection is a file descriptor, and the usual soft limit (1024)
/// is no more than the default connection cap: raise the soft limit to the
/// hard one, so the cap, not `accept` failing, is what a crowd meets.
#[cfg(unix)]
fn raise_open_files_limit(connections: usize) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct passed only.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return;
        }
        let wanted = (connections as libc::rlim_t).saturating_add(256);
        if limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max.min(wanted.max(limit.rlim_cur));
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
    if limit.rlim_cur < connections as libc::rlim_t {
        tracing::warn!(
            "only {} open files allowed: fewer connections than --max-connections will be served",
            limit.rlim_cur
        );
    }
}

#[cfg(not(unix))]
fn raise_open_files_limit(_connections: usize) {}
