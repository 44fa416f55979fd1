//! Reading the incumbent's PostgreSQL database: one connection, one read-only transaction in
//! `REPEATABLE READ`, so every table is read as of the same instant however long the import
//! takes, and the incumbent can keep running meanwhile.
//!
//! Tables and columns are those of its Prisma schema (quoted, camel-cased names). Instants are
//! `timestamp(3)` without time zone, in UTC: they are read as Unix milliseconds. The client
//! identifier `Review.user_id` is never read.

use anyhow::Context;
use sqlx::{Connection, PgConnection, Row};

use super::answers::SourceAnswer;

/// An entity (organisation).
pub struct Entity {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
}

/// A product (procedure), with what its forms say of it.
pub struct Product {
    pub id: i64,
    pub entity_id: i64,
    pub title: String,
    pub volume: Option<i64>,
    pub is_public: bool,
    /// One of its forms (or the product itself, in older schemas) is among the essential 250.
    pub essential: bool,
    pub archived: bool,
    pub xwiki_id: Option<i64>,
    pub created_at: i64,
}

/// A form of a product.
pub struct Form {
    pub id: i64,
    pub product_id: i64,
    /// The form the product was given when forms came, which also counts the older reviews.
    pub legacy: bool,
    /// Its title, else its template's.
    pub title: String,
}

/// A button (integration link), its form and the product of its form.
pub struct Button {
    pub id: i64,
    pub product_id: i64,
    pub form_id: i64,
    pub title: String,
    pub xwiki_title: Option<String>,
    pub is_test: bool,
    /// When it was deleted (soft deletion), if it was.
    pub deleted_at: Option<i64>,
    pub created_at: i64,
}

/// A review and its answers.
pub struct Review {
    pub id: i64,
    pub created_at: i64,
    pub button_id: i64,
    /// The form it carries: its button's since June 2025, 1 or 2 before, none in the XWiki era.
    pub form_id: Option<i64>,
    pub answers: Vec<SourceAnswer>,
}

/// The incumbent's database, read in one snapshot.
pub struct Source {
    conn: PgConnection,
}

const ENTITIES: &str = r#"SELECT id::BIGINT AS id, name,
    (EXTRACT(EPOCH FROM created_at) * 1000)::BIGINT AS created_at
    FROM "Entity" ORDER BY id"#;

const PRODUCTS: &str = r#"SELECT p.id::BIGINT AS id, p.entity_id::BIGINT AS entity_id, p.title,
    p.volume::BIGINT AS volume, COALESCE(p."isPublic", FALSE) AS is_public,
    COALESCE(p."isTop250", FALSE) OR EXISTS (
        SELECT 1 FROM "Form" f WHERE f.product_id = p.id AND f."isTop250"
    ) AS essential,
    p.status::TEXT = 'archived' AS archived, p.xwiki_id::BIGINT AS xwiki_id,
    (EXTRACT(EPOCH FROM p.created_at) * 1000)::BIGINT AS created_at
    FROM "Product" p ORDER BY p.id"#;

const FORMS: &str = r#"SELECT f.id::BIGINT AS id, f.product_id::BIGINT AS product_id,
    COALESCE(f.legacy, FALSE) AS legacy, COALESCE(NULLIF(f.title, ''), t.title, '') AS title
    FROM "Form" f LEFT JOIN "FormTemplate" t ON t.id = f.form_template_id ORDER BY f.id"#;

/// The form each review of some products carried, after a given id, in the order of ids.
const REVIEW_FORMS: &str = r#"SELECT r.id::BIGINT AS id, r.button_id::BIGINT AS button_id,
    r.form_id::BIGINT AS form_id FROM "Review" r
    WHERE r.product_id = ANY($1) AND r.id > $2 ORDER BY r.id LIMIT $3"#;

const BUTTONS: &str = r#"SELECT b.id::BIGINT AS id, f.product_id::BIGINT AS product_id,
    b.form_id::BIGINT AS form_id, b.title,
    b.xwiki_title, COALESCE(b."isTest", FALSE) AS is_test,
    CASE WHEN b.deleted_at IS NOT NULL OR COALESCE(b."isDeleted", FALSE)
        THEN (EXTRACT(EPOCH FROM COALESCE(b.deleted_at, b.updated_at)) * 1000)::BIGINT END
        AS deleted_at,
    (EXTRACT(EPOCH FROM b.created_at) * 1000)::BIGINT AS created_at
    FROM "Button" b JOIN "Form" f ON f.id = b.form_id ORDER BY b.id"#;

/// Reviews after a given id, in the order of their ids (the incumbent's sequence, so nearly the
/// order of time): each partition's primary key index starts at the id.
/// The sort names the table's column: the output's `id` is a cast, which no index orders.
const REVIEWS: &str = r#"SELECT r.id::BIGINT AS id, r.button_id::BIGINT AS button_id,
    r.form_id::BIGINT AS form_id,
    (EXTRACT(EPOCH FROM r.created_at) * 1000)::BIGINT AS created_at
    FROM "Review" r WHERE r.id > $1 ORDER BY r.id LIMIT $2"#;

/// The answers of the reviews whose ids run from $1 to $2, created from $3 to $4 (ms). `Answer`
/// is partitioned on its own `created_at`, never before its review's: bounding it prunes the
/// older partitions, and in each other one the review range is one index range.
const ANSWERS: &str = r#"SELECT a.id::BIGINT AS id, a.review_id::BIGINT AS review_id, a.field_code,
    a.answer_item_id::BIGINT AS item, a.answer_text, a.intention::TEXT AS intention,
    a.parent_answer_id::BIGINT AS parent
    FROM "Answer" a
    WHERE a.review_id BETWEEN $1 AND $2
      AND a.review_created_at >= (to_timestamp($3 / 1000.0) AT TIME ZONE 'UTC')
      AND a.review_created_at <= (to_timestamp($4 / 1000.0) AT TIME ZONE 'UTC')
      AND a.created_at >= (to_timestamp($3 / 1000.0) AT TIME ZONE 'UTC')
    ORDER BY a.review_id, a.id"#;

impl Source {
    /// Connects to `url` and opens the snapshot every later read sees.
    pub async fn open(url: &str) -> anyhow::Result<Source> {
        let mut conn = PgConnection::connect(url)
            .await
            .context("cannot connect to the incumbent's database (--source-url)")?;
        sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut conn)
            .await
            .context("cannot open a read-only snapshot of the incumbent's database")?;
        Ok(Source { conn })
    }

    pub async fn entities(&mut self) -> anyhow::Result<Vec<Entity>> {
        let rows = sqlx::query(ENTITIES)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's entities (table \"Entity\")")?;
        rows.iter()
            .map(|r| {
                Ok(Entity {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn products(&mut self) -> anyhow::Result<Vec<Product>> {
        let rows = sqlx::query(PRODUCTS)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's products (tables \"Product\", \"Form\")")?;
        rows.iter()
            .map(|r| {
                Ok(Product {
                    id: r.try_get("id")?,
                    entity_id: r.try_get("entity_id")?,
                    title: r.try_get("title")?,
                    volume: r.try_get("volume")?,
                    is_public: r.try_get("is_public")?,
                    essential: r.try_get("essential")?,
                    archived: r.try_get("archived")?,
                    xwiki_id: r.try_get("xwiki_id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn forms(&mut self) -> anyhow::Result<Vec<Form>> {
        let rows = sqlx::query(FORMS)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's forms (tables \"Form\", \"FormTemplate\")")?;
        rows.iter()
            .map(|r| {
                Ok(Form {
                    id: r.try_get("id")?,
                    product_id: r.try_get("product_id")?,
                    legacy: r.try_get("legacy")?,
                    title: r.try_get("title")?,
                })
            })
            .collect()
    }

    pub async fn buttons(&mut self) -> anyhow::Result<Vec<Button>> {
        let rows = sqlx::query(BUTTONS)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's buttons (tables \"Button\", \"Form\")")?;
        rows.iter()
            .map(|r| {
                Ok(Button {
                    id: r.try_get("id")?,
                    product_id: r.try_get("product_id")?,
                    form_id: r.try_get("form_id")?,
                    title: r.try_get("title")?,
                    xwiki_title: r.try_get("xwiki_title")?,
                    is_test: r.try_get("is_test")?,
                    deleted_at: r.try_get("deleted_at")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The reviews up to `last` (read by an earlier import) and after it.
    pub async fn count_reviews(&mut self, last: i64) -> anyhow::Result<(i64, i64)> {
        let row = sqlx::query(
            r#"SELECT COUNT(*) FILTER (WHERE id <= $1) AS before,
                      COUNT(*) FILTER (WHERE id > $1) AS after FROM "Review""#,
        )
        .bind(last)
        .fetch_one(&mut self.conn)
        .await
        .context("cannot count the incumbent's reviews (table \"Review\")")?;
        Ok((row.try_get("before")?, row.try_get("after")?))
    }

    /// The next `limit` reviews of `products` after the id `after`, each `(id, button id, form
    /// carried)`; empty at the end.
    pub async fn review_forms(
        &mut self,
        products: &[i64],
        after: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<(i64, i64, Option<i64>)>> {
        let products: Vec<i32> = products
            .iter()
            .filter_map(|p| i32::try_from(*p).ok())
            .collect();
        let rows = sqlx::query(REVIEW_FORMS)
            .bind(products)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's reviews (table \"Review\")")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("button_id")?,
                    r.try_get("form_id")?,
                ))
            })
            .collect()
    }

    /// The next `limit` reviews after the id `after`, with their answers; empty at the end.
    pub async fn reviews_after(&mut self, after: i64, limit: i64) -> anyhow::Result<Vec<Review>> {
        let rows = sqlx::query(REVIEWS)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's reviews (table \"Review\")")?;
        let mut reviews = rows
            .iter()
            .map(|r| {
                Ok(Review {
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                    button_id: r.try_get("button_id")?,
                    form_id: r.try_get("form_id")?,
                    answers: Vec::new(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let (Some(first), Some(last)) = (reviews.first(), reviews.last()) else {
            return Ok(reviews);
        };
        let (first, last) = (first.id, last.id);
        let oldest = reviews.iter().map(|r| r.created_at).min().unwrap_or(0);
        let newest = reviews.iter().map(|r| r.created_at).max().unwrap_or(0);
        let rows = sqlx::query(ANSWERS)
            .bind(first)
            .bind(last)
            .bind(oldest)
            .bind(newest)
            .fetch_all(&mut self.conn)
            .await
            .context("cannot read the incumbent's answers (table \"Answer\")")?;
        // Both lists are in the order of review ids: one pass attaches each answer.
        let mut at = 0;
        for row in &rows {
            let review_id: i64 = row.try_get("review_id")?;
            while at < reviews.len() && reviews[at].id < review_id {
                at += 1;
            }
            let Some(review) = reviews.get_mut(at).filter(|r| r.id == review_id) else {
                continue;
            };
            review.answers.push(SourceAnswer {
                id: row.try_get("id")?,
                field_code: row.try_get("field_code")?,
                item: row.try_get("item")?,
                text: row.try_get("answer_text")?,
                intention: row.try_get("intention")?,
                parent: row.try_get("parent")?,
            });
        }
        Ok(reviews)
    }
}
