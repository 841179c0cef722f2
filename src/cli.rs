//! What the user typed: the command line, with an environment variable
//! behind every flag. Turned into a validated [`crate::config::Config`]
//! before anything runs.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The venue-groups server and its maintenance commands.
#[derive(Debug, Parser)]
// `serve`'s flags also work without the word `serve`; `--db` goes before
// or after any command.
#[command(name = "venue-groups", version = version_text(), about)]
pub struct Cli {
    /// The SQLite database file (created with its schema if missing).
    #[arg(
        long,
        env = "VENUE_GROUPS_DB",
        default_value = "./venue-groups.db",
        global = true
    )]
    pub db: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// `--version`: the binary's version and the schema version it writes, so
/// an operator can tell whether an upgrade will migrate the file.
fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (schema version {})",
            env!("CARGO_PKG_VERSION"),
            crate::db::migrations::latest()
        )
    })
}

/// The commands; none means `serve`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill an empty database with a demo venue and print its logins.
    Demo(DemoArgs),
    /// Write a consistent copy of the live database to PATH.
    Backup(BackupArgs),
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "VENUE_GROUPS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,

    /// How long a login token lives: seconds, or a number with s, m, h or d.
    #[arg(long, env = "VENUE_GROUPS_TOKEN_TTL", default_value = "12h")]
    pub token_ttl: String,

    /// Email of the admin created on first start when there are no users.
    #[arg(long, env = "VENUE_GROUPS_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password of that admin; when unset a random one is printed once.
    #[arg(long, env = "VENUE_GROUPS_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Origin allowed to call the API from a browser (CORS); none by default.
    #[arg(long, env = "VENUE_GROUPS_CORS_ORIGIN")]
    pub cors_origin: Option<String>,

    /// The URL clients reach the server at, for the absolute links of list
    /// pages (e.g. `https://groups.venue.example`); by default `http://` and
    /// the address it listens on.
    #[arg(long, env = "VENUE_GROUPS_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Connections open at once; past it a connection is answered 503 and closed.
    #[arg(long, env = "VENUE_GROUPS_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// A reverse proxy (IP address; repeatable or comma-separated) whose
    /// X-Forwarded-For names the client for the login throttle.
    #[arg(
        long = "trusted-proxy",
        env = "VENUE_GROUPS_TRUSTED_PROXY",
        value_name = "ADDR"
    )]
    pub trusted_proxies: Vec<String>,

    /// Failed logins from one client address within 60 s before every login from it is 429.
    #[arg(long, env = "VENUE_GROUPS_LOGIN_CLIENT_LIMIT", default_value_t = 100)]
    pub login_client_limit: usize,

    /// Log filter (e.g. `info`, `warn`, `venue_groups=debug`).
    #[arg(long, env = "VENUE_GROUPS_LOG", default_value = "info")]
    pub log: String,

    /// Log lines as text, or as one JSON object per line (for log shippers).
    #[arg(
        long,
        env = "VENUE_GROUPS_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: crate::logging::Format,

    /// Log lines held for stderr before new ones are dropped (and counted).
    #[arg(long, env = "VENUE_GROUPS_LOG_BUFFER_LINES", default_value_t = 16_384)]
    pub log_buffer_lines: usize,
    /// A second address serving only GET /metrics, without a token (for a
    /// monitoring system; keep it on loopback or a private network).
    #[arg(long, env = "VENUE_GROUPS_METRICS_ADDR")]
    pub metrics_addr: Option<String>,

    /// Who copies the WAL back into the database: `internal` (the server,
    /// every 250 ms) or `external` (a tool such as Litestream does).
    #[arg(long, env = "VENUE_GROUPS_CHECKPOINT", default_value = "internal")]
    pub checkpoint: String,

    /// Serve HTTPS with this certificate chain (PEM); re-read on SIGHUP.
    #[arg(long, env = "VENUE_GROUPS_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "VENUE_GROUPS_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a self-signed certificate made once beside the
    /// database for the --tls-name names; prints its SHA-256 fingerprint.
    #[arg(long, env = "VENUE_GROUPS_TLS_SELF_SIGNED", conflicts_with_all = ["tls_cert", "tls_key"])]
    pub tls_self_signed: bool,

    /// A DNS name or IP address for the self-signed certificate
    /// (repeatable; default: localhost, 127.0.0.1 and ::1).
    #[arg(
        long = "tls-name",
        env = "VENUE_GROUPS_TLS_NAME",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub tls_names: Vec<String>,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password comes from --password-stdin or VENUE_GROUPS_PASSWORD.
    Create(UserCreateArgs),
    /// Set a user's password (--password-stdin or VENUE_GROUPS_PASSWORD); ends its sessions.
    SetPassword(UserSetPasswordArgs),
    /// Disable a user: no more logins, and its sessions end at once.
    Disable(UserEmailArgs),
    /// List every user: email, admin, disabled, partners (no secrets).
    List,
}

/// Options of `user set-password`.
#[derive(Debug, Args)]
pub struct UserSetPasswordArgs {
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// The password (prefer --password-stdin; flags show up in `ps`).
    #[arg(
        long = "password-env",
        env = "VENUE_GROUPS_PASSWORD",
        hide = true,
        hide_env_values = true
    )]
    pub password: Option<String>,
}

/// Options of a `user` command that names one user.
#[derive(Debug, Args)]
pub struct UserEmailArgs {
    #[arg(long)]
    pub email: String,
}

/// Options of `user create`.
#[derive(Debug, Args)]
pub struct UserCreateArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub first_name: String,
    #[arg(long)]
    pub last_name: String,
    /// Make the user an administrator (every permission, every partner).
    #[arg(long)]
    pub admin: bool,
    /// A permission to grant (repeatable), e.g. groups.read.
    #[arg(long = "permission", value_name = "P")]
    pub permissions: Vec<String>,
    /// A partner id the user works for (repeatable).
    #[arg(long = "partner", value_name = "ID")]
    pub partners: Vec<i64>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// The password (prefer --password-stdin; flags show up in `ps`).
    #[arg(
        long = "password-env",
        env = "VENUE_GROUPS_PASSWORD",
        hide = true,
        hide_env_values = true
    )]
    pub password: Option<String>,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Benchmark scale: 1,000 groups, 100,000 customers, 500,000
    /// memberships, unless the sizes below say otherwise.
    #[arg(long)]
    pub scale: bool,
    /// Customers at scale (implies --scale).
    #[arg(long, value_name = "N")]
    pub customers: Option<usize>,
    /// Groups at scale (implies --scale; at least 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub groups: Option<u32>,
    /// Memberships at scale (implies --scale): the first group holds the
    /// first 100,000 customers, the other groups share the rest.
    #[arg(long, value_name = "N")]
    pub memberships: Option<usize>,
}

impl DemoArgs {
    /// The sizes at scale; `None` for the small demo.
    pub fn sizes(&self) -> Option<crate::demo::Sizes> {
        let scale = self.scale
            || self.customers.is_some()
            || self.groups.is_some()
            || self.memberships.is_some();
        let default = crate::demo::Sizes::default();
        scale.then(|| crate::demo::Sizes {
            customers: self.customers.unwrap_or(default.customers),
            groups: self.groups.map_or(default.groups, |g| g as usize),
            memberships: self.memberships.unwrap_or(default.memberships),
        })
    }
}

/// Options of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (must not exist yet).
    pub path: PathBuf,
}
