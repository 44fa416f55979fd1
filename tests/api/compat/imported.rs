//! The observatory's pull over a whole incumbent database brought in by `avis import jdma`
//! (the synthetic one of `scripts/jdma-fixture.sql`), against the incumbent's figures computed
//! from that database's own rows: the answers grouped as its index groups them
//! (field code, text, intention) and the formulas of its
//! `webapp-backoffice/src/server/routers/answer/get-observatoire-stats.ts`
//! (DISIC/jedonnemonavis.numerique.gouv.fr), written plainly here.
//!
//! Windows start with the current form (2024-04-23): earlier answers are mapped differently on
//! purpose (docs/migration.md). Reviews without a satisfaction answer are not imported, so the
//! reference leaves them out too. Needs a PostgreSQL server for the incumbent's database, as the
//! import tests do.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, Row};

use super::reference::Expected;
use super::spawn_compat;
use crate::import::{import, incumbent};

/// The answers the incumbent's pull reads, grouped as its index groups them, per button.
struct Bucket {
    code: String,
    text: String,
    intention: String,
    button: i64,
    n: i64,
}

/// The reviews that count in avis too: those with a satisfaction answer.
const RATED: &str = "EXISTS (SELECT 1 FROM \"Answer\" s WHERE s.review_id = r.id \
     AND s.review_created_at = r.created_at AND s.field_code IN ('satisfaction', 'score'))";

/// The reviews of product $1 from $2 to $3 (ms) that carry form $4, or, when $5 says it is a
/// legacy form, form 1 or 2 or none.
const WINDOW: &str = "r.product_id = $1 \
     AND CAST(EXTRACT(EPOCH FROM r.created_at) * 1000 AS BIGINT) BETWEEN $2 AND $3 \
     AND (r.form_id = $4 OR ($5 AND (r.form_id IS NULL OR r.form_id IN (1, 2))))";

/// A form asked for: its id, and whether it is a legacy one.
type Form = (i32, bool);

async fn buckets(
    source: &mut PgConnection,
    product: i32,
    form: Form,
    first: i64,
    last: i64,
) -> Vec<Bucket> {
    let sql = format!(
        "SELECT a.field_code, COALESCE(a.answer_text, '') AS answer_text, \
         CAST(a.intention AS TEXT) AS intention, r.button_id, COUNT(*) AS n \
         FROM \"Review\" r JOIN \"Answer\" a ON a.review_id = r.id AND a.review_created_at = r.created_at \
         WHERE {WINDOW} AND {RATED} AND a.field_code IN \
         ('satisfaction', 'comprehension', 'contact_tried', 'contact_reached', 'contact_satisfaction') \
         GROUP BY 1, 2, 3, 4"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(product)
        .bind(first)
        .bind(last)
        .bind(form.0)
        .bind(form.1)
        .fetch_all(source)
        .await
        .unwrap()
        .iter()
        .map(|row| Bucket {
            code: row.get("field_code"),
            text: row.get("answer_text"),
            intention: row.get("intention"),
            button: i64::from(row.get::<i32, _>("button_id")),
            n: row.get("n"),
        })
        .collect()
}

/// Distinct reviews with a `contact_tried` answer, whatever their button.
async fn tried(source: &mut PgConnection, product: i32, form: Form, first: i64, last: i64) -> i64 {
    let sql = format!(
        "SELECT COUNT(DISTINCT r.id) AS n FROM \"Review\" r JOIN \"Answer\" a \
         ON a.review_id = r.id AND a.review_created_at = r.created_at \
         WHERE {WINDOW} AND {RATED} AND a.field_code = 'contact_tried'"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(product)
        .bind(first)
        .bind(last)
        .bind(form.0)
        .bind(form.1)
        .fetch_one(source)
        .await
        .unwrap()
        .get("n")
}

/// The incumbent's figures over its buckets.
fn figures(buckets: &[Bucket], button: Option<i64>, autonomy_count: i64) -> Expected {
    let kept: Vec<&Bucket> = buckets
        .iter()
        .filter(|b| button.is_none_or(|id| id == b.button))
        .collect();
    let of = |code: &'static str| kept.iter().filter(move |b| b.code == code);
    let marks = |intention: &str| match intention {
        "very_good" => 10.0,
        "good" => 7.5,
        "medium" => 5.0,
        "bad" => 2.5,
        _ => 0.0,
    };
    // From 0, as JavaScript's `reduce`: Rust's `sum` of no number is -0.
    let sum = |it: &mut dyn Iterator<Item = f64>| it.fold(0.0, |sum, n| sum + n);
    let count = |code: &'static str| of(code).map(|b| b.n).sum::<i64>();
    let satisfaction_count = count("satisfaction");
    let satisfaction_sum = sum(&mut of("satisfaction").map(|b| {
        let mark = match b.intention.as_str() {
            "good" => 10.0,
            "medium" => 5.0,
            _ => 0.0,
        };
        mark * b.n as f64
    }));
    let comprehension_count = count("comprehension");
    let comprehension_sum = sum(&mut of("comprehension").map(|b| marks(&b.intention) * b.n as f64));
    let reached_count = count("contact_reached");
    let yes: i64 = of("contact_reached")
        .filter(|b| b.text == "Oui")
        .map(|b| b.n)
        .sum();
    let no: i64 = of("contact_reached")
        .filter(|b| b.text == "Non")
        .map(|b| b.n)
        .sum();
    let rated_count = count("contact_satisfaction");
    let rated_sum = sum(&mut of("contact_satisfaction").map(|b| marks(&b.intention) * b.n as f64));
    let autonomous: i64 = of("contact_tried")
        .filter(|b| b.intention == "good")
        .map(|b| 10 * b.n)
        .sum();
    let ratio = |sum: f64, count: i64| {
        let value = sum / count as f64;
        if value.is_nan() { 0.0 } else { value }
    };
    Expected {
        figures: vec![
            ("satisfaction", ratio(satisfaction_sum, satisfaction_count)),
            (
                "comprehension",
                ratio(comprehension_sum, comprehension_count),
            ),
            ("contact", ratio(rated_sum, rated_count + no)),
            ("contact_reachability", ratio(yes as f64, reached_count)),
            ("contact_satisfaction", ratio(rated_sum, rated_count)),
            ("autonomy", ratio(autonomous as f64, autonomy_count)),
        ],
        metadata: json!({
            "satisfaction_count": satisfaction_count,
            "comprehension_count": comprehension_count,
            "contact_count": rated_count + no,
            "contactReachability_count": reached_count,
            "contactSatisfaction_count": rated_count,
            "autonomy_count": autonomy_count,
        }),
    }
}

const DAY: i64 = 86_400_000;

/// The pull's answer to `input`, as text.
async fn pull(app: &crate::helpers::TestApp, input: &Value) -> (StatusCode, String) {
    let mut url = url::Url::parse(&format!(
        "{}/api/trpc/answer.getObservatoireStats",
        app.address
    ))
    .unwrap();
    url.query_pairs_mut()
        .append_pair("input", &json!({ "json": input }).to_string());
    let response = app.client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn an_imported_database_answers_the_observatory_as_the_incumbent_did() {
    let source = incumbent(4_500).await;
    let app = spawn_compat().await;
    import(&app.database_url, &source, &[]);
    let mut conn = PgConnection::connect(&source).await.unwrap();
    let mut rng = StdRng::seed_from_u64(2024);
    let first_day = "2024-04-23T00:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond()
        / DAY;
    let today = jiff::Timestamp::now().as_millisecond() / DAY;
    // Products 3, 6 and 9 are public; product p's buttons are 2p - 1 and 2p. Product 3 has its
    // legacy form 3; product 6 its legacy form 6 and form 15, which button 12 belongs to;
    // product 9 only form 9, not a legacy one. Reviews before June 2025 carry form 1 or 2.
    let forms: [(i32, &[Form]); 3] = [
        (3, &[(3, true)]),
        (6, &[(6, true), (15, false)]),
        (9, &[(9, false)]),
    ];
    for (product, product_forms) in forms {
        for round in 0..12 {
            let a = rng.random_range(first_day..today);
            let b = rng.random_range(a..today);
            let (first, last) = if round % 2 == 0 {
                (a * DAY, b * DAY + DAY - 1)
            } else {
                (
                    a * DAY + rng.random_range(0..DAY),
                    b * DAY + rng.random_range(0..DAY),
                )
            };
            let button = match round % 3 {
                0 => None,
                1 => Some(2 * i64::from(product) - 1),
                _ => Some(2 * i64::from(product)),
            };
            let form = product_forms[round / 3 % product_forms.len()];
            let mut input = json!({"product_id": product,
                "start_date": first.to_string(), "end_date": last.to_string()});
            // Without a form, the legacy one; the robot always names one.
            if !(form.1 && round % 4 == 3) {
                input["form_id"] = json!(form.0);
            }
            if let Some(button) = button {
                input["button_id"] = json!(button);
            }
            let expected = figures(
                &buckets(&mut conn, product, form, first, last).await,
                button,
                tried(&mut conn, product, form, first, last).await,
            );
            let (status, text) = pull(&app, &input).await;
            assert_eq!(status, StatusCode::OK, "{input}: {text}");
            let body: Value = serde_json::from_str(&text).unwrap();
            assert!(
                body["result"]["data"]["json"]["metadata"]["satisfaction_count"].as_i64() > Some(0)
                    || b - a < 30
                    || button.is_some()
                    || !form.1,
                "{input}: {text}"
            );
            expected.check(&text, &input.to_string());
        }
    }

    // Since June 2025 form 15 has counted its own reviews only, and product 9's form its own:
    // the older ones of their buttons count nowhere.
    let june = "2025-06-01T00:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    for (product, form) in [(6, (15, false)), (9, (9, false)), (6, (6, true))] {
        let input = json!({"product_id": product, "form_id": form.0,
            "start_date": (june - 300 * DAY).to_string(), "end_date": (june - 1).to_string()});
        let expected = figures(
            &buckets(&mut conn, product, form, june - 300 * DAY, june - 1).await,
            None,
            tried(&mut conn, product, form, june - 300 * DAY, june - 1).await,
        );
        let (status, text) = pull(&app, &input).await;
        assert_eq!(status, StatusCode::OK, "{input}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        let counted = body["result"]["data"]["json"]["metadata"]["satisfaction_count"].clone();
        assert_eq!(counted.as_i64().unwrap() == 0, !form.1, "{input}: {text}");
        expected.check(&text, &input.to_string());
    }

    // A form the product does not have, none at all, or none asked for where the product has
    // no legacy form: the incumbent's errors.
    for (input, message) in [
        (json!({"product_id": 3, "form_id": 15}), "Form not found"),
        (json!({"product_id": 3, "form_id": 4242}), "Form not found"),
        (
            json!({"product_id": 9}),
            "Cannot read properties of undefined (reading 'id')",
        ),
    ] {
        let (status, text) = pull(&app, &input).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{input}: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["json"]["message"], message, "{input}");
    }
}
