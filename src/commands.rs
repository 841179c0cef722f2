//! The commands besides `serve`: `user create`, `demo` and `backup` (and,
//! in [`accounts`], `user set-password`, `user disable`, `user list`). Each
//! opens the database itself, so it works whether or not a server is
//! running on the same file (SQLite's lock and busy timeout sort out the
//! order of writes).

use crate::api::validate::is_email;
use crate::cli::{BackupArgs, DemoArgs, UserCreateArgs};
use crate::db::{self, customers::Fields, PartnerId, UserId};
use crate::model::PERMISSIONS;
use crate::{clock, secrets};
use rusqlite::Connection;
use std::io::{BufRead, Read};
use std::path::Path;

pub mod accounts;

/// `venue-groups user create ...`
pub fn user_create(db_path: &Path, args: &UserCreateArgs) -> Result<(), String> {
    let email = args.email.trim();
    if !is_email(email) {
        return Err(format!("--email: {email:?} is not an email address"));
    }
    for (flag, value) in [
        ("--first-name", &args.first_name),
        ("--last-name", &args.last_name),
    ] {
        let n = value.trim().chars().count();
        if !(1..=255).contains(&n) {
            return Err(format!("{flag}: give 1 to 255 characters"));
        }
    }
    if let Some(bad) = args
        .permissions
        .iter()
        .find(|p| !PERMISSIONS.contains(&p.as_str()))
    {
        return Err(format!(
            "--permission: unknown permission {bad:?} (known: {})",
            PERMISSIONS.join(", ")
        ));
    }
    let password = read_password(args.password_stdin, args.password.as_deref())?;
    let hash = secrets::hash_password(&password);
    let mut conn = db::open_writer_connection(db_path)?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    for p in &args.partners {
        if !db::partners::exists(&tx, PartnerId(*p)).map_err(|e| e.to_string())? {
            return Err(format!("--partner: there is no partner {p}"));
        }
    }
    let now = clock::now_rfc3339();
    let id = db::users::create(
        &tx,
        &db::users::NewUser {
            email,
            password_hash: &hash,
            first_name: args.first_name.trim(),
            last_name: args.last_name.trim(),
            is_admin: args.admin,
        },
        &now,
    )
    .map_err(|e| match e {
        db::Error::Unique(_) => format!("--email: a user with {email} exists already"),
        other => other.to_string(),
    })?;
    let permissions: Vec<&str> = args.permissions.iter().map(String::as_str).collect();
    let partners: Vec<PartnerId> = args.partners.iter().copied().map(PartnerId).collect();
    db::users::set_permissions(&tx, id, &permissions, &now).map_err(|e| e.to_string())?;
    db::users::set_partners(&tx, id, &partners, &now).map_err(|e| e.to_string())?;
    let changes = serde_json::json!({"email": [null, email], "is_admin": [null, args.admin],
        "permissions": [null, permissions], "partner_ids": [null, partners]});
    db::audit::By::command_line(None)
        .record(&tx, "user.created", ("user", id.0), changes, &now)
        .map_err(|e| e.to_string())?;
    db::commit(tx).map_err(|e| e.to_string())?;
    println!("created user {id} {email}");
    Ok(())
}

/// The password of a `user` command: the first line of standard input, or
/// `VENUE_GROUPS_PASSWORD`; 8 characters to 1024 bytes, as the API takes.
pub(crate) fn read_password(stdin: bool, env: Option<&str>) -> Result<String, String> {
    let password = if stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(64 * 1024)
            .read_line(&mut line)
            .map_err(|e| format!("reading the password from stdin: {e}"))?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        env.map(str::to_string)
            .ok_or("give the password with --password-stdin or VENUE_GROUPS_PASSWORD")?
    };
    if password.chars().count() < 8 {
        return Err("the password needs at least 8 characters".into());
    }
    if password.len() > 1024 {
        return Err("the password must not be longer than 1024 bytes".into());
    }
    Ok(password)
}

const FIRST_NAMES: [&str; 20] = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Felix",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katharina",
    "Lukas",
    "Mia",
    "Noah",
    "Olivia",
    "Paul",
    "Quirin",
    "Rosa",
    "Sophie",
    "Tobias",
];
const LAST_NAMES: [&str; 20] = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
];

/// `venue-groups demo [--scale]`: fills an empty database.
pub fn demo(db_path: &Path, args: &DemoArgs) -> Result<(), String> {
    let mut conn = db::open_writer_connection(db_path)?;
    let err = |e: rusqlite::Error| e.to_string();
    let partners: i64 = conn
        .query_row("SELECT count(*) FROM partners", [], |r| r.get(0))
        .map_err(err)?;
    if partners > 0 {
        return Err(
            "the database already has partners; demo fills an empty database (use a new --db file)"
                .into(),
        );
    }
    let tx = conn.transaction().map_err(err)?;
    let now = clock::now_rfc3339();
    let partner = db::partners::create(&tx, "Demo Sports Hall", &now).map_err(err)?;
    let changes = db::audit::created(&partner);
    let partner = partner.id;
    db::audit::By::command_line(Some(partner))
        .record(
            &tx,
            "partner.created",
            ("partner", partner.0),
            changes,
            &now,
        )
        .map_err(err)?;
    let made = match args.sizes() {
        Some(sizes) => crate::demo::fill(&tx, partner, sizes, &now)?,
        None => {
            let customer_ids = demo_customers(&tx, partner, 60, &now)?;
            let group_ids = demo_groups(&tx, partner, 4, &now)?;
            let memberships = demo_memberships(&tx, &group_ids, &customer_ids, &now)?;
            crate::demo::Made {
                customers: customer_ids.len(),
                groups: group_ids.len(),
                memberships,
            }
        }
    };

    let mut logins = Vec::new();
    let all: Vec<&str> = PERMISSIONS.to_vec();
    let read_only = ["groups.read", "customers.read", "users.read"];
    for (email, first, last, perms) in [
        ("manager@demo.local", "Maria", "Manager", &all[..]),
        ("frontdesk@demo.local", "Frank", "Frontdesk", &read_only[..]),
    ] {
        let password = std::env::var("VENUE_GROUPS_DEMO_PASSWORD")
            .unwrap_or_else(|_| secrets::random_password());
        let hash = secrets::hash_password(&password);
        let id: UserId = db::users::create(
            &tx,
            &db::users::NewUser {
                email,
                password_hash: &hash,
                first_name: first,
                last_name: last,
                is_admin: false,
            },
            &now,
        )
        .map_err(|e| e.to_string())?;
        db::users::set_permissions(&tx, id, perms, &now).map_err(err)?;
        db::users::set_partners(&tx, id, &[partner], &now).map_err(err)?;
        let changes = serde_json::json!({"email": [null, email], "permissions": [null, perms], "partner_ids": [null, [partner]]});
        db::audit::By::command_line(Some(partner))
            .record(&tx, "user.created", ("user", id.0), changes, &now)
            .map_err(err)?;
        logins.push((email, password, perms.join(", ")));
    }
    // A sandbox needs someone who can make partners and users: an admin,
    // unless the file has one already (then that login is the way in).
    let has_admin = db::users::admin_count(&tx).map_err(err)? > 0;
    if !has_admin {
        let email = "admin@demo.local";
        let password = std::env::var("VENUE_GROUPS_DEMO_PASSWORD")
            .unwrap_or_else(|_| secrets::random_password());
        let hash = secrets::hash_password(&password);
        let id = db::users::create(
            &tx,
            &db::users::NewUser {
                email,
                password_hash: &hash,
                first_name: "Demo",
                last_name: "Admin",
                is_admin: true,
            },
            &now,
        )
        .map_err(|e| e.to_string())?;
        let changes = serde_json::json!({"email": [null, email], "is_admin": [null, true]});
        db::audit::By::command_line(None)
            .record(&tx, "user.created", ("user", id.0), changes, &now)
            .map_err(err)?;
        logins.insert(
            0,
            (
                email,
                password,
                "admin: every permission, every partner".to_string(),
            ),
        );
    }
    db::commit(tx).map_err(err)?;
    println!(
        "demo venue \"Demo Sports Hall\" is partner {partner}: {} customers, {} groups, {} memberships",
        made.customers, made.groups, made.memberships
    );
    for (email, password, perms) in logins {
        println!("login {email} / {password} ({perms})");
    }
    Ok(())
}

fn demo_customers(
    c: &Connection,
    partner: PartnerId,
    n: usize,
    now: &str,
) -> Result<Vec<db::CustomerId>, String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let first = FIRST_NAMES[i % FIRST_NAMES.len()];
        let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let fields = Fields {
            first_name: first.to_string(),
            last_name: last.to_string(),
            email: Some(format!("{}.{}.{i}@example.com", first.to_lowercase(), i)),
            phone: (i % 3 == 0).then(|| format!("+43 660 {:07}", i)),
        };
        ids.push(
            db::customers::create(c, partner, &fields, now)
                .map_err(|e| e.to_string())?
                .id,
        );
    }
    Ok(ids)
}

fn demo_groups(
    c: &Connection,
    partner: PartnerId,
    n: usize,
    now: &str,
) -> Result<Vec<db::GroupId>, String> {
    const NAMES: [(&str, &str); 4] = [
        ("Members", "Club members: member prices on all courts"),
        ("Season tickets", "Holders of a season ticket for the pool"),
        ("Coaches", "May book training slots"),
        ("School class 4b", "Tuesday swimming lessons"),
    ];
    (0..n)
        .map(|i| {
            let (name, description) = match NAMES.get(i) {
                Some((n, d)) => (n.to_string(), Some(*d)),
                None => (format!("Group {i:04}"), None),
            };
            db::groups::create(c, partner, &name, description, now)
                .map(|g| g.id)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A few members per group; returns how many.
fn demo_memberships(
    c: &Connection,
    groups: &[db::GroupId],
    customers: &[db::CustomerId],
    now: &str,
) -> Result<usize, String> {
    let mut insert = c
        .prepare_cached(
            "INSERT INTO group_customers (group_id, customer_id, added_at) VALUES (?1, ?2, ?3)",
        )
        .map_err(|e| e.to_string())?;
    let mut made = 0;
    for (gi, g) in groups.iter().enumerate() {
        for cu in customers.iter().skip(gi).step_by(gi + 2).take(12) {
            made += insert
                .execute(rusqlite::params![g, cu, now])
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(made)
}

/// `venue-groups backup PATH`: a consistent copy of the live database,
/// taken in one read transaction with SQLite's online backup (writers go
/// on meanwhile), then checked.
pub fn backup(db_path: &Path, args: &BackupArgs) -> Result<(), String> {
    if !db_path.exists() {
        return Err(format!("there is no database at {}", db_path.display()));
    }
    if args.path.exists() {
        return Err(format!(
            "{} exists already; give a new path",
            args.path.display()
        ));
    }
    let source = Connection::open_with_flags(db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", db_path.display()))?;
    source
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| e.to_string())?;
    let mut target = Connection::open(&args.path)
        .map_err(|e| format!("cannot create {}: {e}", args.path.display()))?;
    {
        let backup =
            rusqlite::backup::Backup::new(&source, &mut target).map_err(|e| e.to_string())?;
        // All pages in one step: one read transaction, so the copy is one
        // consistent snapshot however busy the server is.
        backup.step(-1).map_err(|e| format!("backup failed: {e}"))?;
    }
    let check: String = target
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("the copy failed its integrity check: {check}"));
    }
    // The copy is a plain rollback-journal file: one file to carry away.
    target
        .execute_batch("PRAGMA journal_mode = DELETE")
        .map_err(|e| e.to_string())?;
    println!("backup written to {} (integrity ok)", args.path.display());
    Ok(())
}
