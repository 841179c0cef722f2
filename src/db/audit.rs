//! The audit trail: append an entry in the same transaction as the change
//! it describes, and list entries newest first. The table's triggers refuse
//! any update or delete.

use super::{PartnerId, Slice, UserId};
use rusqlite::{params_from_iter, types::Value as Sql, Connection, Row};
use serde::Serialize;
use serde_json::{Map, Value};

/// An entry as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub partner_id: Option<PartnerId>,
    pub user_id: Option<UserId>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub changes: Value,
    pub created_at: String,
}

/// What a change appends.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub partner: Option<PartnerId>,
    /// `None` for the command line.
    pub user: Option<UserId>,
    pub action: &'static str,
    pub subject_type: &'static str,
    pub subject_id: Option<i64>,
    pub changes: Value,
}

/// Appends an entry; call inside the transaction of the change.
pub fn append(c: &Connection, e: &NewEntry, now: &str) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO audit (partner_id, user_id, action, subject_type, subject_id, changes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        e.partner,
        e.user,
        e.action,
        e.subject_type,
        e.subject_id,
        e.changes.to_string(),
        now
    ])
    .map(|_| ())
}

/// Fields that say nothing about what changed.
const NOT_CHANGES: [&str; 5] = [
    "id",
    "partner_id",
    "created_at",
    "updated_at",
    "customers_count",
];

fn fields<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(k, _)| !NOT_CHANGES.contains(&k.as_str()))
            .collect(),
        _ => Map::new(),
    }
}

/// `{field: [null, new]}` for a created resource (fields left empty are no
/// change).
pub fn created<T: Serialize>(value: &T) -> Value {
    fields(value)
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k, Value::Array(vec![Value::Null, v])))
        .collect::<Map<_, _>>()
        .into()
}

/// `{field: [old, null]}` for a deleted resource (fields that were empty
/// are no change).
pub fn deleted<T: Serialize>(value: &T) -> Value {
    fields(value)
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k, Value::Array(vec![v, Value::Null])))
        .collect::<Map<_, _>>()
        .into()
}

/// `{field: [old, new]}` for the fields that differ; `None` if none do.
pub fn updated<T: Serialize>(old: &T, new: &T) -> Option<Value> {
    let old = fields(old);
    let changes: Map<String, Value> = fields(new)
        .into_iter()
        .filter_map(|(k, v)| {
            let before = old.get(&k).cloned().unwrap_or(Value::Null);
            (before != v).then(|| (k, Value::Array(vec![before, v])))
        })
        .collect();
    (!changes.is_empty()).then(|| changes.into())
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub partner: Option<PartnerId>,
    pub subject_type: Option<String>,
    pub subject_id: Option<i64>,
    pub action: Option<String>,
    pub user_id: Option<i64>,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let changes: String = r.get(6)?;
    Ok(Entry {
        id: r.get(0)?,
        partner_id: r.get(1)?,
        user_id: r.get(2)?,
        action: r.get(3)?,
        subject_type: r.get(4)?,
        subject_id: r.get(5)?,
        changes: serde_json::from_str(&changes).unwrap_or(Value::Null),
        created_at: r.get(7)?,
    })
}

/// A page of entries matching the filter, newest first, and the total.
pub fn list(c: &Connection, f: &Filter, slice: &Slice) -> rusqlite::Result<(Vec<Entry>, i64)> {
    // Only the filters given go into the SQL, so each combination is its
    // own cached statement that can use the indexes.
    let mut clauses = Vec::new();
    let mut args: Vec<Sql> = Vec::new();
    let mut add = |clause: &str, value: Sql| {
        args.push(value);
        clauses.push(format!("{clause} = ?{}", args.len()));
    };
    if let Some(p) = f.partner {
        add("partner_id", Sql::Integer(p.0));
    }
    if let Some(t) = &f.subject_type {
        add("subject_type", Sql::Text(t.clone()));
    }
    if let Some(id) = f.subject_id {
        add("subject_id", Sql::Integer(id));
    }
    if let Some(a) = &f.action {
        add("action", Sql::Text(a.clone()));
    }
    if let Some(u) = f.user_id {
        add("user_id", Sql::Integer(u));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let total: i64 = c
        .prepare_cached(&format!("SELECT count(*) FROM audit {filter}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    let n = args.len();
    args.push(Sql::Integer(slice.per_page));
    args.push(Sql::Integer(slice.offset()));
    let rows = c
        .prepare_cached(&format!(
            "SELECT id, partner_id, user_id, action, subject_type, subject_id, changes, created_at
             FROM audit {filter} ORDER BY id DESC LIMIT ?{} OFFSET ?{}",
            n + 1,
            n + 2
        ))?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// Who made a change, and for which partner: what every entry a request
/// appends has in common.
#[derive(Debug, Clone, Copy)]
pub struct By {
    /// `None` for changes outside a partner.
    pub partner: Option<PartnerId>,
    /// `None` for the command line.
    pub user: Option<UserId>,
}

impl By {
    /// A partner's user.
    pub fn user(partner: PartnerId, user: UserId) -> By {
        By {
            partner: Some(partner),
            user: Some(user),
        }
    }

    /// The command line (no user), for a partner or none.
    pub fn command_line(partner: Option<PartnerId>) -> By {
        By {
            partner,
            user: None,
        }
    }

    /// A user's change outside any partner (permissions, partners).
    pub fn admin(user: UserId) -> By {
        By {
            partner: None,
            user: Some(user),
        }
    }

    /// Appends the entry for one change of one subject.
    pub fn record(
        self,
        c: &Connection,
        action: &'static str,
        subject: (&'static str, i64),
        changes: Value,
        now: &str,
    ) -> rusqlite::Result<()> {
        append(
            c,
            &NewEntry {
                partner: self.partner,
                user: self.user,
                action,
                subject_type: subject.0,
                subject_id: Some(subject.1),
                changes,
            },
            now,
        )
    }
}
