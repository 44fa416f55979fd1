//! Finding reviews: the filters of the back-office's lists, the API's and the exports', each
//! page newest first, and the search in comments on either backend.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::comment_search::Words;
use super::reviews::{REVIEW_COLUMNS, StoredReview, stored_review};
use super::{Backend, Store, StoreError};
use crate::domain::answers::{Channel, Satisfaction, Score};
use crate::domain::search::SearchTerms;
use crate::domain::time::to_millis;
/// Which help a review says it looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpFilter {
    /// Some help, whichever.
    Any,
    /// This channel; `none` is « no help needed ».
    Channel(Channel),
}

/// Where a page of reviews starts: just after this review, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: Timestamp,
    pub id: Uuid,
}

impl From<&StoredReview> for Cursor {
    fn from(review: &StoredReview) -> Cursor {
        Cursor {
            created_at: review.created_at,
            id: review.id,
        }
    }
}

/// Which reviews to list.
#[derive(Debug, Default, Clone)]
pub struct ReviewFilter {
    pub organisation: Option<Uuid>,
    pub procedure: Option<Uuid>,
    pub button: Option<Uuid>,
    /// Only excluded reviews (`true`) or only counted ones (`false`).
    pub excluded: Option<bool>,
    /// Words the comment contains, case and accents aside.
    pub search: Option<SearchTerms>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub satisfaction: Option<Satisfaction>,
    pub comprehension: Option<Score>,
    pub help: Option<HelpFilter>,
    /// Only reviews with a comment (`true`) or without (`false`).
    pub has_comment: Option<bool>,
    /// Only reviews whose author left an address to be contacted (`true`) or not (`false`).
    pub has_contact: Option<bool>,
    /// Only reviews older than this one, for the next page.
    pub after: Option<Cursor>,
    pub limit: i64,
    pub offset: i64,
}

/// A value bound to a statement.
pub(super) enum Bind {
    Text(String),
    Integer(i64),
}

/// The conditions of a `WHERE` clause and the values they bind.
#[derive(Default)]
pub(super) struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// Adds a condition whose every `?` stands for its next value.
    pub(super) fn add_all(&mut self, condition: &str, values: Vec<Bind>) {
        let mut values = values.into_iter();
        let mut numbered = String::with_capacity(condition.len() + 8);
        for c in condition.chars() {
            if c == '?'
                && let Some(value) = values.next()
            {
                self.binds.push(value);
                numbered.push_str(&format!("${}", self.binds.len()));
            } else {
                numbered.push(c);
            }
        }
        self.sql.push(numbered);
    }

    pub(super) fn add(&mut self, condition: &str, value: Bind) {
        self.add_all(condition, vec![value]);
    }

    /// The `WHERE` clause of every condition, with a space before it; nothing without one.
    pub(super) fn clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.sql.join(" AND "))
        }
    }

    /// `sql` with the conditions' values bound.
    pub(super) fn bound(
        self,
        sql: String,
    ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        bound(sql, self.binds)
    }
}

impl Store {
    /// Reviews matching `filter`, newest first. With a cursor, each page costs the same however
    /// far it is from the first.
    pub async fn list_reviews(
        &self,
        filter: &ReviewFilter,
    ) -> Result<Vec<StoredReview>, StoreError> {
        let columns: Vec<String> = REVIEW_COLUMNS
            .split(',')
            .map(|c| format!("r.{c} AS {c}", c = c.trim()))
            .collect();
        let columns = columns.join(", ");
        let page = format!(
            " ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
            filter.limit, filter.offset
        );
        // A search on PostgreSQL first checks the newest comments one by one: enough when its
        // words are common. When they fill no page there, they are rare: it gathers them all.
        if self.backend == Backend::Postgres && filter.search.is_some() {
            let since = self.newest_commented_since(filter).await?;
            let (sql, binds) = self
                .matching(filter, &columns, Words::Newest(since))
                .await?;
            let rows = self.read_page(sql + &page, binds).await?;
            if since.is_none() || rows.len() as i64 == filter.limit {
                return Ok(rows.iter().map(stored_review).collect::<Result<_, _>>()?);
            }
        }
        let (mut sql, binds) = self.matching(filter, &columns, Words::Gathered).await?;
        if self.backend == Backend::Postgres && filter.search.is_some() {
            // The fence (`OFFSET 0`) keeps PostgreSQL from walking the reviews newest first in
            // search of the few it gathered: it sorts those instead.
            sql = format!("SELECT * FROM ({sql} OFFSET 0) gathered");
        }
        let rows = self.read_page(sql + &page, binds).await?;
        Ok(rows.iter().map(stored_review).collect::<Result<_, _>>()?)
    }

    /// The rows of one page of a list. On PostgreSQL without parallel workers: a page is read
    /// in a few milliseconds, and starting workers to share it cost tens more (72 ms against
    /// 3 ms for a page of a large procedure's commented reviews, on a busy 2-core machine).
    async fn read_page(&self, sql: String, binds: Vec<Bind>) -> Result<Vec<AnyRow>, StoreError> {
        if self.backend == Backend::Sqlite {
            return Ok(bound(sql, binds).fetch_all(&self.read).await?);
        }
        let mut transaction = self.read.begin().await?;
        sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0")
            .execute(&mut *transaction)
            .await?;
        let rows = bound(sql, binds).fetch_all(&mut *transaction).await?;
        transaction.commit().await?;
        Ok(rows)
    }

    /// How many reviews match `filter` (its cursor included, its page aside).
    pub async fn count_reviews(&self, filter: &ReviewFilter) -> Result<i64, StoreError> {
        let (sql, binds) = self
            .matching(filter, "COUNT(*) AS n", Words::Gathered)
            .await?;
        let sql = format!("SELECT CAST(SUM(n) AS BIGINT) AS n FROM ({sql}) counted");
        let row = bound(sql, binds).fetch_one(&self.read).await?;
        Ok(row.try_get::<Option<i64>, _>("n")?.unwrap_or(0))
    }

    /// The `SELECT` of `what` from the reviews matching `filter`, and the values it binds.
    async fn matching(
        &self,
        filter: &ReviewFilter,
        what: &str,
        words: Words,
    ) -> Result<(String, Vec<Bind>), StoreError> {
        let sqlite = self.backend == Backend::Sqlite;
        let mut conditions = Conditions::default();
        let text = |value: &dyn ToString| Bind::Text(value.to_string());
        let mut rare = false;
        let mut joined = "";
        if let Some(terms) = &filter.search {
            if sqlite {
                rare = self.sqlite_search(filter, terms, &mut conditions).await?;
            } else {
                joined = Store::postgres_search(filter, terms, words, &mut conditions);
            }
        }
        let r = if rare { "+r" } else { "r" };
        if let Some(org) = filter.organisation {
            conditions.add("p.organisation_id = ?", text(&org));
        }
        if let Some(procedure) = filter.procedure {
            conditions.add(&format!("{r}.procedure_id = ?"), text(&procedure));
        }
        if let Some(button) = filter.button {
            conditions.add("r.button_id = ?", text(&button));
            // Through the procedure's index: there is none on the button.
            conditions.add(
                &format!("{r}.procedure_id = (SELECT procedure_id FROM buttons WHERE id = ?)"),
                text(&button),
            );
        }
        if let Some(from) = filter.from {
            conditions.add("r.day >= ?", text(&from));
        }
        if let Some(to) = filter.to {
            conditions.add("r.day <= ?", text(&to));
        }
        if let Some(after) = filter.after {
            let at = to_millis(after.created_at);
            // The first condition alone is what an index on the creation time can seek.
            conditions.add(&format!("{r}.created_at <= ?"), Bind::Integer(at));
            conditions.add_all(
                "(r.created_at < ? OR r.id < ?)",
                vec![Bind::Integer(at), text(&after.id)],
            );
        }
        let answer = |path: &str| {
            if sqlite {
                format!("CAST(json_extract(r.answers, '$.{path}') AS TEXT)")
            } else {
                format!("(CAST(r.answers AS jsonb) ->> '{path}')")
            }
        };
        if let Some(satisfaction) = filter.satisfaction {
            conditions.add(
                &format!("{} = ?", answer("satisfaction")),
                text(&satisfaction.code()),
            );
        }
        if let Some(score) = filter.comprehension {
            conditions.add(
                &format!("{} = ?", answer("comprehension")),
                text(&score.get()),
            );
        }
        let tried = |channel: &str| {
            if sqlite {
                format!(
                    "EXISTS (SELECT 1 FROM json_each(r.answers, '$.contact_tried') WHERE value = {channel})"
                )
            } else {
                format!("jsonb_exists(CAST(r.answers AS jsonb) -> 'contact_tried', {channel})")
            }
        };
        match filter.help {
            Some(HelpFilter::Channel(channel)) => {
                conditions.add(&tried("?"), text(&channel.code()))
            }
            Some(HelpFilter::Any) => conditions.sql.push(format!(
                "{} IS NOT NULL AND NOT {}",
                answer("contact_tried"),
                tried("'none'")
            )),
            None => {}
        }
        match filter.has_comment {
            Some(true) => conditions.sql.push("r.verbatim IS NOT NULL".to_owned()),
            Some(false) => conditions.sql.push("r.verbatim IS NULL".to_owned()),
            None => {}
        }
        let contact = "EXISTS (SELECT 1 FROM contact_emails c WHERE c.review_id = r.id)";
        match filter.has_contact {
            Some(true) => conditions.sql.push(contact.to_owned()),
            Some(false) => conditions.sql.push(format!("NOT {contact}")),
            None => {}
        }
        match filter.excluded {
            Some(true) => conditions
                .sql
                .push("r.excluded_reason IS NOT NULL".to_owned()),
            Some(false) => conditions.sql.push("r.excluded_reason IS NULL".to_owned()),
            None => {}
        }
        let select = |filed: Option<&str>| {
            // The procedures are read for an organisation's reviews only.
            let procedures = if filter.organisation.is_some() {
                " JOIN procedures p ON p.id = r.procedure_id"
            } else {
                ""
            };
            let mut select = format!("SELECT {what} FROM reviews r{procedures}{joined}");
            let conditions: Vec<&str> = conditions
                .sql
                .iter()
                .map(String::as_str)
                .chain(filed)
                .collect();
            if !conditions.is_empty() {
                select.push_str(" WHERE ");
                select.push_str(&conditions.join(" AND "));
            }
            select
        };
        // On SQLite a procedure's index holds its filed reviews only; those the writer has not
        // filed yet are read apart, in the order they came, and the two merged.
        let by_procedure = filter.procedure.is_some() || filter.button.is_some();
        let sql = if by_procedure && sqlite {
            format!(
                "{} UNION ALL {}",
                select(Some("r.filed = 1")),
                select(Some("r.filed = 0"))
            )
        } else {
            select(None)
        };
        Ok((sql, conditions.binds))
    }
}

/// A statement with its values bound in order, planned for those values each time: a plan kept
/// for any value (PostgreSQL's generic plan, after a few calls) would read a procedure of a
/// million reviews as it reads one of ten, and a word found nowhere as a common one.
fn bound(
    sql: String,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
    for bind in binds {
        query = match bind {
            Bind::Text(value) => query.bind(value),
            Bind::Integer(value) => query.bind(value),
        };
    }
    query
}
