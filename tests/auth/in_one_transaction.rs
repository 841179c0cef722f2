//! The writer looks a token's holder up once per transaction: a job later
//! in the same transaction must still see every change an earlier job made
//! to tokens, users, permissions or partner access, and none that was
//! undone. Driven on the writer directly, where jobs can be made to share a
//! transaction.

use crate::common::in_one_transaction;
use venue_groups::api::error::ApiError;
use venue_groups::db::tokens::{holder, Holder};
use venue_groups::db::{PartnerId, Writer};
use venue_groups::model::Permission;

const TOKEN: [u8; 32] = [7; 32];

type Lookup = Result<Option<Holder>, ApiError>;

/// A writer on a fresh file holding user 1 (`groups.create`, partner 1)
/// with a live token [`TOKEN`].
async fn writer() -> (Writer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let conn = venue_groups::db::open_writer_connection(&dir.path().join("t.db")).expect("open");
    let writer = Writer::start(conn, None);
    writer
        .write(|c| {
            c.execute_batch(
                "INSERT INTO partners (id, name, created_at, updated_at)
                     VALUES (1, 'Hall', '', '');
                 INSERT INTO users (id, email, email_key, password_hash, first_name,
                                    last_name, search_key, created_at, updated_at)
                     VALUES (1, 'a@b.at', 'a@b.at', 'x', 'A', 'B', 'a b', '', '');
                 INSERT INTO user_permissions (user_id, permission) VALUES (1, 'groups.create');
                 INSERT INTO partner_users (user_id, partner_id) VALUES (1, 1);",
            )?;
            venue_groups::db::tokens::insert(c, &TOKEN, venue_groups::db::UserId(1), 0, i64::MAX)?;
            Ok::<_, ApiError>(())
        })
        .await
        .unwrap();
    (writer, dir)
}

fn look(c: &rusqlite::Connection) -> Lookup {
    Ok(holder(c, &TOKEN, 1)?)
}

fn can_create_in_partner_1(found: &Lookup) -> bool {
    match found {
        Ok(Some(h)) => {
            h.permissions.has(Permission::GroupsCreate) && h.partner_ids == [PartnerId(1)]
        }
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_who_may_do_what_holds_for_the_next_job_of_the_transaction() {
    let changes = [
        "DELETE FROM tokens",
        "DELETE FROM user_permissions WHERE permission = 'groups.create'",
        "DELETE FROM partner_users WHERE partner_id = 1",
        "UPDATE users SET disabled = 1",
        "DELETE FROM users",
        // Partner access goes with the partner (a foreign key cascade).
        "DELETE FROM partners",
    ];
    for change in changes {
        let (writer, _dir) = writer().await;
        let answers = in_one_transaction(
            &writer,
            vec![
                Box::new(look),
                Box::new(move |c| {
                    c.execute_batch(change)?;
                    Ok(None)
                }),
                Box::new(look),
            ],
        )
        .await;
        assert!(
            can_create_in_partner_1(&answers[0]),
            "{change}: {:?}",
            answers[0]
        );
        assert!(
            !can_create_in_partner_1(&answers[2]),
            "{change}: the job after it still saw the old holder: {:?}",
            answers[2]
        );
        tokio::task::block_in_place(|| writer.shutdown());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_was_undone_is_not_seen_by_the_next_job() {
    let (writer, _dir) = writer().await;
    let answers = in_one_transaction(
        &writer,
        vec![
            Box::new(look),
            // Takes the permission away, looks the holder up without it,
            // then fails: its savepoint is rolled back.
            Box::new(|c| {
                c.execute_batch("DELETE FROM user_permissions")?;
                let without = look(c)?;
                assert!(without.is_some_and(|h| !h.permissions.has(Permission::GroupsCreate)));
                Err(ApiError::Forbidden)
            }),
            Box::new(look),
        ],
    )
    .await;
    assert!(can_create_in_partner_1(&answers[0]), "{:?}", answers[0]);
    assert!(
        matches!(answers[1], Err(ApiError::Forbidden)),
        "{:?}",
        answers[1]
    );
    assert!(
        can_create_in_partner_1(&answers[2]),
        "the undone change was remembered: {:?}",
        answers[2]
    );
    tokio::task::block_in_place(|| writer.shutdown());
}
