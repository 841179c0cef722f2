//! HTTPS in the binary: rustls (on ring) with a certificate from PEM files,
//! re-read on SIGHUP, or a self-signed one made once beside the database.
//!
//! The certificate sits behind a resolver that every new handshake asks,
//! so a reload swaps it for the next connection while connections already
//! open keep theirs: a renewed certificate takes effect without dropping
//! anyone. A reload that fails (a half-written file, a key that does not
//! match) keeps the certificate in use and says why in one log line.

use super::conn::{Answering, Conn};
use crate::config::Tls;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tokio_rustls::rustls::crypto::ring as provider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::ServerConfig;

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes under way at once; past it a new connection is closed
/// (its place under the connection cap is held until then anyway).
const MAX_HANDSHAKES: usize = 256;

/// A connection as hyper serves it: plain, or TLS over the plain one (so
/// the idle cut-off and the place under the cap hold for both).
pub enum Incoming {
    Plain(Conn),
    Tls(Box<tokio_rustls::server::TlsStream<Conn>>),
}

impl Incoming {
    /// The TCP peer.
    pub fn peer(&self) -> SocketAddr {
        match self {
            Incoming::Plain(c) => c.peer(),
            Incoming::Tls(t) => t.get_ref().0.peer(),
        }
    }

    /// The count of requests being answered on this connection.
    pub fn answering(&self) -> Answering {
        match self {
            Incoming::Plain(c) => c.answering(),
            Incoming::Tls(t) => t.get_ref().0.answering(),
        }
    }
}

/// Plain HTTP: every accepted connection as it is.
pub fn plain(mut accepted: mpsc::Receiver<Conn>) -> mpsc::Receiver<Incoming> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        while let Some(c) = accepted.recv().await {
            if tx.send(Incoming::Plain(c)).await.is_err() {
                return;
            }
        }
    });
    rx
}

/// HTTPS: each accepted connection's handshake runs in a task of its own
/// with a deadline, so a slow or silent client never holds up the accept
/// loop or anyone else's handshake; a failed one is logged at debug and
/// closed.
pub fn handshakes(
    mut accepted: mpsc::Receiver<Conn>,
    acceptor: tokio_rustls::TlsAcceptor,
) -> mpsc::Receiver<Incoming> {
    let (tx, rx) = mpsc::channel(64);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_HANDSHAKES));
    tokio::spawn(async move {
        while let Some(c) = accepted.recv().await {
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                continue; // dropped: closed
            };
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                let peer = c.peer();
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(c)).await {
                    Ok(Ok(stream)) => {
                        drop(slot);
                        let _ = tx.send(Incoming::Tls(Box::new(stream))).await;
                    }
                    Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                    Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                }
            });
        }
    });
    rx
}

impl AsyncRead for Incoming {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Incoming::Plain(c) => Pin::new(c).poll_read(cx, buf),
            Incoming::Tls(t) => Pin::new(t.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Incoming {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Incoming::Plain(c) => Pin::new(c).poll_write(cx, buf),
            Incoming::Tls(t) => Pin::new(t.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Incoming::Plain(c) => Pin::new(c).poll_write_vectored(cx, bufs),
            Incoming::Tls(t) => Pin::new(t.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Incoming::Plain(c) => c.is_write_vectored(),
            Incoming::Tls(t) => t.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Incoming::Plain(c) => Pin::new(c).poll_flush(cx),
            Incoming::Tls(t) => Pin::new(t.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Incoming::Plain(c) => Pin::new(c).poll_shutdown(cx),
            Incoming::Tls(t) => Pin::new(t.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The serving certificate and where it came from.
#[derive(Debug)]
pub struct Certificates {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

impl Certificates {
    /// Loads the configured certificate (making the self-signed one first
    /// if needed). The error is one line for the operator.
    pub fn load(tls: &Tls, db: &Path) -> Result<Arc<Certificates>, String> {
        let (cert, key) = match tls {
            Tls::Files { cert, key } => (cert.clone(), key.clone()),
            Tls::SelfSigned { names } => self_signed(db, names)?,
        };
        let current = load_pair(&cert, &key)?;
        if matches!(tls, Tls::SelfSigned { .. }) {
            eprintln!(
                "TLS certificate {} (self-signed) SHA-256 fingerprint {}",
                cert.display(),
                fingerprint(&current)
            );
        }
        Ok(Arc::new(Certificates {
            cert,
            key,
            current: RwLock::new(Arc::new(current)),
        }))
    }

    /// Re-reads the files; on failure the certificate in use stays.
    pub fn reload(&self) -> Result<(), String> {
        let fresh = load_pair(&self.cert, &self.key)?;
        let print = fingerprint(&fresh);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        tracing::info!("TLS certificate reloaded: SHA-256 fingerprint {print}");
        Ok(())
    }

    /// The rustls configuration: HTTP/1.1 only (hyper serves http1 here).
    pub fn acceptor(self: &Arc<Self>) -> tokio_rustls::TlsAcceptor {
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(provider::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_no_client_auth()
                .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

/// Reads a PEM chain and key and checks they belong together.
fn load_pair(cert_path: &Path, key_path: &Path) -> Result<CertifiedKey, String> {
    let read = |flag: &str, path: &Path| {
        std::fs::read(path).map_err(|e| format!("{flag} {}: cannot read it: {e}", path.display()))
    };
    let cert_pem = read("--tls-cert", cert_path)?;
    let key_pem = read("--tls-key", key_path)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            format!(
                "--tls-cert {}: not a PEM certificate: {e}",
                cert_path.display()
            )
        })?;
    if chain.is_empty() {
        return Err(format!(
            "--tls-cert {}: no certificate in it (expected -----BEGIN CERTIFICATE-----)",
            cert_path.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        format!(
            "--tls-key {}: no private key in it (PKCS#8, PKCS#1 or SEC1 PEM): {e}",
            key_path.display()
        )
    })?;
    let signing = provider::sign::any_supported_type(&key).map_err(|e| {
        format!(
            "--tls-key {}: unusable private key: {e}",
            key_path.display()
        )
    })?;
    let pair = CertifiedKey::new(chain, signing);
    pair.keys_match().map_err(|e| {
        format!(
            "--tls-key {} does not match --tls-cert {}: {e}",
            key_path.display(),
            cert_path.display()
        )
    })?;
    Ok(pair)
}

/// `AB:CD:...`: the SHA-256 of the end-entity certificate, as browsers show it.
pub fn fingerprint(pair: &CertifiedKey) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(pair.cert[0].as_ref());
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The self-signed pair's paths beside the database, made on first use.
/// An existing pair is kept (so its fingerprint stays what staff checked),
/// even if the names changed: delete both files to make a new one.
fn self_signed(db: &Path, names: &[String]) -> Result<(PathBuf, PathBuf), String> {
    let beside = |suffix: &str| {
        let mut p = db.as_os_str().to_os_string();
        p.push(suffix);
        PathBuf::from(p)
    };
    let (cert, key) = (beside(".tls-cert.pem"), beside(".tls-key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let made = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| format!("--tls-name: cannot make a certificate for {names:?}: {e}"))?;
    write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(&cert, made.cert.pem())
        .map_err(|e| format!("cannot write {}: {e}", cert.display()))?;
    eprintln!(
        "made a self-signed TLS certificate for {} at {}",
        names.join(", "),
        cert.display()
    );
    Ok((cert, key))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let made = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
        let (cert, key) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
        (cert, key)
    }

    #[test]
    fn a_missing_unreadable_or_mismatched_key_is_one_clear_line() {
        let dir = tempfile::tempdir().unwrap();
        let (cert_a, key_a) = pair(dir.path(), "a.test");
        let (_, key_b) = pair(dir.path(), "b.test");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not pem at all").unwrap();
        let missing = dir.path().join("missing.pem");

        assert!(load_pair(&cert_a, &key_a).is_ok());
        for (cert, key, wanted) in [
            (&cert_a, &missing, "--tls-key"),
            (&missing, &key_a, "--tls-cert"),
            (&cert_a, &key_b, "does not match"),
            (&cert_a, &junk, "no private key"),
            (&junk, &key_a, "no certificate"),
        ] {
            let err = load_pair(cert, key).expect_err(wanted);
            assert!(err.contains(wanted), "{wanted}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn the_self_signed_pair_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("venue.db");
        let tls = Tls::SelfSigned {
            names: vec!["venue.local".into()],
        };
        let first = Certificates::load(&tls, &db).unwrap();
        let again = Certificates::load(&tls, &db).unwrap();
        let print = |c: &Certificates| fingerprint(&c.current.read().unwrap());
        assert_eq!(print(&first), print(&again));
        assert_eq!(print(&first).len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("venue.db.tls-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is for the owner only");
        }
    }
}
