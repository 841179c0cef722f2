//! The route table: every path the server answers, each one line naming
//! its handler, guard, body and reply schemas, body limit and what the
//! OpenAPI document says of it. The router, the authorization checks and
//! the OpenAPI document all read this one table, so a route cannot be
//! served without being documented and guarded, and adding one is a line
//! here plus its handler.

use super::error::ApiError;
use super::request::Request;
use super::Ctx;
use super::{
    accounts, audit, customers, groups, health, imports, members, partners, sessions, users,
};
use crate::db::{CustomerId, GroupId, PartnerId, UserId};
use crate::model::Permission::*;
use std::future::Future;
use std::pin::Pin;
use warp::http::{Method, Response};
use warp::hyper::Body;

pub use super::auth::{Guard, Params};
pub use super::request::Query;

/// The methods routes use (`http::Method` cannot be built in a `static`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    /// The method's name, e.g. `GET`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    /// Whether requests with this method carry a body the route reads.
    pub fn takes_body(self) -> bool {
        matches!(self, Verb::Post | Verb::Put | Verb::Patch)
    }
}

/// What a handler answers.
pub type Answer = Result<Response<Body>, ApiError>;

/// A handler as the table holds it: a plain `async fn(&Ctx, Request) ->
/// Answer`, boxed by [`handler!`].
pub type Handler =
    for<'a> fn(&'a Ctx, Request) -> Pin<Box<dyn Future<Output = Answer> + Send + 'a>>;

/// Makes a [`Handler`] of an `async fn(&Ctx, Request) -> Answer`.
macro_rules! handler {
    ($f:path) => {{
        fn boxed(ctx: &Ctx, req: Request) -> Pin<Box<dyn Future<Output = Answer> + Send + '_>> {
            Box::pin($f(ctx, req))
        }
        boxed as Handler
    }};
}

/// What the OpenAPI document says a route answers besides what its guard,
/// path, body and query imply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extras {
    /// The login: a wrong password is `401` `InvalidCredentials`, and the
    /// metrics count its answers.
    pub login: bool,
    /// Creates a resource of its own: `Location` on the 200.
    pub location: bool,
    /// The 200 carries an `ETag`.
    pub etag: bool,
    /// Takes `If-Match` (`412` when it does not match).
    pub if_match: bool,
    /// May be `409`.
    pub conflict: bool,
    /// May be `429` (a throttle or a per-user limit).
    pub throttled: bool,
}

/// One route.
#[derive(Debug)]
pub struct Route {
    pub method: Verb,
    /// Path with `{partner_id}`-style parameters (positive integer ids).
    pub path: &'static str,
    /// The OpenAPI `operationId` (a `PATCH` twin of a `PUT` gets `Patch`
    /// appended); tests name routes by it.
    pub name: &'static str,
    pub handler: Handler,
    pub guard: Guard,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// More for the OpenAPI document's description, before the generated
    /// part on who may call the route and the order of checks.
    pub about: &'static str,
    /// OpenAPI schema name of the JSON request body, if it takes one.
    pub body: Option<&'static str>,
    /// Largest body the route takes.
    pub body_limit: usize,
    /// OpenAPI schema name of `data` in the answer.
    pub reply: &'static str,
    /// Whether the answer is a paginated list of `reply`.
    pub list: bool,
    pub query: Query,
    pub extras: Extras,
}

/// Largest JSON body any route takes.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

const NO_EXTRAS: Extras = Extras {
    login: false,
    location: false,
    etag: false,
    if_match: false,
    conflict: false,
    throttled: false,
};

const fn route(
    method: Verb,
    path: &'static str,
    name: &'static str,
    handler: Handler,
    guard: Guard,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        name,
        handler,
        guard,
        summary,
        about: "",
        body: None,
        body_limit: JSON_BODY_LIMIT,
        reply: "Status",
        list: false,
        query: Query::None,
        extras: NO_EXTRAS,
    }
}

impl Route {
    const fn body(self, schema: &'static str) -> Route {
        Route {
            body: Some(schema),
            ..self
        }
    }
    const fn reply(self, schema: &'static str) -> Route {
        Route {
            reply: schema,
            ..self
        }
    }
    const fn about(self, about: &'static str) -> Route {
        Route { about, ..self }
    }
    const fn query(self, query: Query) -> Route {
        Route { query, ..self }
    }
    const fn list(self, schema: &'static str, query: Query) -> Route {
        Route {
            reply: schema,
            list: true,
            query,
            ..self
        }
    }
    const fn limit(self, body_limit: usize) -> Route {
        Route { body_limit, ..self }
    }
    const fn login(self) -> Route {
        let extras = Extras {
            login: true,
            throttled: true,
            ..self.extras
        };
        Route { extras, ..self }
    }
    const fn location(self) -> Route {
        let extras = Extras {
            location: true,
            ..self.extras
        };
        Route { extras, ..self }
    }
    const fn etag(self) -> Route {
        let extras = Extras {
            etag: true,
            ..self.extras
        };
        Route { extras, ..self }
    }
    const fn if_match(self) -> Route {
        let extras = Extras {
            if_match: true,
            ..self.extras
        };
        Route { extras, ..self }
    }
    const fn conflict(self) -> Route {
        let extras = Extras {
            conflict: true,
            ..self.extras
        };
        Route { extras, ..self }
    }
    const fn throttled(self) -> Route {
        let extras = Extras {
            throttled: true,
            ..self.extras
        };
        Route { extras, ..self }
    }
}

macro_rules! api {
    ($p:literal) => {
        concat!("/api/internal/v1", $p)
    };
}

/// Every route. Order does not matter: paths never overlap.
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    route(Verb::Get, "/livez", "Livez", handler!(health::livez), Guard::Public, "Liveness: the process serves").reply("Status").about("`200 {\"status\": \"ok\"}` while the process serves; touches nothing else."),
    route(Verb::Get, "/healthz", "Healthz", handler!(health::healthz), Guard::Public, "Health: the database answers").reply("Status").about("`200` when the database answers, else `503`."),
    route(Verb::Get, "/metrics", "Metrics", handler!(health::metrics), Guard::Admin, "Figures for a monitoring system, Prometheus text format").reply("Metrics").about("Prometheus text format: requests by route and status, latency by route, the writer's queue and commits, logins, open connections, database and WAL size. Also served without a token on `--metrics-addr`."),
    route(Verb::Get, "/api/openapi.json", "OpenApi", handler!(super::openapi_document), Guard::Public, "This OpenAPI document").reply("OpenApi"),
    route(Verb::Post, api!("/auth/login"), "Login", handler!(sessions::login), Guard::Public, "Log in and get a bearer token").body("Login").reply("Session").about("The token is shown once. After 5 failed attempts for one email from one client address within 60 s, every further attempt for it from there in that window is `429`, even with the right password; a success clears the count. The email is matched trimmed and ignoring case.").login(),
    route(Verb::Post, api!("/auth/logout"), "Logout", handler!(sessions::logout), Guard::User, "Revoke the token used").body("Empty").reply("Revoked").about("The token used stops working at once; the user's other tokens keep working."),
    route(Verb::Get, api!("/me"), "Me", handler!(sessions::me), Guard::User, "The signed-in user").reply("User"),
    route(Verb::Put, api!("/me/password"), "MePassword", handler!(accounts::change_own_password), Guard::User, "Change your own password").body("PasswordChange").reply("User").about("A wrong `current_password` is `422` and counts as a failed login for the throttle (`429` past it). Every other token of the user is revoked; the one used stays.").throttled(),
    route(Verb::Get, api!("/partners"), "PartnersList", handler!(partners::list), Guard::User, "Partners (an admin's: all; others': their own)").list("Partner", Query::Page).about("An admin sees every partner; any other user the partners it has access to."),
    route(Verb::Post, api!("/partners"), "PartnersCreate", handler!(partners::create), Guard::Admin, "Create a partner").body("PartnerCreate").reply("Partner").location(),
    route(Verb::Get, api!("/partners/{partner_id}"), "PartnersShow", handler!(partners::show), Guard::PartnerMember, "One partner").reply("Partner"),
    route(Verb::Put, api!("/partners/{partner_id}"), "PartnersUpdate", handler!(partners::update), Guard::Admin, "Update a partner").body("PartnerUpdate").reply("Partner").about("Changes only the fields given (`{}` changes nothing). `PATCH` is the same operation."),
    route(Verb::Patch, api!("/partners/{partner_id}"), "PartnersUpdate", handler!(partners::update), Guard::Admin, "Update a partner").body("PartnerUpdate").reply("Partner").about("The same as `PUT`: changes only the fields given."),
    route(Verb::Delete, api!("/partners/{partner_id}"), "PartnersDelete", handler!(partners::delete), Guard::Admin, "Delete a partner with no groups or customers").reply("Partner").about("A partner that still has groups or customers is `409`. Answers the partner as it was.").conflict(),
    route(Verb::Get, api!("/users/{user_id}"), "UsersShow", handler!(users::show), Guard::Admin, "One user").reply("User"),
    route(Verb::Put, api!("/users/{user_id}"), "UsersUpdateAccount", handler!(accounts::update_account), Guard::Admin, "Update a user: names, email, admin, disabled, password").body("UserUpdate").reply("User").about("Changes only the fields given (`{}` changes nothing). Disabling the user revokes every token of the user (a disabled user cannot log in); so does a new password, but for the token that set it when the user sets its own. The last enabled admin cannot be disabled or lose `is_admin` (`409`).").conflict(),
    route(Verb::Post, api!("/users/{user_id}/revoke-tokens"), "UsersRevokeTokens", handler!(accounts::revoke_tokens), Guard::Admin, "End every session of a user").body("Empty").reply("RevokedCount").about("Every token of the user stops working at once; answers how many there were."),
    route(Verb::Put, api!("/users/{user_id}/permissions"), "UsersSetPermissions", handler!(users::set_permissions), Guard::Admin, "Replace a user's permissions").body("UserPermissions").reply("User").about("Replaces the whole set; applies to the user's existing tokens at once. An unknown permission is `422`."),
    route(Verb::Put, api!("/users/{user_id}/partners"), "UsersSetPartners", handler!(users::set_partners), Guard::Admin, "Replace a user's partners").body("UserPartners").reply("User").about("Replaces the whole set; applies to the user's existing tokens at once. An unknown partner is `422`."),
    route(Verb::Get, api!("/partners/{partner_id}/users"), "PartnerUsersList", handler!(users::list_for_partner), Guard::Partner(UsersRead), "Users of a partner").list("UserSummary", Query::PageSearch).about("`search` looks in first name, last name and email."),
    route(Verb::Post, api!("/partners/{partner_id}/users"), "PartnerUsersCreate", handler!(users::create_for_partner), Guard::Partner(UsersCreate), "Create a user (or attach an existing one) for a partner").body("PartnerUserCreate").reply("User").about("Creates the user and attaches it to the partner; a user with that email already is attached (if it was not) and the name and password given are ignored. A user made here has no permissions until an admin grants them. `Location` is the user's `/api/internal/v1/users/{id}`.").location(),
    route(Verb::Get, api!("/partners/{partner_id}/users/{user_id}"), "PartnerUsersShow", handler!(accounts::show_for_partner), Guard::Partner(UsersRead), "One user of a partner").reply("User").about("A user not attached to the partner is `404`."),
    route(Verb::Put, api!("/partners/{partner_id}/users/{user_id}"), "PartnerUsersUpdate", handler!(accounts::update_for_partner), Guard::Partner(UsersUpdate), "Update a user of a partner: names, email, password").body("PartnerUserUpdate").reply("User").about("Changes only the fields given (`{}` changes nothing). A new password revokes every token of the user (but the one that set it, when the user sets its own). The email or password of a user who also works for another partner, or is an admin, only an admin or the user itself may change (`403`)."),
    route(Verb::Delete, api!("/partners/{partner_id}/users/{user_id}"), "PartnerUsersDetach", handler!(accounts::detach_from_partner), Guard::Partner(UsersDelete), "Take a user off a partner").reply("User").about("The user's tokens lose the partner at once; the user itself stays (for the audit trail). Answers the user as it now is."),
    route(Verb::Get, api!("/partners/{partner_id}/customers"), "CustomersList", handler!(customers::list), Guard::Partner(CustomersRead), "A partner's customers").list("Customer", Query::PageSearch).about("`search` looks in first name, last name and email."),
    route(Verb::Post, api!("/partners/{partner_id}/customers"), "CustomersCreate", handler!(customers::create), Guard::Partner(CustomersCreate), "Create a customer").body("CustomerCreate").reply("Customer").about("An email already used by a customer of the partner (ignoring case) is `422`.").location(),
    route(Verb::Get, api!("/partners/{partner_id}/customers/{customer_id}"), "CustomersShow", handler!(customers::show), Guard::Partner(CustomersRead), "One customer").reply("Customer"),
    route(Verb::Put, api!("/partners/{partner_id}/customers/{customer_id}"), "CustomersUpdate", handler!(customers::update), Guard::Partner(CustomersUpdate), "Update a customer").body("CustomerUpdate").reply("Customer").about("Changes only the fields given (`{}` changes nothing); `null` or an empty string clears `email` or `phone`. `PATCH` is the same operation."),
    route(Verb::Patch, api!("/partners/{partner_id}/customers/{customer_id}"), "CustomersUpdate", handler!(customers::update), Guard::Partner(CustomersUpdate), "Update a customer").body("CustomerUpdate").reply("Customer").about("The same as `PUT`: changes only the fields given."),
    route(Verb::Delete, api!("/partners/{partner_id}/customers/{customer_id}"), "CustomersDelete", handler!(customers::delete), Guard::Partner(CustomersDelete), "Delete a customer and its memberships").reply("Customer").about("Removes its memberships too. Answers the customer as it was."),
    route(Verb::Get, api!("/partners/{partner_id}/groups"), "GroupsList", handler!(groups::list), Guard::Partner(GroupsRead), "A partner's groups").list("Group", Query::PageSearch).about("`search` looks in the name."),
    route(Verb::Post, api!("/partners/{partner_id}/groups"), "GroupsCreate", handler!(groups::create), Guard::Partner(GroupsCreate), "Create a group").body("GroupCreate").reply("Group").about("A name already used by a group of the partner (ignoring case) is `422`.").location(),
    route(Verb::Get, api!("/partners/{partner_id}/groups/{group_id}"), "GroupsShow", handler!(groups::show), Guard::Partner(GroupsRead), "One group").reply("Group").about("The `ETag` changes on every change of the group, its `customers_count` included.").etag(),
    route(Verb::Put, api!("/partners/{partner_id}/groups/{group_id}"), "GroupsUpdate", handler!(groups::update), Guard::Partner(GroupsUpdate), "Update a group").body("GroupUpdate").reply("Group").about("Changes only the fields given (`{}` changes nothing). With `If-Match` that does not match the current `ETag`: `412`, nothing changed. `PATCH` is the same operation.").etag().if_match(),
    route(Verb::Patch, api!("/partners/{partner_id}/groups/{group_id}"), "GroupsUpdate", handler!(groups::update), Guard::Partner(GroupsUpdate), "Update a group").body("GroupUpdate").reply("Group").about("The same as `PUT`: changes only the fields given, `If-Match` as there.").etag().if_match(),
    route(Verb::Delete, api!("/partners/{partner_id}/groups/{group_id}"), "GroupsDelete", handler!(groups::delete), Guard::Partner(GroupsDelete), "Delete a group and its memberships").reply("Group").about("Deletes its memberships, never the customers. With `If-Match` that does not match: `412`, nothing changed. Answers the group as it was.").if_match(),
    route(Verb::Get, api!("/partners/{partner_id}/groups/{group_id}/customers"), "MembersList", handler!(members::list), Guard::Partner(GroupsRead), "A group's members").list("Member", Query::PageSearch).about("`search` looks in first name, last name and email."),
    route(Verb::Post, api!("/partners/{partner_id}/groups/{group_id}/customers"), "MembersAdd", handler!(members::add), Guard::Partner(GroupsUpdate), "Add a customer to a group").body("MemberAdd").reply("Member").about("Adding a member again answers the existing membership and changes nothing. A customer that is unknown or of another partner is `422` `errors.customer_id`. Creates no resource of its own: no `Location`."),
    route(Verb::Delete, api!("/partners/{partner_id}/groups/{group_id}/customers/{customer_id}"), "MembersRemove", handler!(members::remove), Guard::Partner(GroupsUpdate), "Remove a customer from a group").reply("Member").about("A customer that is not a member is `404`."),
    route(Verb::Post, api!("/partners/{partner_id}/groups/{group_id}/customers/batch"), "MembersBatch", handler!(members::batch), Guard::Partner(GroupsUpdate), "Add and remove many members at once, all or nothing").body("MembersBatch").reply("BatchResult").about("All or nothing: an id in `add` that is unknown or of another partner is `422` keyed `add.N` (N the 0-based position) and nothing changes. Adding a member again, or removing a non-member, is ignored."),
    route(Verb::Get, api!("/partners/{partner_id}/groups/{group_id}/customers/export"), "MembersExport", handler!(members::export), Guard::Partner(GroupsRead), "Every member as CSV (text/csv), streamed").reply("CsvExport").about("RFC 4180 CSV, in customer id order, streamed (not paginated). A user may run 2 exports at once (`429` past that).").throttled(),
    route(Verb::Post, api!("/partners/{partner_id}/customers/import"), "CustomersImport", handler!(imports::import), Guard::Partner(CustomersCreate), "Import customers from CSV (with group_id, also groups.update)").body("CsvImport").reply("ImportResult").query(Query::Import).about("All or nothing: an invalid row is `422` keyed `rows.N.field` (N the 1-based data row) and nothing is written. A row whose email matches an existing customer reuses it unchanged. With `group_id`, also needs `groups.update`; a group that is not the partner's is `422`.").limit(imports::IMPORT_LIMIT),
    route(Verb::Get, api!("/partners/{partner_id}/audit"), "AuditList", handler!(audit::list), Guard::Partner(AuditRead), "A partner's audit trail, newest first").list("AuditEntry", Query::Audit).about("Filter by `subject_type`, `subject_id`, `action` and `user_id`."),
    route(Verb::Get, api!("/audit"), "AuditAll", handler!(audit::list), Guard::Admin, "The audit trail of all partners, newest first").list("AuditEntry", Query::Audit).about("Filter by `subject_type`, `subject_id`, `action`, `user_id` and `partner_id`."),
];

/// What the router made of a method and path.
#[derive(Debug)]
pub enum Resolved {
    Found(&'static Route, Params),
    /// The path exists with other methods: the `Allow` header value.
    MethodNotAllowed(String),
    NotFound,
}

/// A positive i64 written in plain digits; anything else matches no route.
fn parse_id(segment: &str) -> Option<i64> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse::<i64>().ok().filter(|n| *n >= 1)
}

fn match_path(pattern: &[&str], path: &[&str]) -> Option<Params> {
    if pattern.len() != path.len() {
        return None;
    }
    let mut params = Params::default();
    for (want, got) in pattern.iter().zip(path) {
        if want.starts_with('{') {
            let id = parse_id(got)?;
            match *want {
                "{partner_id}" => params.partner = Some(PartnerId(id)),
                "{group_id}" => params.group = Some(GroupId(id)),
                "{customer_id}" => params.customer = Some(CustomerId(id)),
                "{user_id}" => params.user = Some(UserId(id)),
                _ => return None,
            }
        } else if want != got {
            return None;
        }
    }
    Some(params)
}

/// Each route's path split into segments once (profiling showed splitting
/// every pattern on every request as a fifth of a point read's work).
static PATTERNS: std::sync::LazyLock<Vec<Vec<&'static str>>> =
    std::sync::LazyLock::new(|| ROUTES.iter().map(|r| r.path.split('/').collect()).collect());

impl Route {
    /// The labels the metrics count this route's requests under.
    pub fn labels(&self) -> crate::metrics::RouteLabels {
        (self.method.as_str(), self.path)
    }
}

/// More segments than any route's path has (a test checks).
const MAX_SEGMENTS: usize = 12;

/// Finds the route for a request. HEAD is served as GET.
pub fn resolve(method: &Method, path: &str) -> Resolved {
    let wanted = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    // No route has more segments than this; a longer path is no route.
    let mut segments = [""; MAX_SEGMENTS];
    let mut count = 0;
    for segment in path.split('/') {
        if count == MAX_SEGMENTS {
            return Resolved::NotFound;
        }
        segments[count] = segment;
        count += 1;
    }
    let segments = &segments[..count];
    let mut allowed: Vec<&str> = Vec::new();
    for (route, pattern) in ROUTES.iter().zip(PATTERNS.iter()) {
        if let Some(params) = match_path(pattern, segments) {
            if route.method.as_str() == wanted.as_str() {
                return Resolved::Found(route, params);
            }
            allowed.push(route.method.as_str());
            if route.method == Verb::Get {
                allowed.push("HEAD");
            }
        }
    }
    if allowed.is_empty() {
        Resolved::NotFound
    } else {
        Resolved::MethodNotAllowed(allowed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_fits_the_segment_array() {
        for pattern in PATTERNS.iter() {
            assert!(pattern.len() < MAX_SEGMENTS, "{pattern:?}");
        }
        let deep = format!("/api/internal/v1/livez{}", "/x".repeat(MAX_SEGMENTS));
        assert!(matches!(resolve(&Method::GET, &deep), Resolved::NotFound));
    }

    #[test]
    fn ids_must_be_positive_plain_integers() {
        for bad in [
            "abc",
            "0",
            "-1",
            "1.5",
            "+1",
            "",
            "9223372036854775808",
            "1e3",
        ] {
            let path = format!("/api/internal/v1/partners/{bad}/groups");
            assert!(
                matches!(resolve(&Method::GET, &path), Resolved::NotFound),
                "{bad}"
            );
        }
        match resolve(
            &Method::GET,
            "/api/internal/v1/partners/9223372036854775807/groups/2",
        ) {
            Resolved::Found(r, p) => {
                assert_eq!(r.name, "GroupsShow");
                assert_eq!(p.partner, Some(PartnerId(i64::MAX)));
                assert_eq!(p.group, Some(GroupId(2)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_known_path_with_another_method_lists_the_allowed_ones() {
        match resolve(&Method::POST, "/api/internal/v1/partners/1/groups/2") {
            Resolved::MethodNotAllowed(allow) => assert_eq!(allow, "GET, HEAD, PUT, PATCH, DELETE"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_two_routes_share_method_and_path() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {}",
                    a.method.as_str(),
                    a.path
                );
            }
        }
    }
}
