//! `/partners/:partner_id/groups/:group_id/customers...`: a group's
//! members, one at a time, in batches, and as a CSV export.

use super::auth::Check;
use super::error::{ApiError, FieldErrors};
use super::groups::ids;
use super::request::Request;
use super::{pagination, reply, Ctx};
use crate::clock;
use crate::db::{self, audit, CustomerId, GroupId, PartnerId, UserId};
use bytes::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use warp::http::{header, HeaderValue, Response};
use warp::hyper::Body;

/// The 422 for a customer that is not the partner's (or does not exist).
pub fn unknown_customer() -> ApiError {
    ApiError::invalid("customer_id", "The selected customer id is invalid.")
}

/// Most ids one batch may name.
pub const BATCH_LIMIT: usize = 1000;

/// GET /partners/:partner_id/groups/:group_id/customers
pub async fn list(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let slice = pagination::slice(&req);
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, _| {
            let slice = slice?;
            let page = db::groups::members(c, partner, id, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(ctx, &req, &slice, &rows, total))
}

/// POST /partners/:partner_id/groups/:group_id/customers: adding a member
/// again answers the existing membership and changes nothing.
pub async fn add(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let mut input = req.json()?;
    let customer = input.id("customer_id");
    input.finish()?;
    let customer = CustomerId(customer.ok_or_else(|| ApiError::internal("validated id missing"))?);
    let member = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let now = clock::now_rfc3339();
            let (member, added) = db::groups::add_member(c, partner, id, customer, &now)?
                .ok_or_else(unknown_customer)?;
            if added {
                let changes = json!({"customer_id": [null, customer]});
                audit::By::user(partner, who).record(
                    c,
                    "group.member_added",
                    ("group", id.0),
                    changes,
                    &now,
                )?;
            }
            Ok(member)
        })
        .await?;
    Ok(reply::data(&member))
}

/// DELETE /partners/:partner_id/groups/:group_id/customers/:customer_id
pub async fn remove(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let customer = req.params.customer.ok_or(ApiError::NotFound)?;
    let member = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let member = db::groups::member(c, partner, id, customer)?.ok_or(ApiError::NotFound)?;
            db::groups::remove_member(c, id, customer)?;
            let now = clock::now_rfc3339();
            let changes = json!({"customer_id": [customer, null]});
            audit::By::user(partner, who).record(
                c,
                "group.member_removed",
                ("group", id.0),
                changes,
                &now,
            )?;
            Ok(member)
        })
        .await?;
    Ok(reply::data(&member))
}

/// POST /partners/:partner_id/groups/:group_id/customers/batch: adds and
/// removes many members at once, all or nothing.
pub async fn batch(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let mut input = req.json()?;
    let add = input.optional_ids("add");
    let remove = input.optional_ids("remove");
    let named = add.as_ref().map_or(0, Vec::len) + remove.as_ref().map_or(0, Vec::len);
    if named == 0 && !input.errors.has("add") && !input.errors.has("remove") {
        input.errors.add(
            "add",
            "The add field is required when remove is not present.",
        );
    } else if named > BATCH_LIMIT {
        let field = if add.as_ref().is_some_and(|a| !a.is_empty()) {
            "add"
        } else {
            "remove"
        };
        input.errors.add(
            field,
            format!("The batch must not name more than {BATCH_LIMIT} customers."),
        );
    }
    input.finish()?;
    let (add, remove) = (add.unwrap_or_default(), remove.unwrap_or_default());
    let result = ctx
        .write(&req, move |c, who| {
            apply_batch(c, partner, id, &add, &remove, who.user_id)
        })
        .await?;
    Ok(reply::data(&result))
}

fn apply_batch(
    c: &rusqlite::Connection,
    partner: PartnerId,
    group: GroupId,
    add: &[i64],
    remove: &[i64],
    user: db::UserId,
) -> Result<serde_json::Value, ApiError> {
    let mut unknown = FieldErrors::default();
    for (i, customer) in add.iter().enumerate() {
        if !db::customers::exists(c, partner, CustomerId(*customer))? {
            unknown.add_new(
                || format!("add.{i}"),
                || format!("The selected add.{i} is invalid."),
            );
        }
    }
    unknown.into_result()?;
    let now = clock::now_rfc3339();
    let mut added = Vec::new();
    for customer in add {
        if db::groups::add_member(c, partner, group, CustomerId(*customer), &now)?
            .ok_or_else(unknown_customer)?
            .1
        {
            added.push(*customer);
        }
    }
    let mut removed = Vec::new();
    for customer in remove {
        if db::groups::remove_member(c, group, CustomerId(*customer))? {
            removed.push(*customer);
        }
    }
    let count = db::groups::find(c, partner, group)?
        .ok_or(ApiError::NotFound)?
        .customers_count;
    if !added.is_empty() || !removed.is_empty() {
        let changes = json!({"added": added, "removed": removed});
        audit::By::user(partner, user).record(
            c,
            "group.members_batch",
            ("group", group.0),
            changes,
            &now,
        )?;
    }
    Ok(json!({"added": added.len(), "removed": removed.len(), "customers_count": count}))
}

/// Rows per read while exporting. Each chunk is its own short read on a
/// blocking thread, made only when the client has taken the one before:
/// no thread, connection or memory is held while a slow client reads.
const EXPORT_CHUNK: i64 = 500;

/// How long a user over their export limit is asked to wait.
const EXPORT_RETRY_AFTER_SECS: u64 = 5;

/// CSV exports streaming now: bounded for the server (`503` past it) and
/// for each user (`429` past it).
pub struct Exports {
    running: Arc<Mutex<Running>>,
    max: usize,
    per_user: usize,
}

#[derive(Default)]
struct Running {
    total: usize,
    by_user: HashMap<UserId, usize>,
}

/// One running export's place; given back when its stream is dropped
/// (finished, cut off, or the client gone).
pub struct ExportSlot {
    running: Arc<Mutex<Running>>,
    user: UserId,
}

impl Exports {
    /// At most `max` exports at once, `per_user` of them for one user.
    pub fn new(max: usize, per_user: usize) -> Exports {
        Exports {
            running: Arc::default(),
            max,
            per_user,
        }
    }

    fn begin(&self, user: UserId) -> Result<ExportSlot, ApiError> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let mine = running.by_user.get(&user).copied().unwrap_or(0);
        if mine >= self.per_user {
            return Err(ApiError::TooManyAttempts(EXPORT_RETRY_AFTER_SECS));
        }
        if running.total >= self.max {
            return Err(ApiError::Unavailable);
        }
        running.total += 1;
        *running.by_user.entry(user).or_default() += 1;
        Ok(ExportSlot {
            running: self.running.clone(),
            user,
        })
    }
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.total -= 1;
        if let Some(n) = running.by_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                running.by_user.remove(&self.user);
            }
        }
    }
}

/// GET /partners/:partner_id/groups/:group_id/customers/export: every member
/// as CSV, streamed in customer id order.
pub async fn export(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, group) = ids(&req)?;
    let user = ctx.read(&req, |_, who| Ok(who.user_id)).await?;
    let export = Export {
        pool: ctx.pool.clone(),
        check: req.check(),
        partner,
        group,
        after: 0,
        first: true,
        done: false,
        _slot: ctx.exports.begin(user)?,
    };
    let stream = futures_util::stream::unfold(export, move |mut export| async move {
        if export.done {
            return None;
        }
        match export.next_chunk().await {
            Ok(bytes) => Some((Ok::<_, std::io::Error>(bytes), export)),
            Err(e) => {
                // The status line is sent; all that is left is to break the
                // body so the client does not take a partial file for a whole.
                if let ApiError::Internal(detail) = &e {
                    tracing::warn!("export of group {group} failed: {detail}");
                }
                export.done = true;
                Some((Err(std::io::Error::other(e.to_string())), export))
            }
        }
    });
    let mut response = Response::new(Body::wrap_stream(stream));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"group-{group}-members.csv\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A cell a spreadsheet could run as a formula gets a leading `'`.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// An export in progress.
struct Export {
    pool: db::Pool,
    /// The request's authorization, checked again in every chunk's read:
    /// a revoked or expired token, lost access or a deleted group ends the
    /// stream.
    check: Check,
    partner: PartnerId,
    group: GroupId,
    /// The last customer id sent.
    after: i64,
    first: bool,
    done: bool,
    _slot: ExportSlot,
}

impl Export {
    /// The next chunk of CSV (the header row first), read under the
    /// partner and group of the path.
    async fn next_chunk(&mut self) -> Result<Bytes, ApiError> {
        let (check, partner, group, after, first) = (
            self.check.clone(),
            self.partner,
            self.group,
            self.after,
            self.first,
        );
        let (bytes, last, done) = db::read(&self.pool, move |c| {
            check.run(c)?;
            let rows = db::groups::export_chunk(c, partner, group, after, EXPORT_CHUNK)?;
            let mut out = csv::Writer::from_writer(Vec::new());
            let csv = |e: csv::Error| ApiError::internal(format!("csv: {e}"));
            if first {
                out.write_record([
                    "id",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "added_at",
                ])
                .map_err(csv)?;
            }
            for r in &rows {
                let m = &r.customer;
                out.write_record([
                    m.id.to_string().as_str(),
                    &neutralise(&m.first_name),
                    &neutralise(&m.last_name),
                    &neutralise(m.email.as_deref().unwrap_or("")),
                    &neutralise(m.phone.as_deref().unwrap_or("")),
                    &r.added_at,
                ])
                .map_err(csv)?;
            }
            let done = (rows.len() as i64) < EXPORT_CHUNK;
            let last = rows.last().map_or(after, |r| r.customer.id.0);
            let bytes = out
                .into_inner()
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok::<_, ApiError>((Bytes::from(bytes), last, done))
        })
        .await?;
        self.after = last;
        self.first = false;
        self.done = done;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_get_a_quote() {
        for cell in ["=1+1", "+43 660", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        assert_eq!(neutralise("Anna"), "Anna");
        assert_eq!(neutralise(""), "");
    }
}
