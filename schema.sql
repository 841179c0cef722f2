-- venue-groups schema: the one place the schema lives.
--
-- The file is a sequence of versions. Each `-- version: N` line starts the
-- statements that take a database from version N-1 to N; on start the
-- server applies, in one transaction each, every version above the file's
-- `PRAGMA user_version` and then sets it. Never edit a released version:
-- add a new one below it.
--
-- Conventions: timestamps are RFC 3339 UTC text written by the server
-- ("2026-11-26T08:15:00Z"); `*_key` columns hold the trimmed, lower-cased
-- form of a value so that uniqueness and search ignore case (SQLite's own
-- NOCASE folds ASCII only).

-- version: 1

-- A venue (sports hall, court, pool). Deleting one that still has groups or
-- customers fails on their RESTRICT foreign keys (the API's 409).
-- The counts are kept by triggers below, so a list's total costs one row.
CREATE TABLE partners (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    groups_count     INTEGER NOT NULL DEFAULT 0 CHECK (groups_count >= 0),
    customers_count  INTEGER NOT NULL DEFAULT 0 CHECK (customers_count >= 0),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- Partner staff and administrators. The password is an argon2id PHC string.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    search_key    TEXT NOT NULL, -- lower-cased "first_name\nlast_name\nemail"
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- What a user may do (`groups.read`, ...). Admins hold every permission
-- without rows here.
CREATE TABLE user_permissions (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission  TEXT NOT NULL,
    PRIMARY KEY (user_id, permission)
) WITHOUT ROWID;

-- Which partners a user works for (partner access).
CREATE TABLE partner_users (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, partner_id)
) WITHOUT ROWID;
CREATE INDEX partner_users_by_partner ON partner_users (partner_id, user_id);

-- Bearer tokens, stored only as the SHA-256 of the secret the client holds.
-- Logout deletes the row.
CREATE TABLE tokens (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL, -- unix seconds
    expires_at  INTEGER NOT NULL  -- unix seconds
) WITHOUT ROWID;
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
CREATE INDEX tokens_by_user ON tokens (user_id);

-- A partner's customers. `search_key` is the lower-cased
-- "first_name\nlast_name\nemail" the list searches with instr(), so `%` and
-- `_` in a search are plain characters.
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE RESTRICT,
    first_name  TEXT NOT NULL CHECK (length(first_name) BETWEEN 1 AND 255),
    last_name   TEXT NOT NULL CHECK (length(last_name) BETWEEN 1 AND 255),
    email       TEXT,
    email_key   TEXT,
    phone       TEXT CHECK (phone IS NULL OR length(phone) <= 50),
    search_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((email IS NULL) = (email_key IS NULL))
);
-- Unique email per partner ignoring case; NULLs (no email) never collide.
CREATE UNIQUE INDEX customers_email_per_partner ON customers (partner_id, email_key);
CREATE INDEX customers_by_partner ON customers (partner_id, id);

-- A partner's groups. `customers_count` is kept exact by the triggers on
-- group_customers below, in the same transaction as the membership change.
CREATE TABLE groups (
    id               INTEGER PRIMARY KEY,
    partner_id       INTEGER NOT NULL REFERENCES partners (id) ON DELETE RESTRICT,
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    name_key         TEXT NOT NULL,
    description      TEXT CHECK (description IS NULL OR length(description) <= 2000),
    customers_count  INTEGER NOT NULL DEFAULT 0 CHECK (customers_count >= 0),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
-- Unique name per partner ignoring case.
CREATE UNIQUE INDEX groups_name_per_partner ON groups (partner_id, name_key);
CREATE INDEX groups_by_partner ON groups (partner_id, id);

-- Membership of a customer in a group: one row per pair, listed in customer
-- id order by the primary key. Goes with either side's delete.
CREATE TABLE group_customers (
    group_id     INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (group_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX group_customers_by_customer ON group_customers (customer_id, group_id);

-- How many members a group has per block of 1024 customer ids. A members
-- page deep in a large group (page 5,000 of 100,000 members) sums these
-- few rows to find its block, then skips fewer than 1024 rows, instead of
-- stepping over every row before it.
CREATE TABLE group_customer_blocks (
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    block     INTEGER NOT NULL, -- customer_id >> 10
    members   INTEGER NOT NULL CHECK (members >= 0),
    PRIMARY KEY (group_id, block)
) WITHOUT ROWID;

-- A group and its members belong to the same partner.
CREATE TRIGGER group_customers_same_partner
BEFORE INSERT ON group_customers
WHEN (SELECT partner_id FROM groups WHERE id = NEW.group_id)
     IS NOT (SELECT partner_id FROM customers WHERE id = NEW.customer_id)
BEGIN
    SELECT RAISE(ABORT, 'group and customer belong to different partners');
END;

CREATE TRIGGER group_customers_count_insert
AFTER INSERT ON group_customers
BEGIN
    UPDATE groups SET customers_count = customers_count + 1 WHERE id = NEW.group_id;
    INSERT INTO group_customer_blocks (group_id, block, members)
    VALUES (NEW.group_id, NEW.customer_id >> 10, 1)
    ON CONFLICT (group_id, block) DO UPDATE SET members = members + 1;
END;

-- Also fires for rows removed by the cascades from groups and customers.
CREATE TRIGGER group_customers_count_delete
AFTER DELETE ON group_customers
BEGIN
    UPDATE groups SET customers_count = customers_count - 1 WHERE id = OLD.group_id;
    UPDATE group_customer_blocks SET members = members - 1
    WHERE group_id = OLD.group_id AND block = OLD.customer_id >> 10;
END;

CREATE TRIGGER groups_count_insert AFTER INSERT ON groups
BEGIN
    UPDATE partners SET groups_count = groups_count + 1 WHERE id = NEW.partner_id;
END;

CREATE TRIGGER groups_count_delete AFTER DELETE ON groups
BEGIN
    UPDATE partners SET groups_count = groups_count - 1 WHERE id = OLD.partner_id;
END;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
BEGIN
    UPDATE partners SET customers_count = customers_count + 1 WHERE id = NEW.partner_id;
END;

CREATE TRIGGER customers_count_delete AFTER DELETE ON customers
BEGIN
    UPDATE partners SET customers_count = customers_count - 1 WHERE id = OLD.partner_id;
END;

-- version: 2

-- Who changed what: one entry per successful change through the API or the
-- command line, written in the same transaction as the change. `changes`
-- is a JSON object mapping each changed field to [old, new]. No foreign
-- keys: an entry outlives what it describes. The triggers make the table
-- append-only for everyone, the server included.
CREATE TABLE audit (
    id            INTEGER PRIMARY KEY,
    partner_id    INTEGER,          -- NULL for changes outside a partner
    user_id       INTEGER,          -- NULL for the command line
    action        TEXT NOT NULL,    -- e.g. group.created
    subject_type  TEXT NOT NULL,    -- e.g. group
    subject_id    INTEGER,
    changes       TEXT NOT NULL CHECK (json_valid(changes)),
    created_at    TEXT NOT NULL
);
CREATE INDEX audit_by_partner ON audit (partner_id, id);
CREATE INDEX audit_by_subject ON audit (subject_type, subject_id, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

-- version: 3

-- `INSERT OR REPLACE` (or `REPLACE`) naming an existing id would swap that
-- entry for a forged one without firing audit_no_delete: SQLite fires
-- delete triggers for a REPLACE only with recursive_triggers on. Refuse an
-- insert that names the id of an entry that exists.
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

-- version: 4

-- Ids are never reused: an id, once deleted, is never given to another
-- partner, user, customer or group, so a stale URL, audit entry or export
-- in flight can never land on someone else's row. Without AUTOINCREMENT
-- SQLite hands out max(id) + 1, which reuses the id of the newest row once
-- it is deleted. SQLite cannot add AUTOINCREMENT to a table, so each one is
-- rebuilt with the same columns and rows (the migration runs with foreign
-- keys off, and checks them before it commits). The triggers that name
-- these tables are dropped first and made again at the end.
DROP TRIGGER group_customers_same_partner;
DROP TRIGGER group_customers_count_insert;
DROP TRIGGER group_customers_count_delete;
DROP TRIGGER groups_count_insert;
DROP TRIGGER groups_count_delete;
DROP TRIGGER customers_count_insert;
DROP TRIGGER customers_count_delete;

CREATE TABLE partners_v4 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    groups_count     INTEGER NOT NULL DEFAULT 0 CHECK (groups_count >= 0),
    customers_count  INTEGER NOT NULL DEFAULT 0 CHECK (customers_count >= 0),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
INSERT INTO partners_v4 (id, name, groups_count, customers_count, created_at, updated_at)
SELECT id, name, groups_count, customers_count, created_at, updated_at FROM partners;
DROP TABLE partners;
ALTER TABLE partners_v4 RENAME TO partners;

CREATE TABLE users_v4 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    search_key    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
INSERT INTO users_v4 (id, email, email_key, password_hash, first_name, last_name, is_admin,
                      search_key, created_at, updated_at)
SELECT id, email, email_key, password_hash, first_name, last_name, is_admin,
       search_key, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_v4 RENAME TO users;

CREATE TABLE customers_v4 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE RESTRICT,
    first_name  TEXT NOT NULL CHECK (length(first_name) BETWEEN 1 AND 255),
    last_name   TEXT NOT NULL CHECK (length(last_name) BETWEEN 1 AND 255),
    email       TEXT,
    email_key   TEXT,
    phone       TEXT CHECK (phone IS NULL OR length(phone) <= 50),
    search_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((email IS NULL) = (email_key IS NULL))
);
INSERT INTO customers_v4 (id, partner_id, first_name, last_name, email, email_key, phone,
                          search_key, created_at, updated_at)
SELECT id, partner_id, first_name, last_name, email, email_key, phone,
       search_key, created_at, updated_at FROM customers;
DROP TABLE customers;
ALTER TABLE customers_v4 RENAME TO customers;
CREATE UNIQUE INDEX customers_email_per_partner ON customers (partner_id, email_key);
CREATE INDEX customers_by_partner ON customers (partner_id, id);

CREATE TABLE groups_v4 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id       INTEGER NOT NULL REFERENCES partners (id) ON DELETE RESTRICT,
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    name_key         TEXT NOT NULL,
    description      TEXT CHECK (description IS NULL OR length(description) <= 2000),
    customers_count  INTEGER NOT NULL DEFAULT 0 CHECK (customers_count >= 0),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
INSERT INTO groups_v4 (id, partner_id, name, name_key, description, customers_count,
                       created_at, updated_at)
SELECT id, partner_id, name, name_key, description, customers_count,
       created_at, updated_at FROM groups;
DROP TABLE groups;
ALTER TABLE groups_v4 RENAME TO groups;
CREATE UNIQUE INDEX groups_name_per_partner ON groups (partner_id, name_key);
CREATE INDEX groups_by_partner ON groups (partner_id, id);

-- The triggers of version 1, as they were.
CREATE TRIGGER group_customers_same_partner
BEFORE INSERT ON group_customers
WHEN (SELECT partner_id FROM groups WHERE id = NEW.group_id)
     IS NOT (SELECT partner_id FROM customers WHERE id = NEW.customer_id)
BEGIN
    SELECT RAISE(ABORT, 'group and customer belong to different partners');
END;

CREATE TRIGGER group_customers_count_insert
AFTER INSERT ON group_customers
BEGIN
    UPDATE groups SET customers_count = customers_count + 1 WHERE id = NEW.group_id;
    INSERT INTO group_customer_blocks (group_id, block, members)
    VALUES (NEW.group_id, NEW.customer_id >> 10, 1)
    ON CONFLICT (group_id, block) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER group_customers_count_delete
AFTER DELETE ON group_customers
BEGIN
    UPDATE groups SET customers_count = customers_count - 1 WHERE id = OLD.group_id;
    UPDATE group_customer_blocks SET members = members - 1
    WHERE group_id = OLD.group_id AND block = OLD.customer_id >> 10;
END;

CREATE TRIGGER groups_count_insert AFTER INSERT ON groups
BEGIN
    UPDATE partners SET groups_count = groups_count + 1 WHERE id = NEW.partner_id;
END;

CREATE TRIGGER groups_count_delete AFTER DELETE ON groups
BEGIN
    UPDATE partners SET groups_count = groups_count - 1 WHERE id = OLD.partner_id;
END;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
BEGIN
    UPDATE partners SET customers_count = customers_count + 1 WHERE id = NEW.partner_id;
END;

CREATE TRIGGER customers_count_delete AFTER DELETE ON customers
BEGIN
    UPDATE partners SET customers_count = customers_count - 1 WHERE id = OLD.partner_id;
END;

-- version: 5

-- Search (src/db/search.rs): an FTS5 index with the trigram tokenizer over
-- each searched `*_key` column, so a word of 3+ characters is looked up
-- instead of scanned for. The index is over the already case-folded keys
-- (Rust's to_lowercase; SQLite's trigram folding differs beyond ASCII), so
-- it is case-sensitive itself. External content: the index stores no copy
-- of the text, and `integrity-check` compares it with the table.
-- `detail=none`: the server asks single trigrams and checks the words on
-- each candidate, so positions would only make the index twice the size.
-- The triggers keep each index in the same transaction as every change.
-- They are created on the tables by name: a later version that rebuilds
-- one of these tables must create its triggers again.
CREATE VIRTUAL TABLE customers_search USING fts5(
    search_key, content = 'customers', content_rowid = 'id',
    detail = none, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE customers_search_docs USING fts5vocab(customers_search, row);
INSERT INTO customers_search (customers_search) VALUES ('rebuild');
-- One segment instead of the many a rebuild leaves: lookups walk one list.
INSERT INTO customers_search (customers_search) VALUES ('optimize');

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customers_search (rowid, search_key) VALUES (NEW.id, NEW.search_key);
END;

CREATE TRIGGER customers_search_update AFTER UPDATE OF search_key ON customers
WHEN OLD.search_key IS NOT NEW.search_key
BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_key)
    VALUES ('delete', OLD.id, OLD.search_key);
    INSERT INTO customers_search (rowid, search_key) VALUES (NEW.id, NEW.search_key);
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_key)
    VALUES ('delete', OLD.id, OLD.search_key);
END;

CREATE VIRTUAL TABLE groups_search USING fts5(
    name_key, content = 'groups', content_rowid = 'id',
    detail = none, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE groups_search_docs USING fts5vocab(groups_search, row);
INSERT INTO groups_search (groups_search) VALUES ('rebuild');

CREATE TRIGGER groups_search_insert AFTER INSERT ON groups
BEGIN
    INSERT INTO groups_search (rowid, name_key) VALUES (NEW.id, NEW.name_key);
END;

CREATE TRIGGER groups_search_update AFTER UPDATE OF name_key ON groups
WHEN OLD.name_key IS NOT NEW.name_key
BEGIN
    INSERT INTO groups_search (groups_search, rowid, name_key)
    VALUES ('delete', OLD.id, OLD.name_key);
    INSERT INTO groups_search (rowid, name_key) VALUES (NEW.id, NEW.name_key);
END;

CREATE TRIGGER groups_search_delete AFTER DELETE ON groups
BEGIN
    INSERT INTO groups_search (groups_search, rowid, name_key)
    VALUES ('delete', OLD.id, OLD.name_key);
END;

CREATE VIRTUAL TABLE users_search USING fts5(
    search_key, content = 'users', content_rowid = 'id',
    detail = none, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE users_search_docs USING fts5vocab(users_search, row);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users
BEGIN
    INSERT INTO users_search (rowid, search_key) VALUES (NEW.id, NEW.search_key);
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF search_key ON users
WHEN OLD.search_key IS NOT NEW.search_key
BEGIN
    INSERT INTO users_search (users_search, rowid, search_key)
    VALUES ('delete', OLD.id, OLD.search_key);
    INSERT INTO users_search (rowid, search_key) VALUES (NEW.id, NEW.search_key);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users
BEGIN
    INSERT INTO users_search (users_search, rowid, search_key)
    VALUES ('delete', OLD.id, OLD.search_key);
END;

-- version: 6

-- Accounts over their whole life (src/db/accounts.rs): a user who left is
-- disabled rather than deleted, so the audit trail keeps naming them. A
-- disabled user cannot log in and none of its tokens authenticate.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));

-- The box must always keep a way in: whatever path a change takes (the
-- API, the command line, a future one), it cannot take away the last
-- enabled admin. The code checks first and answers 409; this is the floor.
CREATE TRIGGER users_keep_an_enabled_admin BEFORE UPDATE OF is_admin, disabled ON users
WHEN OLD.is_admin = 1 AND OLD.disabled = 0 AND (NEW.is_admin = 0 OR NEW.disabled = 1)
     AND NOT EXISTS (SELECT 1 FROM users WHERE id <> OLD.id AND is_admin = 1 AND disabled = 0)
BEGIN
    SELECT RAISE(ABORT, 'the last enabled admin must stay an enabled admin');
END;

-- version: 7

-- Search index changes wait in `search_changes` until the end of their
-- transaction, where `search::flush` (src/db/search.rs) applies them to
-- the FTS5 indexes in order and empties it; every write path calls it
-- before COMMIT, so a committed file never holds a change not yet in its
-- index. Why not write the index in the triggers, as version 5 did: FTS5
-- writes what it holds in memory to disk as a new segment at every
-- SAVEPOINT, and the writer opens one per job, so a batch of 64 creates
-- made 64 one-row segments and the merges after them (half the cost of a
-- create). Now a batch writes one segment.
CREATE TABLE search_changes (
    seq      INTEGER PRIMARY KEY,
    tbl      TEXT NOT NULL,    -- customers, groups or users
    id       INTEGER NOT NULL,
    old_key  TEXT,             -- NULL: the row is new
    new_key  TEXT              -- NULL: the row is gone
);

DROP TRIGGER customers_search_insert;
DROP TRIGGER customers_search_update;
DROP TRIGGER customers_search_delete;

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('customers', NEW.id, NULL, NEW.search_key);
END;

CREATE TRIGGER customers_search_update AFTER UPDATE OF search_key ON customers
WHEN OLD.search_key IS NOT NEW.search_key
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('customers', OLD.id, OLD.search_key, NEW.search_key);
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('customers', OLD.id, OLD.search_key, NULL);
END;

DROP TRIGGER groups_search_insert;
DROP TRIGGER groups_search_update;
DROP TRIGGER groups_search_delete;

CREATE TRIGGER groups_search_insert AFTER INSERT ON groups
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('groups', NEW.id, NULL, NEW.name_key);
END;

CREATE TRIGGER groups_search_update AFTER UPDATE OF name_key ON groups
WHEN OLD.name_key IS NOT NEW.name_key
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('groups', OLD.id, OLD.name_key, NEW.name_key);
END;

CREATE TRIGGER groups_search_delete AFTER DELETE ON groups
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('groups', OLD.id, OLD.name_key, NULL);
END;

DROP TRIGGER users_search_insert;
DROP TRIGGER users_search_update;
DROP TRIGGER users_search_delete;

CREATE TRIGGER users_search_insert AFTER INSERT ON users
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('users', NEW.id, NULL, NEW.search_key);
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF search_key ON users
WHEN OLD.search_key IS NOT NEW.search_key
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('users', OLD.id, OLD.search_key, NEW.search_key);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users
BEGIN
    INSERT INTO search_changes (tbl, id, old_key, new_key) VALUES ('users', OLD.id, OLD.search_key, NULL);
END;
