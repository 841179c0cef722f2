//! `demo --scale`: a venue chain's worth of customers, groups and
//! memberships for the benchmark and a sandbox, written in bulk: one
//! transaction (the caller's), one prepared statement per table, ids
//! computed instead of read back. The triggers still run for every row, so
//! the counters, the member blocks and the search index come out exactly
//! as the API would have left them.
//!
//! Names follow the shape of real ones, so that a search costs what it
//! would at a real chain: first names from a list of 150 with a few common
//! ones (the most common about 2 % of customers), surnames a quarter from
//! 100 common ones (the most common under 1 %) and the rest from 1,500
//! compounds (`Stein` + `huber`), each rare. Every value comes from a
//! fixed seed: the same sizes give the same database.

use crate::db::{self, customers, PartnerId};
use rusqlite::{params, Connection};

/// How much to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub customers: usize,
    pub groups: usize,
    pub memberships: usize,
}

impl Default for Sizes {
    /// The benchmark's usual size.
    fn default() -> Sizes {
        Sizes {
            customers: 100_000,
            groups: 1_000,
            memberships: 500_000,
        }
    }
}

/// What [`fill`] made: fewer memberships than asked when the groups
/// cannot hold them (a group holds each customer at most once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Made {
    pub customers: usize,
    pub groups: usize,
    pub memberships: usize,
}

/// The first group holds this many customers (or all, if fewer): the
/// benchmark's large group.
pub const FIRST_GROUP_MEMBERS: usize = 100_000;

/// Writes the customers, groups and memberships in the caller's
/// transaction. Ids are consecutive within it (one writer, AUTOINCREMENT),
/// so on an empty database they start at 1, as `bench/run` expects.
pub fn fill(c: &Connection, partner: PartnerId, sizes: Sizes, now: &str) -> Result<Made, String> {
    let err = |e: rusqlite::Error| e.to_string();
    // The indexes of a million rows do not fit SQLite's default 2 MB cache;
    // this process is a one-off, the server's own connections are not
    // affected.
    c.execute_batch("PRAGMA cache_size = -262144")
        .map_err(err)?;
    let first_customer = customers_in_bulk(c, partner, sizes.customers, now).map_err(err)?;
    let first_group = groups_in_bulk(c, partner, sizes.groups, now).map_err(err)?;
    let memberships =
        memberships_in_bulk(c, sizes, first_group, first_customer, now).map_err(err)?;
    db::search::flush(c).map_err(err)?;
    // One segment instead of the many the bulk insert left: a lookup
    // walks one list per trigram.
    c.execute_batch("INSERT INTO customers_search (customers_search) VALUES ('optimize')")
        .map_err(err)?;
    Ok(Made {
        customers: sizes.customers,
        groups: sizes.groups,
        memberships,
    })
}

/// Inserts `n` customers; returns the id of the first.
fn customers_in_bulk(
    c: &Connection,
    partner: PartnerId,
    n: usize,
    now: &str,
) -> rusqlite::Result<i64> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut insert = c.prepare(
        "INSERT INTO customers
             (partner_id, first_name, last_name, email, email_key, phone, search_key, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?;
    let mut first_id = 0;
    for i in 0..n {
        let first = first_name(&mut rng);
        let last = last_name(&mut rng);
        let email = format!(
            "{}.{}{i}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let email_key = db::fold(&email);
        let phone = (i % 3 == 0).then(|| format!("+43 660 {:07}", i % 10_000_000));
        let key = customers::search_key(first, &last, Some(&email));
        insert.execute(params![
            partner, first, last, email, email_key, phone, key, now
        ])?;
        if i == 0 {
            first_id = c.last_insert_rowid();
        }
        if i % FLUSH_EVERY == FLUSH_EVERY - 1 {
            // The queue's pages are then reused instead of left free by a
            // million queued rows.
            db::search::flush(c)?;
        }
    }
    Ok(first_id)
}

/// How many customers' search index changes are queued at most.
const FLUSH_EVERY: usize = 50_000;

/// Inserts `n` groups named `Group 0000`, ...; returns the id of the first.
fn groups_in_bulk(
    c: &Connection,
    partner: PartnerId,
    n: usize,
    now: &str,
) -> rusqlite::Result<i64> {
    let mut insert = c.prepare(
        "INSERT INTO groups (partner_id, name, name_key, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, NULL, ?4, ?4)",
    )?;
    let mut first_id = 0;
    for g in 0..n {
        let name = format!("Group {g:04}");
        insert.execute(params![partner, name, db::fold(&name), now])?;
        if g == 0 {
            first_id = c.last_insert_rowid();
        }
    }
    Ok(first_id)
}

/// The first group holds the first [`FIRST_GROUP_MEMBERS`] customers; the
/// other groups share the rest of the memberships round-robin: membership
/// `k * (groups - 1) + j` of the rest is group `2 + j` with customer
/// `1 + (k * 7 + j * 101) % customers` (counting from the first ids;
/// `bench/run`'s remove case walks the same pairs). A pair that comes up
/// twice (a size divisible by 7) is made once.
fn memberships_in_bulk(
    c: &Connection,
    sizes: Sizes,
    first_group: i64,
    first_customer: i64,
    now: &str,
) -> rusqlite::Result<usize> {
    if sizes.groups == 0 || sizes.customers == 0 {
        return Ok(0);
    }
    let mut insert = c.prepare(
        "INSERT INTO group_customers (group_id, customer_id, added_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?;
    let mut made = 0;
    let first = sizes
        .memberships
        .min(sizes.customers)
        .min(FIRST_GROUP_MEMBERS);
    for cu in 0..first {
        made += insert.execute(params![first_group, first_customer + cu as i64, now])?;
    }
    let rest = sizes.groups - 1;
    if rest == 0 {
        return Ok(made);
    }
    let left = sizes.memberships - first;
    for j in 0..rest {
        let count = (left / rest + usize::from(j < left % rest)).min(sizes.customers);
        let group = first_group + 1 + j as i64;
        for k in 0..count {
            let cu = (k * 7 + j * 101) % sizes.customers;
            made += insert.execute(params![group, first_customer + cu as i64, now])?;
        }
    }
    Ok(made)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64: fast and enough for names.
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Index `i` of `n` with probability about proportional to 1 / (i + k):
    /// a few common values and a long tail, as with names.
    fn zipf(&mut self, n: usize, k: f64) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let x = k * (u * ((n as f64 + k) / k).ln()).exp() - k;
        (x as usize).min(n - 1)
    }
}

fn first_name(rng: &mut Rng) -> &'static str {
    FIRST[rng.zipf(FIRST.len(), 30.0)]
}

fn last_name(rng: &mut Rng) -> String {
    if rng.below(4) == 0 {
        LAST[rng.zipf(LAST.len(), 15.0)].to_string()
    } else {
        format!(
            "{}{}",
            PREFIX[rng.below(PREFIX.len())],
            SUFFIX[rng.below(SUFFIX.len())]
        )
    }
}

const FIRST: [&str; 150] = [
    "Anna",
    "Lukas",
    "Sophie",
    "Maximilian",
    "Marie",
    "David",
    "Emma",
    "Elias",
    "Laura",
    "Jakob",
    "Lena",
    "Felix",
    "Sarah",
    "Tobias",
    "Julia",
    "Paul",
    "Hannah",
    "Simon",
    "Lea",
    "Jonas",
    "Katharina",
    "Florian",
    "Johanna",
    "Alexander",
    "Magdalena",
    "Fabian",
    "Valentina",
    "Sebastian",
    "Theresa",
    "Michael",
    "Nina",
    "Thomas",
    "Sabine",
    "Andreas",
    "Eva",
    "Martin",
    "Elena",
    "Markus",
    "Sandra",
    "Christian",
    "Petra",
    "Daniel",
    "Monika",
    "Matthias",
    "Birgit",
    "Patrick",
    "Karin",
    "Manuel",
    "Claudia",
    "Dominik",
    "Verena",
    "Philipp",
    "Lisa",
    "Georg",
    "Carina",
    "Raphael",
    "Selina",
    "Niklas",
    "Emilia",
    "Luca",
    "Amelie",
    "Finn",
    "Zoe",
    "Benedikt",
    "Helena",
    "Konstantin",
    "Ines",
    "Vincent",
    "Yasmin",
    "Emir",
    "Aylin",
    "Mehmet",
    "Zeynep",
    "Luka",
    "Ana",
    "Marko",
    "Jelena",
    "Ivan",
    "Sofia",
    "Matteo",
    "Chiara",
    "Jan",
    "Klara",
    "Tomasz",
    "Agnieszka",
    "Ömer",
    "Clara",
    "Ben",
    "Ida",
    "Noah",
    "Olivia",
    "Quirin",
    "Rosa",
    "Greta",
    "Hannes",
    "Elif",
    "Mia",
    "Leon",
    "Moritz",
    "Stefan",
    "Barbara",
    "Wolfgang",
    "Gabriele",
    "Herbert",
    "Ingrid",
    "Josef",
    "Renate",
    "Franz",
    "Elisabeth",
    "Karl",
    "Brigitte",
    "Johann",
    "Christine",
    "Peter",
    "Susanne",
    "Gerhard",
    "Andrea",
    "Helmut",
    "Martina",
    "Walter",
    "Ursula",
    "Günter",
    "Doris",
    "Werner",
    "Silvia",
    "Manfred",
    "Heidi",
    "Robert",
    "Angelika",
    "Erich",
    "Gertrude",
    "Reinhard",
    "Daniela",
    "Harald",
    "Bettina",
    "Kurt",
    "Tanja",
    "Dieter",
    "Kerstin",
    "René",
    "Marlene",
    "Noël",
    "Zoë",
    "Chloé",
    "Anaïs",
    "Dejan",
    "Milica",
    "Nikola",
    "Ivana",
    "Bojan",
];

const LAST: [&str; 100] = [
    "Gruber",
    "Huber",
    "Bauer",
    "Wagner",
    "Müller",
    "Pichler",
    "Steiner",
    "Moser",
    "Mayer",
    "Hofer",
    "Leitner",
    "Berger",
    "Fuchs",
    "Eder",
    "Fischer",
    "Schmid",
    "Winkler",
    "Weber",
    "Schwarz",
    "Maier",
    "Schneider",
    "Reiter",
    "Mayr",
    "Schmidt",
    "Wimmer",
    "Egger",
    "Brunner",
    "Lang",
    "Baumgartner",
    "Auer",
    "Binder",
    "Lechner",
    "Wolf",
    "Wallner",
    "Aigner",
    "Ebner",
    "Koller",
    "Lehner",
    "Haas",
    "Schuster",
    "Holzer",
    "Haider",
    "Lackner",
    "Wieser",
    "Schober",
    "Strasser",
    "Unger",
    "Friedl",
    "Koch",
    "Kainz",
    "Brandstätter",
    "Hackl",
    "Pöschl",
    "Zach",
    "Hofmann",
    "Weiß",
    "Riegler",
    "Fink",
    "Hahn",
    "Kaiser",
    "Karner",
    "Horvath",
    "Nagy",
    "Kovač",
    "Novak",
    "Jovanović",
    "Petrović",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Rossi",
    "Russo",
    "Ferrari",
    "Dubois",
    "Martin",
    "Bernard",
    "García",
    "López",
    "Smith",
    "Jones",
    "Schröder",
    "Neumann",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Frank",
];

const PREFIX: [&str; 50] = [
    "Berg", "Stein", "Hof", "Wald", "Bach", "Brunn", "Feld", "Lind", "Rosen", "Schön", "Neu",
    "Alt", "Gross", "Klein", "Kirch", "Mühl", "Hart", "Wein", "Eich", "Buch", "Sonn", "Mor",
    "Fried", "Hell", "Graf", "Lang", "Kurz", "Wies", "Stock", "Holz", "Eisen", "Gold", "Silber",
    "Kron", "Thal", "Ober", "Unter", "Rot", "Weiß", "Schwarz", "Dorn", "Haslin", "Pram", "Zell",
    "Traun", "Enns", "Ried", "Gmund", "Fels", "Moos",
];

const SUFFIX: [&str; 30] = [
    "er", "mann", "huber", "bauer", "meier", "inger", "ner", "hofer", "eder", "thaler", "müller",
    "wieser", "leitner", "gruber", "brunner", "egger", "auer", "lechner", "moser", "maier",
    "winkler", "reiter", "steiner", "wimmer", "berger", "bichler", "ecker", "lehner", "stätter",
    "böck",
];
