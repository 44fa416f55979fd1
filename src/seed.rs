//! `avis seed`: fills a database with synthetic reviews, to measure avis at national scale.
//!
//! Reviews are spread over procedures (one open button each) and over the days of a period
//! ending today, with answers drawn at random but following the questionnaire's rules. They come
//! in the order of time, as a real history would, and are written with their day counters in
//! batches. The seed keeps its buttons' running totals in memory (they are its own and their
//! reviews come in the order of time) and writes those of closed days outright. Each batch is
//! written in the order of its procedures, so the indexes are filled where they were left rather
//! than at random.

use std::time::Instant;

use jiff::{Timestamp, ToSpan};
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use uuid::Uuid;

use crate::domain::answers::{Answers, Channel, Reached, Satisfaction, Score};
use crate::domain::catalog::{Name, Tag};
use crate::store::batch::KnownTotals;
use crate::store::catalog::{NewButton, NewProcedure};
use crate::store::reviews::NewReview;
use crate::store::{Store, StoreError};

/// Reviews per transaction. Seeding 1 million reviews, alternated: 50,000 per batch 14,608 to
/// 16,356 reviews/s, 20,000 per batch 13,157 to 14,524; the seed's peak memory grows with it
/// (716 MB against 436 MB).
pub const BATCH: usize = 50_000;

fn score(rng: &mut SmallRng) -> Score {
    Score::try_from(rng.random_range(1..=5u8)).expect("1 to 5")
}

/// Answers as a citizen might give them.
fn answers(rng: &mut SmallRng) -> Answers {
    let satisfaction = [
        Satisfaction::Good,
        Satisfaction::Good,
        Satisfaction::Medium,
        Satisfaction::Bad,
    ][rng.random_range(0..4)];
    let mut answers = Answers {
        satisfaction: Some(satisfaction),
        ..Answers::default()
    };
    if rng.random_bool(0.6) {
        answers.comprehension = Some(score(rng));
    }
    if rng.random_bool(0.5) {
        let tried: Vec<Channel> = if rng.random_bool(0.5) {
            vec![Channel::None]
        } else {
            Channel::ALL[..8]
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.3))
                .collect()
        };
        let reached: Vec<(Channel, Reached)> = tried
            .iter()
            .filter(|c| c.is_administration())
            .map(|c| {
                (
                    *c,
                    if rng.random_bool(0.75) {
                        Reached::Yes
                    } else {
                        Reached::No
                    },
                )
            })
            .collect();
        let quality: Vec<(Channel, Score)> = reached
            .iter()
            .filter(|(_, r)| *r == Reached::Yes)
            .map(|(c, _)| (*c, score(rng)))
            .collect();
        if !tried.is_empty() {
            answers.contact_tried = Some(tried.into_iter().collect());
        }
        if !reached.is_empty() {
            answers.contact_reached = Some(reached.into_iter().collect());
        }
        if !quality.is_empty() {
            answers.contact_satisfaction = Some(quality.into_iter().collect());
        }
    }
    if rng.random_bool(COMMENTED) {
        answers.verbatim = Some(comment(rng));
    }
    answers
}

/// Share of seeded reviews with a comment.
const COMMENTED: f64 = 0.25;

/// Words seeded comments are made of, as citizens write them: with and without accents, in
/// either case.
const WORDS: &[&str] = &[
    "la",
    "démarche",
    "DEMARCHE",
    "était",
    "très",
    "simple",
    "compliquée",
    "trop",
    "longue",
    "rapide",
    "merci",
    "pour",
    "votre",
    "aide",
    "site",
    "formulaire",
    "pièce",
    "justificative",
    "impossible",
    "de",
    "joindre",
    "le",
    "service",
    "téléphone",
    "attente",
    "réponse",
    "dossier",
    "en",
    "ligne",
    "bug",
    "page",
    "erreur",
    "connexion",
    "identifiant",
    "mot",
    "passe",
    "délai",
    "clair",
    "claires",
    "informations",
    "instructions",
    "je",
    "n'ai",
    "pas",
    "compris",
    "où",
    "envoyer",
    "documents",
    "agent",
    "guichet",
    "accueil",
    "efficace",
    "bravo",
    "enfin",
    "facile",
    "difficile",
    "à",
    "trouver",
    "courrier",
    "mail",
    "reçu",
    "aucune",
    "nouvelle",
    "depuis",
    "semaines",
    "mois",
    "paiement",
    "allocation",
    "carte",
    "grise",
    "permis",
    "impôts",
    "caf",
];

/// A comment of 4 to 30 words.
fn comment(rng: &mut SmallRng) -> String {
    let words = rng.random_range(4..=30);
    let mut text = String::new();
    for n in 0..words {
        if n > 0 {
            text.push(' ');
        }
        text.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    text.push('.');
    text
}

/// Share of all reviews that go to the first procedure, a national one: the others share the
/// rest evenly.
const LARGEST_SHARE: f64 = 0.1;

/// Creates `procedures` procedures with one button each, then `reviews` reviews over the last
/// `days` days (a tenth of them, and an even share of the rest, for the first procedure; a
/// quarter with a comment), `batch` per transaction. Prints progress on standard error; returns the reviews
/// written per second.
pub async fn seed(
    store: &Store,
    reviews: u64,
    procedures: usize,
    days: i64,
    batch: usize,
) -> anyhow::Result<f64> {
    let batch_size = batch.max(1);
    let organisation = store
        .create_organisation(
            &Name::parse(&format!("Seed {}", Uuid::now_v7())).map_err(anyhow::Error::msg)?,
        )
        .await?;
    let mut targets = Vec::with_capacity(procedures);
    for n in 0..procedures {
        let procedure = store
            .create_procedure(&NewProcedure {
                organisation_id: organisation.id,
                title: Name::parse(&format!("Démarche {n}")).map_err(anyhow::Error::msg)?,
                external_id: Some(
                    Tag::parse(&format!("seed-{}-{n}", organisation.id.simple()))
                        .map_err(anyhow::Error::msg)?,
                ),
                is_essential: n % 8 == 0,
                is_public: false,
                yearly_volume: None,
            })
            .await?;
        let button = store
            .create_button(&NewButton {
                procedure_id: procedure.id,
                label: Name::parse("Fin de démarche").map_err(anyhow::Error::msg)?,
                source: Tag::parse("seed").map_err(anyhow::Error::msg)?,
                allowed_origins: Vec::new(),
                is_test: false,
            })
            .await?;
        targets.push((procedure.id, button.id));
    }
    // Days before today get their running totals as they are loaded.
    if let Ok(yesterday) = crate::domain::time::paris_day(Timestamp::now()).yesterday() {
        store.close_days(yesterday).await?;
    }
    // The write connection is the seed's alone: 64 MiB of index pages save it reading them back.
    store.widen_write_cache(64).await?;
    let mut totals = KnownTotals::new();
    let mut rng = SmallRng::seed_from_u64(2026);
    let now = Timestamp::now();
    let period_ms = days.max(1) * 86_400_000;
    let oldest = now.checked_sub(period_ms.milliseconds()).unwrap_or(now);
    let step = period_ms as f64 / reviews.max(1) as f64;
    let started = Instant::now();
    let progress = |written: u64| {
        if written % 100_000 < batch_size as u64 {
            eprintln!(
                "{written} reviews, {:.0}/s",
                written as f64 / started.elapsed().as_secs_f64()
            );
        }
    };
    // Each batch is written while the next one is drawn: the writing task hands the running
    // totals back when its batch is committed.
    let mut writing: Option<(
        u64,
        tokio::task::JoinHandle<Result<KnownTotals, StoreError>>,
    )> = None;
    let mut drawn = 0u64;
    while drawn < reviews {
        let size = batch_size.min((reviews - drawn) as usize);
        let mut batch: Vec<NewReview> = (0..size)
            .map(|i| {
                let target = if rng.random_bool(LARGEST_SHARE) {
                    0
                } else {
                    rng.random_range(0..targets.len())
                };
                let (procedure_id, button_id) = targets[target];
                let elapsed = ((drawn as usize + i) as f64 * step) as i64;
                let created_at = oldest.checked_add(elapsed.milliseconds()).unwrap_or(now);
                NewReview {
                    id: Uuid::now_v7(),
                    button_id,
                    procedure_id,
                    answers: answers(&mut rng),
                    edit_token_hash: "seeded".to_owned(),
                    edit_token_expires_at: created_at,
                    created_at,
                    redactions: 0,
                    fingerprint: None,
                    excluded_reason: None,
                    legacy_id: None,
                }
            })
            .collect();
        batch.sort_by_key(|r| (r.procedure_id, r.created_at));
        drawn += size as u64;
        if let Some((written, task)) = writing.take() {
            totals = task.await??;
            progress(written);
        }
        let mut running = std::mem::take(&mut totals);
        let store = store.clone();
        let task = tokio::spawn(async move {
            store.load_reviews(&batch, &mut running).await?;
            Ok(running)
        });
        writing = Some((drawn, task));
    }
    if let Some((written, task)) = writing.take() {
        task.await??;
        progress(written);
    }
    Ok(drawn as f64 / started.elapsed().as_secs_f64())
}
