//! The one storage error: what a query or a write job can fail with, in
//! storage's terms. What each means to a client (a 422 on which field, a
//! 409, a 503) is the caller's to decide; storage names no status.

/// Everything storage fails with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A UNIQUE constraint refused the row; carries the key, e.g.
    /// `groups.name_key` (see [`unique`]).
    #[error("unique constraint failed: {0}")]
    Unique(&'static str),
    /// A `RESTRICT` foreign key refused the change: other rows still refer
    /// to the row.
    #[error("other rows still refer to it")]
    Conflict,
    /// The write could not be committed now (disk full, read-only, an I/O
    /// error): worth retrying later.
    #[error("the database cannot take writes now")]
    Unavailable,
    /// Something that should not happen (a row just written is gone, the
    /// writer has stopped).
    #[error("{0}")]
    Internal(&'static str),
    /// Any other SQLite error (see [`super::is_unavailable`]).
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// No read connection could be had.
    #[error("no database connection: {0}")]
    Pool(#[from] r2d2::Error),
}

/// Storage's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// [`Error::Unique`] when `e` is a UNIQUE violation on `key`, else the
/// SQLite error as it is.
pub fn unique(e: rusqlite::Error, key: &'static str) -> Error {
    if super::is_unique_violation(&e, key) {
        Error::Unique(key)
    } else {
        Error::Sqlite(e)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{customers, groups, open_writer_connection, partners, PartnerId};
    use super::*;

    /// Storage on its own: a migrated file, no server, no HTTP types.
    fn storage() -> (tempfile::TempDir, rusqlite::Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_writer_connection(&dir.path().join("db.sqlite")).unwrap();
        (dir, conn)
    }

    #[test]
    fn a_duplicate_name_or_email_is_a_unique_violation_on_its_key() {
        let (_dir, c) = storage();
        let now = "2026-12-01T08:00:00Z";
        let p = partners::create(&c, "Hall", now).unwrap().id;
        groups::create(&c, p, "Juniors", None, now).unwrap();
        let again = groups::create(&c, p, "JUNIORS", None, now);
        assert!(
            matches!(again, Err(Error::Unique(groups::NAME_KEY))),
            "{again:?}"
        );
        let anna = customers::Fields {
            first_name: "Anna".into(),
            last_name: "Berger".into(),
            email: Some("anna@example.com".into()),
            phone: None,
        };
        customers::create(&c, p, &anna, now).unwrap();
        let twin = customers::create(&c, p, &anna, now);
        assert!(
            matches!(twin, Err(Error::Unique(customers::EMAIL_KEY))),
            "{twin:?}"
        );
    }

    #[test]
    fn deleting_a_partner_that_still_has_groups_is_a_conflict() {
        let (_dir, c) = storage();
        let now = "2026-12-01T08:00:00Z";
        let p = partners::create(&c, "Hall", now).unwrap().id;
        groups::create(&c, p, "Juniors", None, now).unwrap();
        assert!(matches!(partners::delete(&c, p), Err(Error::Conflict)));
        assert!(!partners::delete(&c, PartnerId(p.0 + 1)).unwrap());
    }
}
