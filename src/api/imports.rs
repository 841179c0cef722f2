//! `POST /partners/:partner_id/customers/import`: customers from a CSV file,
//! validated row by row with the rules of `POST /customers`, written all or
//! nothing in one transaction.

use super::customers::{read_fields, EMAIL_TAKEN};
use super::error::{ApiError, FieldErrors, OnUnique};
use super::members::unknown_customer;
use super::request::{Body as RequestBody, Request};
use super::validate::Input;
use super::{reply, Ctx};
use crate::clock;
use crate::db::{self, audit, customers::Fields, CustomerId, GroupId, PartnerId};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use warp::http::{header, Response};
use warp::hyper::Body;

/// Largest file the import takes.
pub const IMPORT_LIMIT: usize = 5 * 1024 * 1024;

const COLUMNS: [&str; 4] = ["first_name", "last_name", "email", "phone"];

#[derive(Debug, Serialize)]
struct Outcome {
    created: usize,
    matched: usize,
    added_to_group: usize,
    dry_run: bool,
}

/// POST /partners/:partner_id/customers/import[?group_id=&dry_run=true]
pub async fn import(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    // The token, permissions (groups.update with a group_id) and partner
    // were checked before the body was read (`api::serve`).
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let (group, dry_run) = options(&req)?;
    let bytes = csv_body(&req)?;
    // Parsing and validating up to 5 MB is CPU work: off the runtime.
    let rows = tokio::task::spawn_blocking(move || parse(&bytes))
        .await
        .map_err(ApiError::internal)??;
    let outcome = if dry_run {
        ctx.read(&req, move |c, _| {
            check_group(c, partner, group)?;
            plan(c, partner, group, &rows).map(|(created, matched, added)| Outcome {
                created,
                matched,
                added_to_group: added,
                dry_run: true,
            })
        })
        .await?
    } else {
        ctx.write(&req, move |c, who| {
            check_group(c, partner, group)?;
            write(c, partner, group, &rows, who.user_id)
        })
        .await?
    };
    Ok(reply::data(&outcome))
}

/// `group_id` and `dry_run` from the query string.
fn options(req: &Request) -> Result<(Option<GroupId>, bool), ApiError> {
    let mut errors = FieldErrors::default();
    let (mut group, mut dry_run) = (None, false);
    for (name, value) in req.query_pairs() {
        match name.as_str() {
            "group_id" => match value.trim().parse::<i64>() {
                Ok(n) if n >= 1 => group = Some(GroupId(n)),
                _ => errors.add("group_id", "The group id field must be an integer."),
            },
            "dry_run" => match value.trim() {
                "true" | "1" => dry_run = true,
                "false" | "0" | "" => dry_run = false,
                _ => errors.add("dry_run", "The dry run field must be true or false."),
            },
            _ => {}
        }
    }
    errors.into_result()?;
    Ok((group, dry_run))
}

fn check_group(
    c: &rusqlite::Connection,
    partner: PartnerId,
    group: Option<GroupId>,
) -> Result<(), ApiError> {
    match group {
        Some(g) if !db::groups::exists(c, partner, g)? => Err(ApiError::invalid(
            "group_id",
            "The selected group id is invalid.",
        )),
        _ => Ok(()),
    }
}

/// The body, checked for size and content type.
fn csv_body(req: &Request) -> Result<Bytes, ApiError> {
    let bytes = match &req.body {
        RequestBody::TooLarge => return Err(ApiError::PayloadTooLarge),
        RequestBody::TimedOut => return Err(ApiError::RequestTimeout),
        RequestBody::OverBudget => return Err(ApiError::Unavailable),
        RequestBody::Empty => Bytes::new(),
        RequestBody::Bytes(b) => b.clone(),
    };
    let is_csv = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|t| t == "text/csv" || t == "application/csv");
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType);
    }
    Ok(bytes)
}

/// The file's rows as validated customer fields.
fn parse(bytes: &[u8]) -> Result<Vec<Fields>, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::invalid("file", "The file must be UTF-8 text."))?;
    let header_line = text.lines().next().unwrap_or("");
    // German-speaking spreadsheets write `;`; the header row tells which.
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns = header(&mut reader)?;
    let mut rows = Vec::new();
    let mut errors = FieldErrors::default();
    let mut emails = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let n = i + 1;
        let record = record.map_err(|e| {
            ApiError::invalid(format!("rows.{n}"), format!("The row cannot be read: {e}"))
        })?;
        if record.len() != columns.len() && !(record.len() == 1 && record[0].trim().is_empty()) {
            errors.add_new(
                || format!("rows.{n}"),
                || {
                    format!(
                        "The row has {} cells; the header has {}.",
                        record.len(),
                        columns.len()
                    )
                },
            );
            continue;
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue; // a blank line, as spreadsheets leave at the end
        }
        let map: Map<String, Value> = columns
            .iter()
            .zip(record.iter())
            .map(|(name, cell)| (name.to_string(), Value::String(cell.to_string())))
            .collect();
        let mut input = Input::new(map);
        let fields = read_fields(&mut input);
        for (field, messages) in input.errors.entries() {
            for m in messages {
                errors.add_new(
                    || format!("rows.{n}.{field}"),
                    || {
                        m.replace(
                            &format!("The {} field", field.replace('_', " ")),
                            &format!("The rows.{n}.{field} field"),
                        )
                    },
                );
            }
        }
        if let Some(fields) = fields {
            if let Some(email) = &fields.email {
                if !emails.insert(db::fold(email)) {
                    errors.add_new(
                        || format!("rows.{n}.email"),
                        || format!("The rows.{n}.email field has a duplicate value."),
                    );
                }
            }
            rows.push(fields);
        }
    }
    errors.into_result()?;
    Ok(rows)
}

/// The header's column names, checked.
fn header(reader: &mut csv::Reader<&[u8]>) -> Result<Vec<&'static str>, ApiError> {
    let names = reader
        .headers()
        .map_err(|e| ApiError::invalid("header", format!("The header row cannot be read: {e}")))?
        .clone();
    let mut errors = FieldErrors::default();
    let mut columns = Vec::new();
    for name in names.iter() {
        let name = name.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if columns.contains(c) => {
                errors.add("header", format!("The column {c} appears twice."))
            }
            Some(c) => columns.push(*c),
            None => errors.add(
                "header",
                format!(
                    "The column {:?} is not one of {}.",
                    super::validate::echo(&name),
                    COLUMNS.join(", ")
                ),
            ),
        }
    }
    for required in ["first_name", "last_name"] {
        if !columns.contains(&required) {
            errors.add("header", format!("The column {required} is missing."));
        }
    }
    errors.into_result()?;
    Ok(columns)
}

/// What an import would do: (created, matched, added to the group).
fn plan(
    c: &rusqlite::Connection,
    partner: PartnerId,
    group: Option<GroupId>,
    rows: &[Fields],
) -> Result<(usize, usize, usize), ApiError> {
    let (mut created, mut matched, mut added) = (0, 0, 0);
    for row in rows {
        match existing(c, partner, row)? {
            Some(id) => {
                matched += 1;
                if let Some(g) = group {
                    added += usize::from(db::groups::member(c, partner, g, id)?.is_none());
                }
            }
            None => {
                created += 1;
                added += usize::from(group.is_some());
            }
        }
    }
    Ok((created, matched, added))
}

fn existing(
    c: &rusqlite::Connection,
    partner: PartnerId,
    row: &Fields,
) -> Result<Option<CustomerId>, ApiError> {
    Ok(match &row.email {
        Some(email) => db::customers::find_by_email(c, partner, email)?,
        None => None,
    })
}

fn write(
    c: &rusqlite::Connection,
    partner: PartnerId,
    group: Option<GroupId>,
    rows: &[Fields],
    user: db::UserId,
) -> Result<Outcome, ApiError> {
    let now = clock::now_rfc3339();
    let (mut created, mut matched, mut added) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        let id = match existing(c, partner, row)? {
            Some(id) => {
                matched.push(id);
                id
            }
            None => {
                let id = db::customers::create(c, partner, row, &now)
                    .on_unique(db::customers::EMAIL_KEY, "email", EMAIL_TAKEN)?
                    .id;
                created.push(id);
                id
            }
        };
        if let Some(g) = group {
            if db::groups::add_member(c, partner, g, id, &now)?
                .ok_or_else(unknown_customer)?
                .1
            {
                added.push(id);
            }
        }
    }
    // A file that only matched existing customers (already members) changed
    // nothing: like a batch that changed nothing, it leaves no entry.
    if !created.is_empty() || !added.is_empty() {
        let changes = json!({"created": created, "matched": matched, "added_to_group": added, "group_id": group});
        audit::append(
            c,
            &audit::NewEntry {
                partner: Some(partner),
                user: Some(user),
                action: "customers.imported",
                subject_type: "customer",
                subject_id: None,
                changes,
            },
            &now,
        )?;
    }
    Ok(Outcome {
        created: created.len(),
        matched: matched.len(),
        added_to_group: added.len(),
        dry_run: false,
    })
}
