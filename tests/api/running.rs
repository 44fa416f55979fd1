//! Running totals and closed days: every window counts what a naive count over the reviews
//! does, whatever was closed when, and by which node.

use avis::config::DatabaseUrl;
use avis::domain::answers::Satisfaction;
use avis::domain::burst::RecentReviews;
use avis::domain::time::paris_day;
use avis::store::batch::Amendment;
use avis::store::catalog::Button;
use avis::store::reviews::NewReview;
use avis::store::{Store, StoreError};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::helpers::{TestApp, UNSCREENED, new_review, spawn_app};

/// Day `offset` after 2026-03-01.
fn day(offset: i64) -> Date {
    jiff::civil::date(2026, 3, 1)
        .checked_add(offset.days())
        .unwrap()
}

/// A review of `button` at noon (UTC) of day `offset`, good or bad.
fn review(button: &Button, offset: i64, good: bool) -> NewReview {
    let at: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    let satisfaction = if good {
        Satisfaction::Good
    } else {
        Satisfaction::Bad
    };
    new_review(
        button,
        at.checked_add((offset * 24).hours()).unwrap(),
        crate::helpers::rated(satisfaction),
    )
}

/// What [`batches_spanning_days_keep_running_totals_exact`] does in turn.
enum Step {
    Batch(Vec<NewReview>),
    /// Closes the days up to this one.
    Close(i64),
    /// Starts closing the days up to this one and stops there, as a node that crashed would.
    CutShort(i64),
    /// Excludes the first review stored, then puts it back.
    ExcludeFirst,
    RestoreFirst,
}

/// One batch may carry several days of one button, in any order, before and after days that
/// already have totals (a batch across midnight, a bulk load), before and after the last closed
/// day, and days are closed between batches, once after a closing cut short: every running total
/// stays exact, and every window (through closed days, open days or both) counts what a naive
/// count over the reviews does.
#[tokio::test]
async fn batches_spanning_days_keep_running_totals_exact() {
    let app = spawn_app().await;
    let first = app.button().await;
    let other = app.sibling(&first, false).await;
    let steps = [
        Step::Batch(vec![review(&first, 5, true), review(&first, 1, false)]),
        Step::Close(2),
        Step::Batch(vec![
            review(&first, 3, true),
            review(&other, 2, true),
            review(&first, 1, true),
            review(&first, 7, false),
            review(&first, 0, true),
            review(&first, 5, true),
        ]),
        Step::Close(3),
        Step::CutShort(6),
        Step::ExcludeFirst,
        Step::Batch(vec![
            review(&first, 4, false),
            review(&first, 9, true),
            review(&first, 2, true),
        ]),
        Step::Close(6),
        Step::RestoreFirst,
        Step::Batch(vec![review(&first, 6, false), review(&first, 8, true)]),
        Step::Close(30),
        Step::Batch(vec![review(&first, 31, true), review(&first, 2, false)]),
    ];
    let mut all = Vec::new();
    let mut first_excluded = false;
    for step in steps {
        match step {
            Step::Batch(batch) => {
                app.store.create_reviews(&batch, &UNSCREENED).await.unwrap();
                all.extend(batch);
            }
            Step::Close(through) => {
                app.store.close_days(day(through)).await.unwrap();
            }
            Step::CutShort(through) => {
                sqlx::query("UPDATE running_counters_through SET closing = $1")
                    .bind(day(through).to_string())
                    .execute(&mut connect(&app).await)
                    .await
                    .unwrap();
            }
            Step::ExcludeFirst => {
                first_excluded = true;
                let id = all[0].id;
                app.store.exclude_review(id, "burst", None).await.unwrap();
            }
            Step::RestoreFirst => {
                first_excluded = false;
                let id = all[0].id;
                app.store.restore_review(id, "fine", None).await.unwrap();
            }
        }
        let drift = app.store.check_counters(false).await.unwrap();
        assert!(drift.differences.is_empty(), "{:?}", drift.differences);
        let counting: Vec<&NewReview> = all
            .iter()
            .enumerate()
            .filter(|(n, _)| !(*n == 0 && first_excluded))
            .map(|(_, r)| r)
            .collect();
        let windows = [
            (0, 9),
            (1, 1),
            (2, 4),
            (3, 8),
            (6, 6),
            (8, 30),
            (0, 40),
            (7, 31),
        ];
        assert_windows_exact(&app.store, &first, &counting, &windows).await;
    }
    assert_eq!(
        app.store.closed_through().await.unwrap(),
        day(30).to_string()
    );
    assert_eq!(closing_under_way(&app).await, None);
}

/// Two nodes on one database: one keeps writing reviews of three buttons on both sides of the
/// last closed day while the other closes days one after another, one button per transaction.
/// No move is lost between them, whether it lands before, between or after the buttons' turns:
/// the running totals of every closed day match the reviews. (SQLite refuses a transaction that
/// another connection overtook; it is written again, as the review writer does.)
#[tokio::test]
async fn days_closed_by_one_node_while_another_writes_lose_no_move() {
    let app = spawn_app().await;
    let button = app.button().await;
    let buttons = [
        button.clone(),
        app.sibling(&button, false).await,
        app.sibling(&button, false).await,
    ];
    let other_node = Store::connect(&DatabaseUrl::parse(&app.database_url).unwrap())
        .await
        .unwrap();
    let writing = async {
        let mut written = Vec::new();
        for round in 0..60i64 {
            let batch: Vec<NewReview> = (0..4)
                .map(|i| {
                    let button = &buttons[(round + i) as usize % buttons.len()];
                    review(button, round / 5 + i % 3, (round + i) % 2 == 0)
                })
                .collect();
            again(|| app.store.create_reviews(&batch, &UNSCREENED)).await;
            written.extend(batch);
        }
        written
    };
    let closing = async {
        for through in 0..14 {
            again(|| other_node.close_days_by(day(through), 1)).await;
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
    };
    let (written, ()) = tokio::join!(writing, closing);
    let drift = app.store.check_counters(false).await.unwrap();
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);
    assert_eq!(drift.reviews, written.len() as u64);
    assert_eq!(
        app.store.closed_through().await.unwrap(),
        day(13).to_string()
    );
    let sums = app
        .store
        .sum_counters(day(0), day(20), Some(button.procedure_id))
        .await
        .unwrap();
    let good = written
        .iter()
        .filter(|r| r.answers.satisfaction == Some(Satisfaction::Good))
        .count() as i64;
    assert_eq!(sums[&button.procedure_id].get("satisfaction", "good"), good);
    other_node.close().await;
}

/// What `attempt` returns once it succeeds, within a hundred attempts (SQLite refuses a
/// transaction that another connection overtook; the review writer writes it again).
async fn again<T, E: std::fmt::Debug, F: std::future::Future<Output = Result<T, E>>>(
    attempt: impl Fn() -> F,
) -> T {
    let mut last = None;
    for _ in 0..100 {
        match attempt().await {
            Ok(done) => return done,
            Err(err) => last = Some(err),
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("still failing: {last:?}");
}

/// Another node starts closing a day and has not committed yet when reviews of that day come:
/// the write, which found the day open, waits for the closing (on SQLite it is refused and
/// written again) and then moves the running totals of the day being closed, as every write
/// of such a day does. Had it written the day counters alone, the closing, which may already
/// have written this button's totals, would leave them short.
#[tokio::test]
async fn a_write_overtaken_by_a_closing_moves_the_running_totals_of_its_day() {
    overtaken_by_a_closing(false, Writer::Store).await;
}

/// The same when a review of the batch repeats one stored earlier the same day: on PostgreSQL
/// the first attempt, made as if there were no such review, gives way without waiting, and the
/// write that follows the probe is the one the closing overtakes.
#[tokio::test]
async fn a_write_with_a_duplicate_overtaken_by_a_closing_moves_the_running_totals_of_its_day() {
    overtaken_by_a_closing(true, Writer::Store).await;
}

/// The same for a batch written as the review writer writes it: on SQLite by its own
/// connection, which must see the closing and leave the batch to the store's transaction.
#[tokio::test]
async fn a_writer_batch_overtaken_by_a_closing_moves_its_days_running_totals() {
    overtaken_by_a_closing(false, Writer::Review).await;
}

#[tokio::test]
async fn a_writer_batch_with_a_duplicate_overtaken_by_a_closing_moves_its_days_running_totals() {
    overtaken_by_a_closing(true, Writer::Review).await;
}

/// Who writes the batch of [`overtaken_by_a_closing`].
#[derive(Clone, Copy)]
enum Writer {
    Store,
    Review,
}

impl Writer {
    async fn write(
        self,
        store: &Store,
        batch: &[NewReview],
    ) -> Result<Vec<Option<&'static str>>, StoreError> {
        match self {
            Writer::Store => store.create_reviews(batch, &UNSCREENED).await,
            // As the review writer does: on a thread of its own, since its SQLite connection's
            // calls block.
            Writer::Review => {
                let (store, batch) = (store.clone(), batch.to_vec());
                let runtime = tokio::runtime::Handle::current();
                let write = async move {
                    let mut sqlite = store.sqlite_writer().unwrap();
                    let mut conn = store.write_connection().await?;
                    let none: &[Amendment<()>] = &[];
                    let (reasons, _) = store
                        .write_batch_on(
                            &mut conn,
                            sqlite.as_mut(),
                            &batch,
                            &UNSCREENED,
                            &mut RecentReviews::default(),
                            none,
                        )
                        .await?;
                    Ok(reasons)
                };
                tokio::task::spawn_blocking(move || runtime.block_on(write))
                    .await
                    .unwrap()
            }
        }
    }
}

async fn overtaken_by_a_closing(with_a_duplicate: bool, writer: Writer) {
    let app = spawn_app().await;
    let button = app.button().await;
    let fingerprinted = |mut review: NewReview| {
        review.fingerprint = Some("0123456789abcdef".to_owned());
        review
    };
    let mut earlier = vec![review(&button, 0, true)];
    if with_a_duplicate {
        earlier.push(fingerprinted(review(&button, 2, true)));
    }
    app.store
        .create_reviews(&earlier, &UNSCREENED)
        .await
        .unwrap();
    app.store.close_days(day(0)).await.unwrap();

    let mut other_node = connect(&app).await;
    let mut closing = sqlx::Connection::begin(&mut other_node).await.unwrap();
    sqlx::query("UPDATE running_counters_through SET closing = $1")
        .bind(day(2).to_string())
        .execute(&mut *closing)
        .await
        .unwrap();
    let mut batch = vec![review(&button, 2, true), review(&button, 2, false)];
    if with_a_duplicate {
        batch[0] = fingerprinted(batch[0].clone());
    }
    let writing = tokio::spawn({
        let (store, batch) = (app.store.clone(), batch.clone());
        async move { again(|| writer.write(&store, &batch)).await }
    });
    wait_for_a_lock(&app).await;
    closing.commit().await.unwrap();
    let reasons = writing.await.unwrap();
    assert_eq!(reasons, [with_a_duplicate.then_some("duplicate"), None]);

    // The running totals of day 2 hold the closed days and the batch's moves already, before
    // the closing writes any group (which then counts the earlier review of day 2 as well).
    let good = if with_a_duplicate { 1 } else { 2 };
    assert_eq!(running_totals(&app, &button, day(2)).await, Some((good, 1)));
    app.store.close_days(day(2)).await.unwrap();
    let drift = app.store.check_counters(false).await.unwrap();
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);
    // Three reviews count either way: the duplicate does not.
    assert_eq!(drift.reviews, 3);
    assert_eq!(
        running_totals(&app, &button, day(2)).await,
        Some((good + i64::from(with_a_duplicate), 1))
    );
}

/// The good and bad ratings in the running totals of `button` on `day`, if it has any.
async fn running_totals(app: &TestApp, button: &Button, day: Date) -> Option<(i64, i64)> {
    sqlx::query_as(
        "SELECT satisfaction_good, satisfaction_bad FROM running_counters \
         WHERE button_id = $1 AND day = $2",
    )
    .bind(button.id.to_string())
    .bind(day.to_string())
    .fetch_optional(&mut connect(app).await)
    .await
    .unwrap()
}

/// Returns once a query of the test's database waits for a lock (PostgreSQL), or after a
/// moment (SQLite, whose writers wait inside the library, out of sight).
async fn wait_for_a_lock(app: &TestApp) {
    if app.store.backend() == avis::store::Backend::Sqlite {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        return;
    }
    let mut conn = connect(app).await;
    for _ in 0..500 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no query waited for the closing's lock");
}

/// Every window of `windows` (day offsets, both ends included) counts, for the procedure of
/// `button`, what a naive count over `counting` (the reviews that count) does.
async fn assert_windows_exact(
    store: &Store,
    button: &Button,
    counting: &[&NewReview],
    windows: &[(i64, i64)],
) {
    let closed = store.closed_through().await.unwrap();
    for &(from, to) in windows {
        let sums = store
            .sum_counters(day(from), day(to), Some(button.procedure_id))
            .await
            .unwrap();
        let counted = |satisfaction: Satisfaction| {
            counting
                .iter()
                .filter(|r| {
                    let d = paris_day(r.created_at);
                    d >= day(from) && d <= day(to) && r.answers.satisfaction == Some(satisfaction)
                })
                .count() as i64
        };
        let served = |value: &str| {
            sums.get(&button.procedure_id)
                .map_or(0, |c| c.get("satisfaction", value))
        };
        let context = format!("{from}..{to}, closed through {closed}");
        assert_eq!(served("good"), counted(Satisfaction::Good), "{context}");
        assert_eq!(served("bad"), counted(Satisfaction::Bad), "{context}");
    }
}

/// A closing goes one group of buttons at a time, and reviews are written between the groups:
/// for the days being closed (to buttons whose group is written and to those whose group is
/// not), for a closed day and for an open one, and an exclusion. Every window stays exact
/// throughout, and so does every running total once the days are closed.
#[tokio::test]
async fn writes_between_the_groups_of_a_closing_keep_its_running_totals_exact() {
    let app = spawn_app().await;
    let first = app.button().await;
    let second = app.sibling(&first, false).await;
    let windows = [
        (0, 0),
        (0, 2),
        (1, 3),
        (2, 2),
        (3, 4),
        (2, 6),
        (0, 9),
        (4, 9),
    ];
    let mut all: Vec<NewReview> = Vec::new();
    let mut excluded = Vec::new();
    let store = &app.store;
    let write = |batch: Vec<NewReview>| async move {
        store.create_reviews(&batch, &UNSCREENED).await.unwrap();
        batch
    };
    for offset in 0..5 {
        all.extend(
            write(vec![
                review(&first, offset, true),
                review(&second, offset, false),
            ])
            .await,
        );
    }
    app.store.close_days(day(1)).await.unwrap();

    let closing = app.store.start_closing(day(4), 1).await.unwrap().unwrap();
    assert_eq!(closing.groups(), 2);
    assert_eq!(closing_under_way(&app).await, Some(day(4).to_string()));
    for group in 0..2 {
        assert!(app.store.close_group(&closing, group).await.unwrap());
        all.extend(
            write(vec![
                review(&first, 2, group == 0),
                review(&second, 3, true),
                review(&first, 4, false),
                review(&second, 1, true),
                review(&first, 6, true),
            ])
            .await,
        );
        let out = all[2 * group + 4].id;
        app.store.exclude_review(out, "burst", None).await.unwrap();
        excluded.push(out);
        let counting: Vec<&NewReview> = all.iter().filter(|r| !excluded.contains(&r.id)).collect();
        assert_windows_exact(&app.store, &first, &counting, &windows).await;
        // The days being closed are not closed yet.
        assert_eq!(
            app.store.closed_through().await.unwrap(),
            day(1).to_string()
        );
    }
    all.extend(write(vec![review(&second, 4, true), review(&first, 2, false)]).await);
    assert_eq!(
        app.store.finish_closing(closing).await.unwrap(),
        Some(day(1).to_string())
    );
    assert_eq!(closing_under_way(&app).await, None);
    let drift = app.store.check_counters(false).await.unwrap();
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);
    let counting: Vec<&NewReview> = all.iter().filter(|r| !excluded.contains(&r.id)).collect();
    assert_windows_exact(&app.store, &first, &counting, &windows).await;
}

/// A connection of its own to the test's database.
async fn connect(app: &TestApp) -> sqlx::AnyConnection {
    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    <sqlx::AnyConnection as sqlx::Connection>::connect(&url.connection_string())
        .await
        .unwrap()
}

/// The day a closing under way closes through, if one is.
async fn closing_under_way(app: &TestApp) -> Option<String> {
    sqlx::query_scalar("SELECT closing FROM running_counters_through")
        .fetch_one(&mut connect(app).await)
        .await
        .unwrap()
}
