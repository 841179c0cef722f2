//! `/partners/:partner_id/groups/:group_id/customers...`: a group's
//! members, one at a time, in batches, and as a CSV export.

use super::auth::Principal;
use super::error::{ApiError, FieldErrors};
use super::groups::ids;
use super::request::Request;
use super::{pagination, reply, Ctx};
use crate::clock;
use crate::db::{self, audit, CustomerId, GroupId, PartnerId};
use bytes::Bytes;
use serde_json::json;
use warp::http::{header, HeaderValue, Response};
use warp::hyper::Body;

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
    let who = ctx.authorize(&req).await?.user_id;
    let mut input = req.json()?;
    let customer = input.id("customer_id");
    input.finish()?;
    let customer = CustomerId(customer.ok_or_else(|| ApiError::internal("validated id missing"))?);
    let member = ctx
        .writer
        .write(move |c| {
            if !db::groups::exists(c, partner, id)? {
                return Err(ApiError::NotFound);
            }
            let now = clock::now_rfc3339();
            let (member, added) = db::groups::add_member(c, partner, id, customer, &now)?;
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
    let who = ctx.authorize(&req).await?.user_id;
    let member = ctx
        .writer
        .write(move |c| {
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
    let who: Principal = ctx.authorize(&req).await?;
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
    let user = who.user_id;
    let result = ctx
        .writer
        .write(move |c| {
            if !db::groups::exists(c, partner, id)? {
                return Err(ApiError::NotFound);
            }
            apply_batch(c, partner, id, &add, &remove, user)
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
            unknown.add(
                format!("add.{i}"),
                format!("The selected add.{i} is invalid."),
            );
        }
    }
    unknown.into_result()?;
    let now = clock::now_rfc3339();
    let mut added = Vec::new();
    for customer in add {
        if db::groups::add_member(c, partner, group, CustomerId(*customer), &now)?.1 {
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

/// Rows per read while exporting; each chunk is its own short read, so a
/// slow client holds no connection and memory stays flat.
const EXPORT_CHUNK: i64 = 500;

/// GET /partners/:partner_id/groups/:group_id/customers/export: every member
/// as CSV, streamed in customer id order.
pub async fn export(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (_, id) = ids(&req)?;
    ctx.authorize(&req).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    let pool = ctx.pool.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = write_export(&pool, id, &tx) {
            // The status line is sent; all that is left is to break the
            // body so the client does not take a partial file for a whole.
            tracing::warn!("export of group {id} failed: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut response = Response::new(Body::wrap_stream(stream));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"group-{id}-members.csv\""))
    {
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

type ExportError = Box<dyn std::error::Error + Send + Sync>;
/// id, first name, last name, email, phone, added at.
type ExportRow = (i64, String, String, Option<String>, Option<String>, String);

fn write_export(
    pool: &db::Pool,
    group: GroupId,
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), ExportError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "added_at",
    ])?;
    let mut after = 0i64;
    loop {
        let rows: Vec<ExportRow> = {
            let c = pool.get()?;
            let mut stmt = c.prepare_cached(
                "SELECT c.id, c.first_name, c.last_name, c.email, c.phone, m.added_at
                 FROM group_customers m JOIN customers c ON c.id = m.customer_id
                 WHERE m.group_id = ?1 AND m.customer_id > ?2 ORDER BY m.customer_id LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(rusqlite::params![group, after, EXPORT_CHUNK], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        for (id, first, last, email, phone, added_at) in &rows {
            out.write_record([
                id.to_string().as_str(),
                &neutralise(first),
                &neutralise(last),
                &neutralise(email.as_deref().unwrap_or("")),
                &neutralise(phone.as_deref().unwrap_or("")),
                added_at,
            ])?;
        }
        let done = (rows.len() as i64) < EXPORT_CHUNK;
        after = rows.last().map_or(after, |r| r.0);
        let chunk =
            std::mem::replace(&mut out, csv::Writer::from_writer(Vec::new())).into_inner()?;
        if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
            return Ok(()); // the client went away
        }
        if done {
            return Ok(());
        }
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
