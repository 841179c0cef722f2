//! Validated configuration with defaults. Built from the command line by
//! [`Config::from_cli`], or directly by tests.

use crate::cli::ServeArgs;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the server needs to run.
#[derive(Clone)]
pub struct Config {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// The SQLite file.
    pub db: PathBuf,
    /// Lifetime of a login token.
    pub token_ttl: Duration,
    /// Bootstrap admin email (first start with no users).
    pub admin_email: Option<String>,
    /// Bootstrap admin password; never printed by `Debug`.
    pub admin_password: Option<String>,
    /// Origin allowed to call the API from a browser, if any.
    pub cors_origin: Option<String>,
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body.
    pub body_read_timeout: Duration,
    /// Connections open at once; past it, `503` and the connection closed.
    pub max_connections: usize,
    /// A connection on which no byte moves for this long is closed (an
    /// idle keep-alive, or a client that stopped reading an export).
    pub idle_timeout: Duration,
    /// Request body bytes held at once, over all requests; past it, `503`.
    pub max_body_bytes_in_flight: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Failed logins from one client address within a minute, any emails,
    /// before every login from it is `429`.
    pub login_client_limit: usize,
    /// Logins waiting for (or in) password checking; past it, `503`.
    pub max_pending_logins: usize,
    /// CSV exports streaming at once, server-wide (`503` past it) and per
    /// user (`429` past it).
    pub max_exports: usize,
    pub max_exports_per_user: usize,
}

impl Config {
    /// Defaults for a database file, listening on 127.0.0.1:8080.
    pub fn new(db: impl AsRef<Path>) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: db.as_ref().to_path_buf(),
            token_ttl: Duration::from_secs(12 * 3600),
            admin_email: None,
            admin_password: None,
            cors_origin: None,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            idle_timeout: Duration::from_secs(30),
            max_body_bytes_in_flight: 64 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            login_client_limit: 100,
            max_pending_logins: 64,
            max_exports: 64,
            max_exports_per_user: 2,
        }
    }

    /// Validates what was typed; the error says which flag is wrong.
    pub fn from_cli(db: &Path, args: &ServeArgs) -> Result<Config, String> {
        let addr = args.addr.parse().map_err(|_| {
            format!(
                "--addr: {:?} is not an address like 127.0.0.1:8080",
                args.addr
            )
        })?;
        let token_ttl = parse_duration(&args.token_ttl).ok_or_else(|| {
            format!(
                "--token-ttl: {:?} is not a duration like 3600, 30m, 12h or 7d",
                args.token_ttl
            )
        })?;
        if let Some(origin) = &args.cors_origin {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(format!(
                    "--cors-origin: {origin:?} is not an origin like https://venue.example"
                ));
            }
        }
        if args.max_connections == 0 {
            return Err("--max-connections: must be at least 1".into());
        }
        if args.login_client_limit == 0 {
            return Err("--login-client-limit: must be at least 1".into());
        }
        let trusted_proxies = args
            .trusted_proxies
            .iter()
            .flat_map(|list| list.split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse::<IpAddr>()
                    .map_err(|_| format!("--trusted-proxy: {a:?} is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Config {
            addr,
            max_connections: args.max_connections,
            login_client_limit: args.login_client_limit,
            trusted_proxies,
            token_ttl,
            admin_email: args.admin_email.clone(),
            admin_password: args.admin_password.clone(),
            cors_origin: args.cors_origin.clone(),
            ..Config::new(db)
        })
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("db", &self.db)
            .field("token_ttl", &self.token_ttl)
            .field("admin_email", &self.admin_email)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "<redacted>"),
            )
            .field("cors_origin", &self.cors_origin)
            .field("max_connections", &self.max_connections)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("login_client_limit", &self.login_client_limit)
            .finish_non_exhaustive()
    }
}

/// `3600`, `45s`, `30m`, `12h`, `7d`; zero is not a lifetime.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let n: u64 = number.parse().ok()?;
    let secs = n.checked_mul(match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    })?;
    (secs > 0 && secs <= 366 * 86_400).then(|| Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("3600"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("12x"), None);
        assert_eq!(parse_duration("h"), None);
    }
}
