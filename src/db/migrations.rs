//! Brings a database file to the schema this binary was built with.
//!
//! `schema.sql` is a sequence of versions separated by `-- version: N`
//! lines. A file at `PRAGMA user_version` = k gets every version above k,
//! each in its own transaction together with the new `user_version`, so a
//! crash mid-migration leaves the file at a whole version.

use rusqlite::Connection;

/// The schema, embedded at build time.
pub const SCHEMA: &str = include_str!("../../schema.sql");

/// The versions in `schema.sql`, in order: (version, statements). A
/// version starts at a line that is exactly `-- version: N`.
pub fn versions() -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for line in SCHEMA.lines() {
        if let Some(v) = line.strip_prefix("-- version: ") {
            let version = v
                .trim()
                .parse()
                .expect("schema.sql: `-- version: N` needs a number");
            out.push((version, String::new()));
        } else if let Some((_, sql)) = out.last_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    out
}

/// The version this binary expects.
pub fn latest() -> i64 {
    versions().last().map_or(0, |(v, _)| *v)
}

/// Applies every version above the file's own. Refuses a file from a newer
/// binary rather than guess what its schema means.
pub fn apply(conn: &mut Connection) -> Result<(), String> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let latest = latest();
    if current > latest {
        return Err(format!(
            "the database is at schema version {current}, newer than this binary's {latest}; use a newer venue-groups"
        ));
    }
    if current == latest {
        return Ok(());
    }
    // A version may rebuild a table (drop it, rename a copy into its
    // place); with foreign keys on, the drop would cascade into the rows
    // that point at it. The pragma cannot change inside a transaction, so
    // it is off around them, and each version checks every foreign key
    // before it commits.
    let fk: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(|e| e.to_string())?;
    let result = versions()
        .into_iter()
        .filter(|(v, _)| *v > current)
        .try_for_each(|(version, sql)| {
            apply_version(conn, version, &sql)
                .map_err(|e| format!("migrating to schema version {version}: {e}"))
        });
    if fk {
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(|e| e.to_string())?;
    }
    result
}

fn apply_version(conn: &mut Connection, version: i64, sql: &str) -> Result<(), String> {
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    tx.execute_batch(sql).map_err(|e| e.to_string())?;
    let broken: i64 = tx
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(|e| e.to_string())?;
    if broken > 0 {
        return Err(format!("{broken} rows would break a foreign key"));
    }
    tx.execute_batch(&format!("PRAGMA user_version = {version}"))
        .map_err(|e| e.to_string())?;
    // From version 7 on, a version that changes searched rows leaves their
    // index changes queued, like any other write.
    let queues: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'search_changes')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if queues {
        super::search::flush(&tx).map_err(|e| e.to_string())?;
    }
    tx.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_numbered_one_up_from_one() {
        let versions = versions();
        assert!(!versions.is_empty());
        for (i, (v, sql)) in versions.iter().enumerate() {
            assert_eq!(*v, i as i64 + 1);
            assert!(sql.contains("CREATE"), "version {v} is empty");
        }
    }

    #[test]
    fn applying_twice_is_a_no_op_and_sets_user_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest());
    }

    #[test]
    fn a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        assert!(apply(&mut conn).unwrap_err().contains("newer"));
    }
}
