//! Running totals and closed days: every window counts what a naive count over the reviews
//! does, whatever was closed when, and by which node.

use avis::config::DatabaseUrl;
use avis::domain::answers::Satisfaction;
use avis::domain::time::paris_day;
use avis::store::Store;
use avis::store::catalog::Button;
use avis::store::reviews::NewReview;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::helpers::{UNSCREENED, new_review, spawn_app};

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
    /// Excludes the first review stored, then puts it back.
    ExcludeFirst,
    RestoreFirst,
}

/// One batch may carry several days of one button, in any order, before and after days that
/// already have totals (a batch across midnight, a bulk load), before and after the last closed
/// day, and days are closed between batches: every running total stays exact, and every window
/// (through closed days, open days or both) counts what a naive count over the reviews does.
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
        let closed = app.store.closed_through().await.unwrap();
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
        for (from, to) in windows {
            let sums = app
                .store
                .sum_counters(day(from), day(to), Some(first.procedure_id))
                .await
                .unwrap();
            let counted = |good: bool| {
                all.iter()
                    .enumerate()
                    .filter(|(n, r)| {
                        let d = paris_day(r.created_at);
                        !(*n == 0 && first_excluded)
                            && d >= day(from)
                            && d <= day(to)
                            && r.answers.satisfaction
                                == Some(if good {
                                    Satisfaction::Good
                                } else {
                                    Satisfaction::Bad
                                })
                    })
                    .count() as i64
            };
            let served = |value: &str| {
                sums.get(&first.procedure_id)
                    .map_or(0, |c| c.get("satisfaction", value))
            };
            let context = format!("{from}..{to}, closed through {closed}");
            assert_eq!(served("good"), counted(true), "{context}");
            assert_eq!(served("bad"), counted(false), "{context}");
        }
    }
    assert_eq!(
        app.store.closed_through().await.unwrap(),
        day(30).to_string()
    );
}

/// Two nodes on one database: one keeps writing reviews on both sides of the last closed day
/// while the other closes days one after another. No move is lost between them: the running
/// totals of every closed day match the reviews. (SQLite refuses a transaction that another
/// connection overtook; it is written again, as the review writer does.)
#[tokio::test]
async fn days_closed_by_one_node_while_another_writes_lose_no_move() {
    let app = spawn_app().await;
    let button = app.button().await;
    let other_node = Store::connect(&DatabaseUrl::parse(&app.database_url).unwrap())
        .await
        .unwrap();
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
    let writing = async {
        let mut written = Vec::new();
        for round in 0..60i64 {
            let batch: Vec<NewReview> = (0..4)
                .map(|i| review(&button, round / 5 + i % 3, (round + i) % 2 == 0))
                .collect();
            again(|| app.store.create_reviews(&batch, &UNSCREENED)).await;
            written.extend(batch);
        }
        written
    };
    let closing = async {
        for through in 0..14 {
            again(|| other_node.close_days(day(through))).await;
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
