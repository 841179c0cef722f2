//! The types both storage and the API name: ids and permissions. They sit
//! below both layers, so `db` can store them and `api` can check them
//! without either importing the other.

use serde::Serialize;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// A venue.
    PartnerId,
    /// A partner's group.
    GroupId,
    /// A partner's customer.
    CustomerId,
    /// A user (staff or admin).
    UserId,
}

/// Every permission a user can hold, in the contract's order.
pub const PERMISSIONS: [&str; 13] = [
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
    "users.update",
    "users.delete",
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
    UsersUpdate,
    UsersDelete,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_parse_known_names_only() {
        let p = Permissions::parse_list("groups.read,bogus,audit.read");
        assert!(p.has(Permission::GroupsRead));
        assert!(p.has(Permission::AuditRead));
        assert!(!p.has(Permission::GroupsCreate));
        assert_eq!(Permission::UsersCreate.name(), "users.create");
    }
}
