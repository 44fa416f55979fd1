//! Sums of counters over a window, the only input indicators need.
//!
//! Test buttons are left out here, by joining the (small) buttons table; excluded reviews never
//! reach the counters in the first place.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use sqlx::Row;
use uuid::Uuid;

use super::aggregates::{COLUMNS, SUMS, tally};
use super::{Backend, Store, StoreError};
use crate::domain::aggregate::Tally;
use crate::domain::indicators::Counts;

/// Each day's counters of the reviews that count. The table is keyed by procedure first: going
/// through the (small) buttons table first makes a procedure's days one range of the key (a
/// `CROSS JOIN` keeps SQLite from scanning the whole table instead; PostgreSQL plans it as any
/// inner join).
static DAYS: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<String> = COLUMNS.iter().map(|c| format!("a.{c}")).collect();
    format!(
        "SELECT a.procedure_id, a.day AS period, {} FROM buttons b CROSS JOIN daily_counters a \
         WHERE a.procedure_id = b.procedure_id AND a.button_id = b.id AND b.is_test = 0",
        columns.join(", "),
    )
});

/// Each counting button's counts over a window, as packed text items (see below), `{filter}`
/// standing for the condition on buttons `b` that picks the procedures read.
///
/// The running totals hold closed days only (see [`super::running`]): a button's counts are its
/// totals at the window's last day (`$2`) or the last closed day, whichever comes first, minus
/// those at the day before the window's first (`$1`) or the last closed day, each the latest row
/// on or before that day, found along the key (procedure, button, day); plus its day counters
/// of the open days in the window. Buttons whose totals did not move are left out.
fn window_sql(backend: Backend, by: By) -> String {
    let key = match by {
        By::Procedure => "b.procedure_id",
        By::Button | By::AnyButton => "b.id",
    };
    let counting = match by {
        By::Procedure | By::Button => " AND b.is_test = 0",
        By::AnyButton => "",
    };
    // The 47 numbers of an item in one text column, added up per procedure by the caller:
    // decoding one column per counter cost more than the query, and summing in SQL about as
    // much again. SQLite's `printf` writes the numbers straight into one string, where
    // `concat_ws` first made a text value of each.
    let packed = |terms: Vec<String>| match backend {
        Backend::Sqlite => format!(
            "printf('{}', {})",
            vec!["%d"; terms.len()].join(","),
            terms.join(", ")
        ),
        Backend::Postgres => format!("concat_ws(',', {})", terms.join(", ")),
    };
    let differences = packed(
        COLUMNS
            .iter()
            .map(|c| format!("hi.{c} - COALESCE(lo.{c}, 0)"))
            .collect(),
    );
    let open_days = packed(COLUMNS.iter().map(|c| format!("o.{c}")).collect());
    let closed = "(SELECT day FROM running_counters_through)";
    let (earlier, later) = match backend {
        Backend::Sqlite => ("min", "max"),
        Backend::Postgres => ("LEAST", "GREATEST"),
    };
    let end = |param: &str| format!("{earlier}({param}, {closed})");
    // All items in one row, `procedure,n,n,…;procedure,n,…`: sqlx hands each row from SQLite's
    // thread to the caller's with a wake-up, which cost more than the row's work.
    let (all, from) = match backend {
        // SQLite has no `LATERAL`: the day is found first, then the row with it (two seeks).
        // It goes through the buttons first only when told so (`CROSS JOIN`): for one
        // procedure it chose to scan all of its running totals instead.
        Backend::Sqlite => {
            let at = |alias: &str, param: &str| {
                format!(
                    "running_counters {alias} ON {alias}.procedure_id = b.procedure_id \
                     AND {alias}.button_id = b.id AND {alias}.day = (SELECT MAX(x.day) \
                     FROM running_counters x WHERE x.procedure_id = b.procedure_id \
                     AND x.button_id = b.id AND x.day <= {})",
                    end(param)
                )
            };
            (
                "group_concat",
                format!("CROSS JOIN {} LEFT JOIN {}", at("hi", "$2"), at("lo", "$1")),
            )
        }
        // One backward scan of the key per end and button, which reads the row it stops at:
        // half the descents of finding the day first (110 rather than 150 ms for 2,200
        // buttons, 1 million reviews).
        Backend::Postgres => {
            let at = |param: &str| {
                format!(
                    "LATERAL (SELECT * FROM running_counters x WHERE x.procedure_id = b.procedure_id \
                     AND x.button_id = b.id AND x.day <= {} ORDER BY x.day DESC LIMIT 1)",
                    end(param)
                )
            };
            (
                "string_agg",
                format!(
                    "CROSS JOIN {} hi LEFT JOIN {} lo ON TRUE",
                    at("$2"),
                    at("$1")
                ),
            )
        }
    };
    // The open days go through the buttons too, so that each button's are one range of the
    // day counters' key (procedure, day, button).
    format!(
        "SELECT {all}(item, ';') AS counts FROM (\
         SELECT {key} || ',' || {differences} AS item FROM buttons b {from} \
         WHERE (lo.day IS NULL OR lo.day < hi.day){counting}{{filter}} \
         UNION ALL \
         SELECT {key} || ',' || {open_days} AS item \
         FROM buttons b CROSS JOIN daily_counters o \
         WHERE o.procedure_id = b.procedure_id AND o.button_id = b.id \
         AND o.day > {later}($1, {closed}) AND o.day <= $2{counting}{{filter}}\
         ) AS items"
    )
}

/// The first hex digit of part `part` of `parts` (the parts share the 16 digits out in order),
/// and for `part == parts` a character after all of them.
fn first_digit(part: usize, parts: usize) -> String {
    const DIGITS: &str = "0123456789abcdef";
    DIGITS
        .get(16 * part / parts..)
        .and_then(|rest| rest.chars().next())
        .unwrap_or('g')
        .to_string()
}

/// Parts a read of every procedure is split into: one per core, at most 4 (the read
/// connections of SQLite).
static PARTS: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4)));

/// What the counts of a window are summed by.
/// Whose counters a window read sums.
#[derive(Debug, Clone, Copy)]
enum Which<'a> {
    All,
    One(Uuid),
    These(&'a [Uuid]),
}

#[derive(Debug, Clone, Copy)]
enum By {
    Procedure,
    Button,
    /// Each button, test buttons too (the incumbent's figures count them).
    AnyButton,
}

static WINDOW_SQLITE: LazyLock<String> =
    LazyLock::new(|| window_sql(Backend::Sqlite, By::Procedure));
static WINDOW_POSTGRES: LazyLock<String> =
    LazyLock::new(|| window_sql(Backend::Postgres, By::Procedure));
static BUTTONS_SQLITE: LazyLock<String> = LazyLock::new(|| window_sql(Backend::Sqlite, By::Button));
static BUTTONS_POSTGRES: LazyLock<String> =
    LazyLock::new(|| window_sql(Backend::Postgres, By::Button));
static ANY_BUTTONS_SQLITE: LazyLock<String> =
    LazyLock::new(|| window_sql(Backend::Sqlite, By::AnyButton));
static ANY_BUTTONS_POSTGRES: LazyLock<String> =
    LazyLock::new(|| window_sql(Backend::Postgres, By::AnyButton));

impl Store {
    /// Summed counters per procedure over `[from, to]`, for one procedure or all of them: two
    /// reads of running totals per button, whatever the window's length, and the day counters
    /// of the days not yet closed.
    #[tracing::instrument(skip(self))]
    pub async fn sum_counters(
        &self,
        from: Date,
        to: Date,
        procedure: Option<Uuid>,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        let which = procedure.map_or(Which::All, Which::One);
        self.sums(from, to, which, By::Procedure).await
    }

    /// Summed counters of these procedures over `[from, to]`: the same reads as
    /// [`Store::sum_counters`], of their buttons only.
    #[tracing::instrument(skip(self, procedures))]
    pub async fn sum_counters_of(
        &self,
        from: Date,
        to: Date,
        procedures: &[Uuid],
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        if procedures.is_empty() {
            return Ok(HashMap::new());
        }
        self.sums(from, to, Which::These(procedures), By::Procedure)
            .await
    }

    /// Summed counters per counting button of one procedure over `[from, to]`: the same reads
    /// as [`Store::sum_counters`], left apart by button. A button without counts is left out.
    #[tracing::instrument(skip(self))]
    pub async fn sum_counters_by_button(
        &self,
        from: Date,
        to: Date,
        procedure: Uuid,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        self.sums(from, to, Which::One(procedure), By::Button).await
    }

    /// Summed counters per button of one procedure over `[from, to]`, test buttons included:
    /// the same reads as [`Store::sum_counters_by_button`]. A button without counts is left out.
    #[tracing::instrument(skip(self))]
    pub async fn sum_counters_by_any_button(
        &self,
        from: Date,
        to: Date,
        procedure: Uuid,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        self.sums(from, to, Which::One(procedure), By::AnyButton)
            .await
    }

    async fn sums(
        &self,
        from: Date,
        to: Date,
        which: Which<'_>,
        by: By,
    ) -> Result<HashMap<Uuid, Counts>, StoreError> {
        let before = from
            .yesterday()
            .map_or_else(|_| "0".to_owned(), |d| d.to_string());
        let window = match (self.backend, by) {
            (Backend::Sqlite, By::Procedure) => &*WINDOW_SQLITE,
            (Backend::Postgres, By::Procedure) => &*WINDOW_POSTGRES,
            (Backend::Sqlite, By::Button) => &*BUTTONS_SQLITE,
            (Backend::Postgres, By::Button) => &*BUTTONS_POSTGRES,
            (Backend::Sqlite, By::AnyButton) => &*ANY_BUTTONS_SQLITE,
            (Backend::Postgres, By::AnyButton) => &*ANY_BUTTONS_POSTGRES,
        };
        // Every procedure at once is read in parts, each on its own connection: a part is the
        // buttons whose id ends with one of a range of hex digits (random bits of a UUID v7).
        let parts = match which {
            Which::All => *PARTS,
            Which::One(_) | Which::These(_) => 1,
        };
        let listed = match which {
            Which::These(procedures) => {
                serde_json::to_string(procedures).map_err(|e| sqlx::Error::Encode(Box::new(e)))?
            }
            _ => String::new(),
        };
        let these = match self.backend {
            Backend::Sqlite => " AND b.procedure_id IN (SELECT value FROM json_each($3))",
            Backend::Postgres => {
                " AND b.procedure_id IN (SELECT json_array_elements_text(CAST($3 AS json)))"
            }
        };
        let reads = (0..parts).map(|part| {
            let (filter, binds) = match which {
                Which::One(procedure) => (" AND b.procedure_id = $3", vec![procedure.to_string()]),
                Which::These(_) => (these, vec![listed.clone()]),
                Which::All if parts > 1 => (
                    " AND lower(substr(b.id, 36, 1)) >= $3 AND lower(substr(b.id, 36, 1)) < $4",
                    vec![first_digit(part, parts), first_digit(part + 1, parts)],
                ),
                Which::All => ("", Vec::new()),
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(window.replace("{filter}", filter)))
                .bind(before.clone())
                .bind(to.to_string());
            for bind in binds {
                query = query.bind(bind);
            }
            async move {
                let packed: Option<String> =
                    query.fetch_one(&self.read).await?.try_get("counts")?;
                Ok::<_, StoreError>(packed)
            }
        });
        let packed = futures_util::future::try_join_all(reads).await?;
        let mut sums: HashMap<Uuid, Counts> = HashMap::new();
        for button in packed.iter().flatten().flat_map(|p| p.split(';')) {
            let decoded = button.split_once(',').and_then(|(key, counts)| {
                Some((Uuid::parse_str(key).ok()?, Tally::parse(counts)?))
            });
            let (key, counts) = decoded
                .ok_or_else(|| sqlx::Error::Decode(format!("window counts: {button}").into()))?;
            sums.entry(key).or_default().merge(&counts);
        }
        sums.retain(|_, tally| !tally.is_zero());
        Ok(sums)
    }

    /// One procedure's summed counters per day over `[from, to]`, of one of its buttons only
    /// when `button` names one.
    #[tracing::instrument(skip(self))]
    pub async fn daily_counters(
        &self,
        procedure: Uuid,
        button: Option<Uuid>,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, Counts)>, StoreError> {
        let only = if button.is_some() {
            " AND a.button_id = $4"
        } else {
            ""
        };
        let sql = format!(
            "SELECT period, {} FROM ({} AND a.procedure_id = $1 AND a.day >= $2 AND a.day <= $3{only}) \
             AS c GROUP BY period ORDER BY period",
            *SUMS, *DAYS
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(procedure.to_string())
            .bind(from.to_string())
            .bind(to.to_string());
        if let Some(button) = button {
            query = query.bind(button.to_string());
        }
        let rows = query.fetch_all(&self.read).await?;
        let mut days: Vec<(Date, Counts)> = Vec::with_capacity(rows.len());
        for row in rows {
            let day: String = row.try_get("period")?;
            let day: Date = day.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            let tally = tally(&row)?;
            if !tally.is_zero() {
                days.push((day, tally));
            }
        }
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use super::first_digit;

    #[test]
    fn the_parts_share_every_hex_digit_out_once() {
        for parts in 1..=4 {
            let digits: Vec<char> = "0123456789abcdef".chars().collect();
            let mut owners = vec![0; digits.len()];
            for part in 0..parts {
                let (from, until) = (first_digit(part, parts), first_digit(part + 1, parts));
                assert!(from < until, "{parts} parts: part {part} is empty");
                for (i, digit) in digits.iter().enumerate() {
                    let digit = digit.to_string();
                    if from <= digit && digit < until {
                        owners[i] += 1;
                    }
                }
            }
            assert_eq!(owners, vec![1; 16], "{parts} parts");
        }
    }
}
