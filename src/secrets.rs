//! Password hashing and bearer tokens.
//!
//! Passwords are argon2id with OWASP's recommended parameters (19 MiB, two
//! passes, one lane). Tokens are 32 bytes from the OS, handed to the client
//! once as hex and stored only as their SHA-256, so a copy of the database
//! holds no usable token.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

/// OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB, t=2, p=1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) {
    getrandom::getrandom(buf).expect("the operating system's random source failed");
}

/// Hashes a password into a PHC string. Slow on purpose: call it off the
/// async runtime.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters")
        .to_string()
}

/// Checks a password against a stored PHC string; `None` (no such user)
/// does the same work against a fixed hash, so an unknown email costs as
/// much time as a wrong password.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (
            DUMMY
                .get_or_init(|| hash_password("no user has this password"))
                .as_str(),
            false,
        ),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// Warms the dummy hash so the first unknown-email login is not slower
/// than a wrong password.
pub fn warm_up() {
    verify_password(None, "");
}

/// A new bearer token: the secret for the client and the hash to store.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes);
    let secret = hex(&bytes);
    let hash = token_hash(&secret);
    (secret, hash)
}

/// The stored form of a bearer token.
pub fn token_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A random password for the bootstrap admin and demo users.
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    random_bytes(&mut bytes);
    hex(&bytes)
}

type HashJob = Box<dyn FnOnce() + Send>;

/// Threads that run argon2 at the lowest CPU priority (`SCHED_IDLE`). A
/// login storm then takes only the CPU the API leaves over: readers preempt
/// a 19 ms hash instead of queueing behind it (measured on one core: the
/// readers' p99 went from 3.8x to 1.5x its calm value; nice 19 was not
/// enough, and logins went on at the same rate). While a hash is queued or
/// running the server's other threads leave `SCHED_BATCH` so that they do
/// preempt it (src/scheduling.rs). The thread count bounds how many hashes
/// run at once (and their 19 MiB blocks).
pub struct Hasher {
    jobs: Mutex<mpsc::Sender<HashJob>>,
}

impl Hasher {
    /// Starts `threads` hashing threads (at least one).
    pub fn start(threads: usize) -> Hasher {
        let (jobs, queue) = mpsc::channel::<HashJob>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    crate::scheduling::hashing_thread();
                    loop {
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the Hasher is gone
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!("cannot start a hashing thread: {e}");
            }
        }
        Hasher {
            jobs: Mutex::new(jobs),
        }
    }

    /// Runs `f` on a hashing thread; `None` if the threads are gone.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let hashing = crate::scheduling::Hashing::queued();
        let job: HashJob = Box::new(move || {
            hashing.start();
            let value = f();
            // Before the answer: the policies are back when it arrives.
            drop(hashing);
            let _ = answer.send(value);
        });
        self.jobs.lock().ok()?.send(job).ok()?;
        answered.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(Some(&hash), "correct horse"));
        assert!(!verify_password(Some(&hash), "wrong horse"));
        assert!(!verify_password(None, "correct horse"));
    }

    #[test]
    fn tokens_are_64_hex_chars_and_hash_to_their_stored_form() {
        let (secret, hash) = new_token();
        assert_eq!(secret.len(), 64);
        assert_eq!(token_hash(&secret), hash);
        assert_ne!(new_token().0, secret);
    }
}
