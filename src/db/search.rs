//! `search`: words that must each occur, as a case-insensitive substring,
//! in one of the searched fields, found through a trigram index.
//!
//! Every searched table has a `*_key` column holding its searched fields
//! case-folded (Rust's `to_lowercase`, which SQLite's own folding does not
//! match beyond ASCII) and joined with a line break, and an FTS5 index with
//! the `trigram` tokenizer over that column (schema.sql, version 5), kept by
//! triggers that queue each change and [`flush`], which every write
//! transaction runs before it commits (version 7). A word of 3 or more
//! characters can only be in a key that holds every one of its trigrams,
//! so the index finds the candidates; each
//! candidate's key is then checked against every word (the short ones
//! included), which keeps the result exact whatever trigrams were asked.
//!
//! Which trigrams to ask for is what makes it fast: an index lookup costs
//! about as much as the longest list it walks, and a trigram such as `ber`
//! is in a fifth of all names. So each word asks for its rarest trigram
//! only, by the index's own document counts (its `fts5vocab` table),
//! remembered per process because counting a common trigram walks its
//! whole list. The counts only choose the plan: a stale one makes a
//! search slower, never wrong.

use rusqlite::{Connection, OptionalExtension, Params};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A parsed `search`: case-folded words, longest first, none inside another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    words: Vec<String>,
}

/// At most this many words ask the index; every word is still checked.
const INDEXED_WORDS: usize = 8;
/// Words past this many are only deduplicated, not checked for containment
/// in each other (quadratic).
const PRUNED_WORDS: usize = 64;

impl Search {
    /// The words of `raw` split on white space; `None` when there are none
    /// (a search of only white space is no search).
    pub fn parse(raw: &str) -> Option<Search> {
        let mut words: Vec<String> = raw.split_whitespace().map(str::to_lowercase).collect();
        words.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        words.dedup();
        if words.len() <= PRUNED_WORDS {
            // A word inside a longer one is found wherever that one is.
            let mut kept: Vec<String> = Vec::with_capacity(words.len());
            for w in words {
                if !kept.iter().any(|k| k.contains(w.as_str())) {
                    kept.push(w);
                }
            }
            words = kept;
        }
        (!words.is_empty()).then_some(Search { words })
    }

    /// The folded words.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether a folded key holds every word.
    pub fn matches(&self, key: &str) -> bool {
        self.words.iter().all(|w| key.contains(w.as_str()))
    }
}

/// One trigram index: the table and column it indexes, the FTS5 table and
/// its `fts5vocab` row table.
pub struct Index {
    table: &'static str,
    column: &'static str,
    fts: &'static str,
    vocab: &'static str,
}

/// Customers' `search_key`.
pub const CUSTOMERS: Index = Index {
    table: "customers",
    column: "search_key",
    fts: "customers_search",
    vocab: "customers_search_docs",
};
/// Groups' `name_key`.
pub const GROUPS: Index = Index {
    table: "groups",
    column: "name_key",
    fts: "groups_search",
    vocab: "groups_search_docs",
};
/// Users' `search_key`.
pub const USERS: Index = Index {
    table: "users",
    column: "search_key",
    fts: "users_search",
    vocab: "users_search_docs",
};

/// How to find the candidates.
#[derive(Debug)]
pub enum Plan {
    /// Ask the index with this FTS5 query; it yields about `estimate` rows
    /// (of every partner).
    Index { query: String, estimate: i64 },
    /// Every word is shorter than a trigram: read every row in scope.
    Scan,
}

impl Plan {
    /// The index's query and about how many rows it yields (of every
    /// partner), when that is fewer than the `in_scope` rows a scan would
    /// read.
    pub fn index_query(&self, in_scope: i64) -> Option<(&str, i64)> {
        match self {
            Plan::Index { query, estimate } if *estimate < in_scope => Some((query, *estimate)),
            _ => None,
        }
    }
}

/// Chooses each long word's rarest trigram.
pub fn plan(c: &Connection, index: &Index, search: &Search) -> rusqlite::Result<Plan> {
    let mut terms: Vec<(i64, String)> = Vec::new();
    for word in search
        .words
        .iter()
        .filter(|w| w.chars().nth(2).is_some())
        .take(INDEXED_WORDS)
    {
        let mut best: Option<(i64, String)> = None;
        for t in trigrams(word) {
            // FTS5 reads its query as a C string.
            if t.contains('\0') {
                continue;
            }
            let docs = documents(c, index, &t)?;
            if best.as_ref().is_none_or(|(d, _)| docs < *d) {
                best = Some((docs, t));
            }
        }
        if let Some(best) = best {
            if !terms.iter().any(|(_, t)| *t == best.1) {
                terms.push(best);
            }
        }
    }
    if terms.is_empty() {
        return Ok(Plan::Scan);
    }
    let estimate = terms.iter().map(|(d, _)| *d).min().unwrap_or(0);
    let query = terms
        .iter()
        .map(|(_, t)| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Plan::Index { query, estimate })
}

/// The trigrams of a word, in order.
fn trigrams(word: &str) -> impl Iterator<Item = String> + '_ {
    let starts: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    (0..starts.len().saturating_sub(2)).map(move |k| {
        let end = starts.get(k + 3).copied().unwrap_or(word.len());
        word[starts[k]..end].to_string()
    })
}

/// How long a remembered count is trusted: long enough that a busy desk
/// never waits on a count, short enough to follow a table that grows.
const COUNT_TTL: Duration = Duration::from_secs(600);
/// Most counts remembered (a names index holds some tens of thousands of
/// distinct trigrams); past it the memory starts over.
const MAX_COUNTS: usize = 65_536;

type CountKey = (String, &'static str, String);
static COUNTS: Mutex<Option<HashMap<CountKey, (i64, Instant)>>> = Mutex::new(None);

/// How many rows hold the trigram, remembered per database file.
fn documents(c: &Connection, index: &Index, trigram: &str) -> rusqlite::Result<i64> {
    let key = (
        c.path().unwrap_or_default().to_string(),
        index.fts,
        trigram.to_string(),
    );
    if let Some(map) = COUNTS.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        if let Some((docs, at)) = map.get(&key) {
            if at.elapsed() < COUNT_TTL {
                return Ok(*docs);
            }
        }
    }
    let docs: i64 = c
        .prepare_cached(&format!("SELECT doc FROM {} WHERE term = ?1", index.vocab))?
        .query_row([trigram], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let mut guard = COUNTS.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if map.len() >= MAX_COUNTS {
        map.clear();
    }
    map.insert(key, (docs, Instant::now()));
    Ok(docs)
}

/// Applies the changes the triggers queued in `search_changes` to the
/// indexes, in the order they were made, and empties the queue. Every
/// write transaction calls it last, before COMMIT (schema.sql, version 7,
/// says why the triggers do not write the indexes themselves).
pub fn flush(c: &Connection) -> rusqlite::Result<()> {
    let queued: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM search_changes)")?
        .query_row([], |r| r.get(0))?;
    if !queued {
        return Ok(());
    }
    for index in [&CUSTOMERS, &GROUPS, &USERS] {
        // A change is the old text taken out, then the new one put in; an
        // external-content index must be told exactly what it holds, so a
        // row changed twice in one transaction goes through both in turn.
        c.prepare_cached(&format!(
            "INSERT INTO {fts} ({fts}, rowid, {column})
             SELECT command, id, key FROM (
                 SELECT seq, 0 AS step, 'delete' AS command, id, old_key AS key
                     FROM search_changes WHERE tbl = ?1 AND old_key IS NOT NULL
                 UNION ALL
                 SELECT seq, 1, NULL, id, new_key
                     FROM search_changes WHERE tbl = ?1 AND new_key IS NOT NULL)
             ORDER BY seq, step",
            fts = index.fts,
            column = index.column,
        ))?
        .execute([index.table])?;
    }
    c.prepare_cached("DELETE FROM search_changes")?
        .execute([])?;
    Ok(())
}

/// The matches of a search seen so far: how many, and the ids of those on
/// the page `[offset, offset + limit)`.
pub struct Tally<'s> {
    search: &'s Search,
    offset: i64,
    end: i64,
    ids: Vec<i64>,
    total: i64,
}

impl<'s> Tally<'s> {
    pub fn new(search: &'s Search, offset: i64, limit: i64) -> Self {
        let end = offset.saturating_add(limit);
        Tally {
            search,
            offset,
            end,
            ids: Vec::new(),
            total: 0,
        }
    }

    /// Counts the row `id` if its `key` holds every word.
    pub fn offer(&mut self, id: i64, key: &str) {
        if self.search.matches(key) {
            if self.total >= self.offset && self.total < self.end {
                self.ids.push(id);
            }
            self.total += 1;
        }
    }

    /// The ids on the page and the total.
    pub fn finish(self) -> (Vec<i64>, i64) {
        (self.ids, self.total)
    }
}

/// Walks the candidate rows `(id, key)` that `sql` yields in id order,
/// keeps those whose key holds every word, and returns the ids on the page
/// `[offset, offset + limit)` of the matches and how many match in all.
pub fn page_of_matches(
    c: &Connection,
    sql: &str,
    params: impl Params,
    search: &Search,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<(Vec<i64>, i64)> {
    let mut tally = Tally::new(search, offset, limit);
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        tally.offer(row.get(0)?, row.get_ref(1)?.as_str().unwrap_or_default());
    }
    Ok(tally.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str) -> Vec<String> {
        Search::parse(raw).map(|s| s.words).unwrap_or_default()
    }

    #[test]
    fn words_are_split_folded_and_pruned() {
        assert_eq!(words("  Lena   SCHMIDT "), ["schmidt", "lena"]);
        assert_eq!(words("ann anna ANNA"), ["anna"]);
        assert_eq!(words("Ärger é"), ["ärger", "é"]);
        assert!(Search::parse(" \t\n ").is_none());
        assert!(Search::parse("").is_none());
    }

    #[test]
    fn a_key_matches_when_it_holds_every_word() {
        let s = Search::parse("lena schm").unwrap();
        assert!(s.matches("lena\nschmidt\nlena@example.com"));
        assert!(!s.matches("lena\nmüller\n"));
        let literal = Search::parse("50%_\\").unwrap();
        assert!(literal.matches("a50%_\\b"));
        assert!(!literal.matches("a50xyb"));
    }

    /// One transaction that makes, renames twice and removes rows, as one
    /// writer batch can: the index must end up holding exactly the table.
    #[test]
    fn queued_changes_reach_the_index_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = crate::db::open_writer_connection(&dir.path().join("t.db")).unwrap();
        let tx = c.transaction().unwrap();
        let p = crate::db::partners::create(&tx, "Hall", "2026-01-01T00:00:00Z")
            .unwrap()
            .id;
        let add = |first: &str| -> i64 {
            tx.execute(
                "INSERT INTO customers (partner_id, first_name, last_name, search_key, created_at, updated_at)
                 VALUES (?1, ?2, 'x', lower(?2), '', '')",
                rusqlite::params![p, first],
            )
            .unwrap();
            tx.last_insert_rowid()
        };
        let (a, b) = (add("anna"), add("bruno"));
        for key in ["annika", "anneliese"] {
            tx.execute(
                "UPDATE customers SET search_key = ?1 WHERE id = ?2",
                rusqlite::params![key, a],
            )
            .unwrap();
        }
        tx.execute("DELETE FROM customers WHERE id = ?1", [b])
            .unwrap();
        let gone = add("gone");
        tx.execute("DELETE FROM customers WHERE id = ?1", [gone])
            .unwrap();
        crate::db::commit(tx).unwrap();
        let queued: i64 = c
            .query_row("SELECT count(*) FROM search_changes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, 0);
        c.execute(
            "INSERT INTO customers_search (customers_search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
        let found = |q: &str| -> Vec<i64> {
            c.prepare("SELECT rowid FROM customers_search WHERE customers_search MATCH ?1")
                .unwrap()
                .query_map([q], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(found("\"lie\""), [a]);
        assert!(found("\"ika\"").is_empty(), "the first rename is undone");
        assert!(found("\"run\"").is_empty() && found("\"gon\"").is_empty());
    }

    #[test]
    fn trigrams_are_characters_not_bytes() {
        let t: Vec<String> = trigrams("müll").collect();
        assert_eq!(t, ["mül", "üll"]);
        assert_eq!(trigrams("ab").count(), 0);
        assert_eq!(trigrams("abc").collect::<Vec<_>>(), ["abc"]);
    }
}
