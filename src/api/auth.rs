//! Who is asking and what they may do: permissions, the principal behind a
//! token, the one place where a route's guard is checked (in the contract's
//! order), and the login throttle.

use super::error::ApiError;
use super::routes::{Guard, Params};
use crate::db::{self, PartnerId, UserId};
use rusqlite::Connection;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every permission a user can hold, in the contract's order.
pub const PERMISSIONS: [&str; 11] = [
    "groups.read",
    "groups.create",
    "groups.update",
    "groups.delete",
    "customers.read",
    "customers.create",
    "customers.update",
    "customers.delete",
    "users.read",
    "users.create",
    "audit.read",
];

/// One permission, by its place in [`PERMISSIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    GroupsRead,
    GroupsCreate,
    GroupsUpdate,
    GroupsDelete,
    CustomersRead,
    CustomersCreate,
    CustomersUpdate,
    CustomersDelete,
    UsersRead,
    UsersCreate,
    AuditRead,
}

impl Permission {
    /// The permission's name, e.g. `groups.read`.
    pub fn name(self) -> &'static str {
        PERMISSIONS[self as usize]
    }
}

/// A set of permissions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permissions(u16);

impl Permissions {
    /// Parses a comma-separated list, ignoring names it does not know.
    pub fn parse_list(list: &str) -> Permissions {
        let mut bits = 0u16;
        for name in list.split(',') {
            if let Some(i) = PERMISSIONS.iter().position(|p| *p == name) {
                bits |= 1 << i;
            }
        }
        Permissions(bits)
    }

    /// The names held, in the contract's order.
    pub fn names(self) -> Vec<String> {
        PERMISSIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, p)| p.to_string())
            .collect()
    }

    /// Whether the set holds the permission.
    pub fn has(self, p: Permission) -> bool {
        self.0 & (1 << p as u16) != 0
    }
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
    let who = db::tokens::principal(c, token, crate::clock::unix_now())?
        .ok_or(ApiError::Unauthenticated)?;
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
    }
    if let Some(user) = params.user {
        if !db::users::exists(c, user)? {
            return Err(ApiError::NotFound);
        }
    }
    Ok(Some(who))
}

/// Failed logins allowed per email within [`THROTTLE_WINDOW`].
pub const THROTTLE_ATTEMPTS: usize = 5;
/// The throttle's window.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(60);

/// Counts failed logins per folded email. Attempts for one email take
/// turns (the second waits for the first's verdict), so a burst of parallel
/// guesses cannot slip past the limit, and parallel logins with the right
/// password are never refused for being many.
#[derive(Default)]
pub struct Throttle {
    emails: Mutex<HashMap<String, Arc<tokio::sync::Mutex<VecDeque<Instant>>>>>,
}

/// One login attempt holding its email's turn; [`Attempt::end`] records
/// the verdict. Dropped without `end` (an error before the verdict), it
/// counts for nothing.
pub struct Attempt {
    failures: tokio::sync::OwnedMutexGuard<VecDeque<Instant>>,
}

impl Throttle {
    /// Waits for this email's turn, then starts an attempt, or answers the
    /// 429 with `Retry-After` after [`THROTTLE_ATTEMPTS`] recent failures.
    pub async fn begin(&self, email_key: &str) -> Result<Attempt, ApiError> {
        let turn = {
            let mut emails = self.emails.lock().unwrap_or_else(|e| e.into_inner());
            if emails.len() > 100_000 {
                // Bound memory under a storm of made-up emails: forget the
                // emails nobody is using whose failures have aged out.
                let now = Instant::now();
                emails.retain(|_, turn| {
                    Arc::strong_count(turn) > 1
                        || turn.try_lock().map_or(true, |f| {
                            f.back().is_some_and(|t| now - *t < THROTTLE_WINDOW)
                        })
                });
            }
            emails.entry(email_key.to_string()).or_default().clone()
        };
        let mut failures = turn.lock_owned().await;
        let now = Instant::now();
        while failures
            .front()
            .is_some_and(|t| now - *t >= THROTTLE_WINDOW)
        {
            failures.pop_front();
        }
        if failures.len() >= THROTTLE_ATTEMPTS {
            let oldest = failures[failures.len() - THROTTLE_ATTEMPTS];
            let retry_after = (THROTTLE_WINDOW - (now - oldest)).as_secs() + 1;
            return Err(ApiError::TooManyAttempts(retry_after));
        }
        Ok(Attempt { failures })
    }
}

impl Attempt {
    /// Records the verdict: a success clears the count, a failure adds to it.
    pub fn end(mut self, success: bool) {
        if success {
            self.failures.clear();
        } else {
            self.failures.push_back(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sixth_failure_in_a_minute_is_throttled_and_success_clears() {
        let t = Throttle::default();
        for _ in 0..THROTTLE_ATTEMPTS - 1 {
            t.begin("a@b").await.unwrap().end(false);
        }
        t.begin("a@b").await.unwrap().end(true);
        for _ in 0..THROTTLE_ATTEMPTS {
            t.begin("a@b").await.unwrap().end(false);
        }
        let refused = t.begin("a@b").await;
        assert!(matches!(refused, Err(ApiError::TooManyAttempts(s)) if (1..=61).contains(&s)));
        assert!(t.begin("other@b").await.is_ok());
    }

    #[test]
    fn permissions_parse_known_names_only() {
        let p = Permissions::parse_list("groups.read,bogus,audit.read");
        assert!(p.has(Permission::GroupsRead));
        assert!(p.has(Permission::AuditRead));
        assert!(!p.has(Permission::GroupsCreate));
        assert_eq!(Permission::UsersCreate.name(), "users.create");
    }
}
