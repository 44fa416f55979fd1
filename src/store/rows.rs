//! Many rows in one parameter: a JSON array of arrays that the statement unpacks itself.
//!
//! A statement fed this way has the same text whatever the number of rows, so each connection
//! prepares it once and keeps it; SQLite and PostgreSQL both parse the JSON far faster than they
//! bind (and, for multi-row `VALUES`, parse) thousands of separate parameters.

use std::fmt::Write;

use sqlx::Row;

use super::Backend;

/// One cell of a row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

impl From<i64> for Cell<'_> {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Cell::Null, Cell::Text)
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Cell::Null, Cell::Int)
    }
}

/// Rows being written as JSON.
#[derive(Default)]
pub struct Rows {
    json: String,
    count: usize,
}

impl Rows {
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) {
        self.open();
        for cell in cells {
            self.write(cell);
        }
        self.close();
    }

    fn open(&mut self) {
        self.json
            .push_str(if self.count == 0 { "[[" } else { ",[" });
    }

    fn separate(&mut self) {
        if !self.json.ends_with('[') {
            self.json.push(',');
        }
    }

    fn write(&mut self, cell: Cell<'_>) {
        self.separate();
        match cell {
            Cell::Text(text) => escape(&mut self.json, text),
            Cell::Int(n) => {
                let _ = write!(self.json, "{n}");
            }
            Cell::Null => self.json.push_str("null"),
        }
    }

    fn close(&mut self) {
        self.json.push(']');
        self.count += 1;
    }

    /// Pushes `cells`, then `counts` in one text cell, read back by [`count`]: on SQLite
    /// fixed-width fields, on PostgreSQL an array literal. SQLite finds an array's element by
    /// walking the elements before it, so reading 47 counts as cells walked about 1,100 elements
    /// per row (a third of the time `avis seed` spent in SQLite); PostgreSQL parsed each count
    /// cell as a `numeric`, then printed it to read it back as a `BIGINT`.
    pub fn push_counted<'a>(
        &mut self,
        backend: Backend,
        cells: impl IntoIterator<Item = Cell<'a>>,
        counts: &[i64],
    ) {
        self.open();
        for cell in cells {
            self.write(cell);
        }
        match backend {
            Backend::Postgres => {
                self.separate();
                self.json.push_str("\"{");
                for (i, n) in counts.iter().enumerate() {
                    if i > 0 {
                        self.json.push(',');
                    }
                    let _ = write!(self.json, "{n}");
                }
                self.json.push_str("}\"");
            }
            Backend::Sqlite => {
                self.separate();
                self.json.push('"');
                for n in counts {
                    fixed_width(&mut self.json, *n);
                }
                self.json.push('"');
            }
        }
        self.close();
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The JSON text to bind.
    pub fn into_json(mut self) -> String {
        if self.count == 0 {
            return "[]".to_owned();
        }
        self.json.push(']');
        self.json
    }
}

/// Appends `n` right-aligned in [`COUNT_WIDTH`] characters.
fn fixed_width(json: &mut String, n: i64) {
    let mut field = [b' '; COUNT_WIDTH];
    let mut magnitude = n.unsigned_abs();
    let mut at = COUNT_WIDTH;
    loop {
        at -= 1;
        field[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if n < 0 {
        field[at - 1] = b'-';
    }
    json.push_str(std::str::from_utf8(&field).expect("digits, spaces and a sign are ASCII"));
}

/// Appends `text` as a JSON string.
fn escape(json: &mut String, text: &str) {
    if !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        json.push('"');
        json.push_str(text);
        json.push('"');
        return;
    }
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(json, "\\u{:04x}", u32::from(c));
            }
            c => json.push(c),
        }
    }
    json.push('"');
}

/// Where a statement reads its rows: the [`Rows`] bound as parameter `n`. In a statement that
/// [`Script::run_if`] runs, they are read only if its guard yields a row.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    backend: Backend,
    n: usize,
    guarded: bool,
}

impl Bound {
    /// The rows bound as parameter `n`.
    pub fn at(backend: Backend, n: usize) -> Bound {
        Bound {
            backend,
            n,
            guarded: false,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// The name [`Script::run_if`] gives its guard.
const GUARD: &str = "guard";

/// The `FROM` item that yields one `value` per row of `rows`.
pub fn source(rows: Bound) -> String {
    let n = rows.n;
    match rows.backend {
        Backend::Sqlite => format!("jsonb_each(${n})"),
        // No guard row, no JSON: no rows.
        Backend::Postgres if rows.guarded => {
            format!("jsonb_array_elements((SELECT CAST(${n} AS jsonb) FROM {GUARD})) AS j(value)")
        }
        Backend::Postgres => format!("jsonb_array_elements(CAST(${n} AS jsonb)) AS j(value)"),
    }
}

/// Characters of one count on SQLite (see [`Rows::push_counted`]): any `i64`, sign included.
const COUNT_WIDTH: usize = 20;

/// A materialized `WITH`, to put before a statement, that makes the rows pushed with
/// [`Rows::push_counted`] and bound as `rows` a row source named `m`: its first cells
/// (`first` of them) as text columns `m.c0`, `m.c1`…, its counts read with [`count`]. Each row's
/// counts are read once: on SQLite as a blob (taken from the row for every count, they were
/// copied 47 times, and a text's slice counts characters from its start), on PostgreSQL as an
/// array (an inlined cast would parse the whole literal for every count).
pub fn counted(rows: Bound, first: usize) -> String {
    let cells: Vec<String> = (0..first)
        .map(|i| format!("CAST(value ->> {i} AS TEXT) AS c{i}"))
        .collect();
    let cells = cells.join(", ");
    let counts = match rows.backend {
        Backend::Sqlite => "BLOB",
        Backend::Postgres => "BIGINT[]",
    };
    format!(
        "WITH m AS MATERIALIZED (SELECT {cells}, CAST(value ->> {first} AS {counts}) AS counts \
         FROM {}) ",
        source(rows)
    )
}

/// Count `i` of the rows of a [`counted`] source, as a `BIGINT`.
pub fn count(backend: Backend, i: usize) -> String {
    match backend {
        Backend::Sqlite => format!(
            "CAST(substr(m.counts, {}, {COUNT_WIDTH}) AS INTEGER)",
            1 + i * COUNT_WIDTH
        ),
        Backend::Postgres => format!("m.counts[{}]", i + 1),
    }
}

/// Cell `i` of a row, as SQL type `ty` (`TEXT` or `BIGINT`).
pub fn cell(i: usize, ty: &str) -> String {
    format!("CAST(value ->> {i} AS {ty})")
}

/// Statements fed one JSON parameter each, run in order: in one call on SQLite (every call to its
/// connection's thread is a round trip between threads), one by one on PostgreSQL (which takes
/// one statement per call when it has parameters), or there as one statement with
/// [`Script::run_if`].
pub struct Script {
    backend: Backend,
    statements: Vec<(String, String)>,
    /// For [`Script::run_if`]: how many parameters its guard takes, which come first.
    guard_parameters: Option<usize>,
}

impl Script {
    pub fn new(backend: Backend) -> Script {
        Script {
            backend,
            statements: Vec::new(),
            guard_parameters: None,
        }
    }

    /// A script for [`Script::run_if`] with a guard of `parameters` parameters, on PostgreSQL: its
    /// statements must not touch the same row twice (they run as one and see none of each
    /// other's changes).
    pub fn guarded(parameters: usize) -> Script {
        Script {
            guard_parameters: Some(parameters),
            ..Script::new(Backend::Postgres)
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Adds a statement; `sql` writes it to read its rows where it is told.
    pub fn push(&mut self, sql: impl Fn(Bound) -> String, json: String) {
        let n = match (self.backend, self.guard_parameters) {
            // The guard's parameters come first.
            (_, Some(guard)) => guard + self.statements.len() + 1,
            (Backend::Sqlite, None) => self.statements.len() + 1,
            (Backend::Postgres, None) => 1,
        };
        let rows = Bound {
            backend: self.backend,
            n,
            guarded: self.guard_parameters.is_some(),
        };
        self.statements.push((sql(rows), json));
    }

    /// Runs a [`Script::guarded`] as one statement, outside any transaction (so in one round
    /// trip and one commit), if `guard` yields a row: `guard` is a query on its own parameters
    /// `$1`…, bound to `values`, that locks what it reads. Returns whether it did; if not,
    /// nothing was written.
    pub async fn run_if(
        self,
        conn: &mut sqlx::AnyConnection,
        guard: &str,
        values: &[Cell<'_>],
    ) -> Result<bool, sqlx::Error> {
        debug_assert_eq!(
            self.guard_parameters,
            Some(values.len()),
            "run_if needs a script guarded by as many parameters"
        );
        let (sql, jsons): (Vec<String>, Vec<String>) = self.statements.into_iter().unzip();
        // Data-modifying subqueries run whether or not the final query reads them.
        let writes: Vec<String> = sql
            .iter()
            .enumerate()
            .map(|(i, sql)| format!(", w{i} AS ({sql})"))
            .collect();
        let sql = format!(
            "WITH {GUARD} AS ({guard}){} SELECT count(*) AS open FROM {GUARD}",
            writes.concat()
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in values {
            query = match *value {
                Cell::Text(text) => query.bind(text.to_owned()),
                Cell::Int(n) => query.bind(n),
                Cell::Null => query.bind(None::<String>),
            };
        }
        for json in jsons {
            query = query.bind(json);
        }
        let open: i64 = query.fetch_one(&mut *conn).await?.try_get("open")?;
        Ok(open > 0)
    }

    pub async fn run(self, conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
        debug_assert!(
            self.guard_parameters.is_none(),
            "a guarded script runs with run_if"
        );
        match self.backend {
            Backend::Sqlite if !self.statements.is_empty() => {
                let (sql, jsons): (Vec<String>, Vec<String>) = self.statements.into_iter().unzip();
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.join(";\n")));
                for json in jsons {
                    query = query.bind(json);
                }
                query.execute(&mut *conn).await?;
            }
            _ => {
                for (sql, json) in self.statements {
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(json)
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_a_json_array_of_arrays() {
        let mut rows = Rows::default();
        assert!(rows.is_empty());
        rows.push([Cell::from("a\"b\\c\nd\u{1}é"), Cell::from(-42), Cell::Null]);
        rows.push([Cell::from(Some("x")), Cell::from(None::<&str>)]);
        assert_eq!(rows.len(), 2);
        let json = rows.into_json();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([["a\"b\\c\nd\u{1}é", -42, null], ["x", null]])
        );
        assert_eq!(Rows::default().into_json(), "[]");
    }

    #[test]
    fn counts_are_fixed_width_fields_on_sqlite_and_an_array_on_postgresql() {
        let counts = [0, 7, -1, i64::MAX, i64::MIN, 1234567890];
        let mut rows = Rows::default();
        rows.push_counted(Backend::Sqlite, [Cell::from("p")], &counts);
        let parsed: serde_json::Value = serde_json::from_str(&rows.into_json()).unwrap();
        let fields = parsed[0][1].as_str().unwrap();
        assert_eq!(fields.len(), counts.len() * COUNT_WIDTH);
        let read: Vec<i64> = fields
            .as_bytes()
            .chunks(COUNT_WIDTH)
            .map(|f| std::str::from_utf8(f).unwrap().trim().parse().unwrap())
            .collect();
        assert_eq!(read, counts);
        assert_eq!(parsed[0][0], "p");

        let mut rows = Rows::default();
        rows.push_counted(Backend::Postgres, [Cell::from("p")], &counts);
        assert_eq!(
            rows.into_json(),
            r#"[["p","{0,7,-1,9223372036854775807,-9223372036854775808,1234567890}"]]"#
        );
    }
}
