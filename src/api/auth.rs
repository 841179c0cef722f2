//! Who is asking and what they may do: permissions, the principal behind a
//! token, the one place where a route's guard is checked (in the contract's
//! order), and the login throttle.

use super::error::ApiError;
use crate::db::{self, CustomerId, GroupId, PartnerId, UserId};
pub use crate::model::{Permission, Permissions, PERMISSIONS};
use rusqlite::Connection;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, no token.
    Public,
    /// Any signed-in user (partner access still applies to a partner path).
    User,
    /// Admins only.
    Admin,
    /// Holders of the permission with access to the path's partner.
    Partner(Permission),
    /// Admins, or users with access to the path's partner.
    PartnerMember,
}

/// The ids a path named, each checked to exist (under its partner).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub partner: Option<PartnerId>,
    pub group: Option<GroupId>,
    pub customer: Option<CustomerId>,
    pub user: Option<UserId>,
}

/// The authenticated user behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub is_admin: bool,
    pub permissions: Permissions,
    /// Sorted.
    pub partner_ids: Vec<PartnerId>,
}

impl From<db::tokens::Holder> for Principal {
    fn from(h: db::tokens::Holder) -> Principal {
        Principal {
            user_id: h.user_id,
            is_admin: h.is_admin,
            permissions: h.permissions,
            partner_ids: h.partner_ids,
        }
    }
}

impl Principal {
    /// Admins hold every permission.
    pub fn can(&self, p: Permission) -> bool {
        self.is_admin || self.permissions.has(p)
    }

    /// Admins have access to every partner.
    pub fn works_for(&self, partner: PartnerId) -> bool {
        self.is_admin || self.partner_ids.binary_search(&partner).is_ok()
    }
}

/// What a request must show, checked inside a transaction: on a reader
/// before the body is read, and again in the write job itself.
#[derive(Debug, Clone)]
pub struct Check {
    pub token: Option<[u8; 32]>,
    pub guard: Guard,
    /// A permission the request needs besides the guard's (the CSV import
    /// into a group needs groups.update).
    pub also: Option<Permission>,
    pub params: Params,
}

impl Check {
    /// The principal, or the first check that fails, in the contract's order.
    pub fn run(&self, c: &Connection) -> Result<Principal, ApiError> {
        let who = authorize(c, self.token.as_ref(), self.guard, &self.params)?
            .ok_or_else(|| ApiError::internal("a guarded handler on a public route"))?;
        match self.also {
            Some(p) if !who.can(p) => Err(ApiError::Forbidden),
            _ => Ok(who),
        }
    }
}

/// Checks a request against its route's guard, in the contract's order:
/// token (401), permission (403), partner access (403, or 404 for an admin
/// on a partner that does not exist), then the resources named in the path
/// (404). `None` is the principal of a public route.
pub fn authorize(
    c: &Connection,
    token: Option<&[u8; 32]>,
    guard: Guard,
    params: &Params,
) -> Result<Option<Principal>, ApiError> {
    if guard == Guard::Public {
        return Ok(None);
    }
    let token = token.ok_or(ApiError::Unauthenticated)?;
    let who: Principal = db::tokens::holder(c, token, crate::clock::unix_now())?
        .ok_or(ApiError::Unauthenticated)?
        .into();
    match guard {
        Guard::Public | Guard::User => {}
        Guard::Admin => {
            if !who.is_admin {
                return Err(ApiError::Forbidden);
            }
        }
        Guard::Partner(p) => {
            if !who.can(p) {
                return Err(ApiError::Forbidden);
            }
        }
        Guard::PartnerMember => {}
    }
    if let Some(partner) = params.partner {
        // A non-admin learns nothing about partners it does not work for,
        // not even whether they exist.
        if !who.works_for(partner) {
            return Err(ApiError::Forbidden);
        }
        if who.is_admin && !db::partners::exists(c, partner)? {
            return Err(ApiError::NotFound);
        }
        if let Some(group) = params.group {
            if !db::groups::exists(c, partner, group)? {
                return Err(ApiError::NotFound);
            }
        }
        if let Some(customer) = params.customer {
            if !db::customers::exists(c, partner, customer)? {
                return Err(ApiError::NotFound);
            }
        }
        // A user under a partner's path is one who works for it.
        if let Some(user) = params.user {
            if !db::accounts::works_for(c, user, partner)? {
                return Err(ApiError::NotFound);
            }
        }
    }
    if let Some(user) = params.user {
        if !db::users::exists(c, user)? {
            return Err(ApiError::NotFound);
        }
    }
    Ok(Some(who))
}

/// Failed logins allowed per email and client address within
/// [`THROTTLE_WINDOW`].
pub const THROTTLE_ATTEMPTS: usize = 5;
/// The throttle's window.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(60);

/// Where a login comes from, as the throttle counts it: an IPv4 address,
/// or the /64 an IPv6 address is in (one host usually has a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ClientKey(u128);

impl ClientKey {
    fn of(client: IpAddr) -> ClientKey {
        match client {
            IpAddr::V4(a) => ClientKey(u128::from(u32::from(a))),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => ClientKey(u128::from(u32::from(v4))),
                None => ClientKey(u128::from(a) & !((1u128 << 64) - 1)),
            },
        }
    }
}

type Failures = VecDeque<Instant>;
/// One email from one client: its failures, behind the lock attempts take turns on.
type Turn = Arc<tokio::sync::Mutex<Failures>>;

/// Counts failed logins per email and client address, and per client
/// address alone. Keyed by both, a stranger cannot lock a user out by
/// failing logins for that user's email from elsewhere; the per-address
/// count stops one address trying many emails. Attempts for one email from
/// one address take turns (the second waits for the first's verdict), so a
/// burst of parallel guesses cannot slip past the limit, and parallel
/// logins with the right password are never refused for being many. Both
/// maps grow only with failed logins, which each cost a password check, so
/// their size is bounded by what the hashing threads can do in a window.
pub struct Throttle {
    turns: Mutex<HashMap<(ClientKey, String), Turn>>,
    clients: Arc<Mutex<HashMap<ClientKey, Failures>>>,
    client_limit: usize,
}

/// One login attempt holding its turn; [`Attempt::end`] records the
/// verdict. Dropped without `end` (an error before the verdict), it counts
/// for nothing.
pub struct Attempt {
    failures: tokio::sync::OwnedMutexGuard<Failures>,
    client: ClientKey,
    clients: Arc<Mutex<HashMap<ClientKey, Failures>>>,
    client_limit: usize,
}

/// Drops instants older than the window; the `Retry-After` seconds if
/// `limit` or more remain.
fn over_limit(failures: &mut Failures, limit: usize, now: Instant) -> Option<u64> {
    while failures
        .front()
        .is_some_and(|t| now - *t >= THROTTLE_WINDOW)
    {
        failures.pop_front();
    }
    (failures.len() >= limit).then(|| {
        let oldest = failures[failures.len() - limit];
        (THROTTLE_WINDOW.saturating_sub(now - oldest)).as_secs() + 1
    })
}

impl Throttle {
    /// A throttle that refuses a client address after `client_limit`
    /// failures within the window.
    pub fn new(client_limit: usize) -> Throttle {
        Throttle {
            turns: Mutex::new(HashMap::new()),
            clients: Arc::new(Mutex::new(HashMap::new())),
            client_limit: client_limit.max(1),
        }
    }

    /// Waits for this email's turn from this client, then starts an
    /// attempt; or answers the 429 with `Retry-After`.
    pub async fn begin(&self, client: IpAddr, email_key: &str) -> Result<Attempt, ApiError> {
        let client = ClientKey::of(client);
        self.client_refused(client)?;
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            if turns.len() > 100_000 {
                // Forget the keys nobody is using whose failures have aged out.
                let now = Instant::now();
                turns.retain(|_, turn| {
                    Arc::strong_count(turn) > 1
                        || turn.try_lock().map_or(true, |f| {
                            f.back().is_some_and(|t| now - *t < THROTTLE_WINDOW)
                        })
                });
            }
            turns
                .entry((client, email_key.to_string()))
                .or_default()
                .clone()
        };
        let mut failures = turn.lock_owned().await;
        if let Some(retry_after) = over_limit(&mut failures, THROTTLE_ATTEMPTS, Instant::now()) {
            return Err(ApiError::TooManyAttempts(retry_after));
        }
        // The address may have reached its limit while this one waited.
        self.client_refused(client)?;
        Ok(Attempt {
            failures,
            client,
            clients: self.clients.clone(),
            client_limit: self.client_limit,
        })
    }

    fn client_refused(&self, client: ClientKey) -> Result<(), ApiError> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let Some(failures) = clients.get_mut(&client) else {
            return Ok(());
        };
        match over_limit(failures, self.client_limit, Instant::now()) {
            Some(retry_after) => Err(ApiError::TooManyAttempts(retry_after)),
            None => {
                if failures.is_empty() {
                    clients.remove(&client);
                }
                Ok(())
            }
        }
    }
}

impl Attempt {
    /// Records the verdict: a success clears the count for this email and
    /// address, a failure adds to it and to the address's count.
    pub fn end(mut self, success: bool) {
        if success {
            self.failures.clear();
            return;
        }
        let now = Instant::now();
        self.failures.push_back(now);
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let failures = clients.entry(self.client).or_default();
        failures.push_back(now);
        // Only the newest `limit` matter for the verdict.
        while failures.len() > self.client_limit {
            failures.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn the_sixth_failure_in_a_minute_is_throttled_and_success_clears() {
        let t = Throttle::new(100);
        let here = ip("192.0.2.1");
        for _ in 0..THROTTLE_ATTEMPTS - 1 {
            t.begin(here, "a@b").await.unwrap().end(false);
        }
        t.begin(here, "a@b").await.unwrap().end(true);
        for _ in 0..THROTTLE_ATTEMPTS {
            t.begin(here, "a@b").await.unwrap().end(false);
        }
        let refused = t.begin(here, "a@b").await;
        assert!(matches!(refused, Err(ApiError::TooManyAttempts(s)) if (1..=61).contains(&s)));
        assert!(t.begin(here, "other@b").await.is_ok());
        assert!(t.begin(ip("192.0.2.2"), "a@b").await.is_ok());
    }

    #[tokio::test]
    async fn an_address_past_its_limit_is_refused_for_every_email() {
        let t = Throttle::new(3);
        let here = ip("2001:db8::1");
        for i in 0..3 {
            t.begin(here, &format!("u{i}@b")).await.unwrap().end(false);
        }
        assert!(t.begin(here, "new@b").await.is_err());
        // The same /64 is the same client; another /64 is not.
        assert!(t.begin(ip("2001:db8::2"), "new@b").await.is_err());
        assert!(t.begin(ip("2001:db8:0:1::1"), "new@b").await.is_ok());
    }
}
