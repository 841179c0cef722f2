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
    let filter =
        tracing_subscriber::EnvFilter::try_new(&args.log).map_err(|e| format!("--log: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking work waits on 8 read connections and the argon2 permits;
        // hundreds of idle threads would only hold memory.
        .max_blocking_threads(32)
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let listener = server::bind(config.addr)?;
        server::run(config, listener, shutdown_signal()).await
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
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
