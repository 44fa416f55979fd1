//! Many rows in one parameter: a JSON array of arrays that the statement unpacks itself.
//!
//! A statement fed this way has the same text whatever the number of rows, so each connection
//! prepares it once and keeps it; SQLite and PostgreSQL both parse the JSON far faster than they
//! bind (and, for multi-row `VALUES`, parse) thousands of separate parameters.

use std::fmt::Write;

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

/// Rows being written as JSON.
#[derive(Default)]
pub struct Rows {
    json: String,
    count: usize,
}

impl Rows {
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) {
        self.json
            .push_str(if self.count == 0 { "[[" } else { ",[" });
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.json.push(',');
            }
            match cell {
                Cell::Text(text) => escape(&mut self.json, text),
                Cell::Int(n) => {
                    let _ = write!(self.json, "{n}");
                }
                Cell::Null => self.json.push_str("null"),
            }
        }
        self.json.push(']');
        self.count += 1;
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

/// Appends `text` as a JSON string.
fn escape(json: &mut String, text: &str) {
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

/// The `FROM` item that yields one `value` per row of the [`Rows`] bound as parameter `n`.
pub fn source(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => format!("jsonb_each(${n})"),
        Backend::Postgres => format!("jsonb_array_elements(CAST(${n} AS jsonb)) AS j(value)"),
    }
}

/// Cell `i` of a row, as SQL type `ty` (`TEXT` or `BIGINT`).
pub fn cell(i: usize, ty: &str) -> String {
    format!("CAST(value ->> {i} AS {ty})")
}

/// Statements fed one JSON parameter each, run in order: in one call on SQLite (every call to its
/// connection's thread is a round trip between threads), one by one on PostgreSQL (which takes
/// one statement per call when it has parameters).
pub struct Script {
    backend: Backend,
    statements: Vec<(String, String)>,
}

impl Script {
    pub fn new(backend: Backend) -> Script {
        Script {
            backend,
            statements: Vec::new(),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Adds a statement; `sql` writes it with its parameter numbered as it is told.
    pub fn push(&mut self, sql: impl Fn(usize) -> String, json: String) {
        let n = match self.backend {
            Backend::Sqlite => self.statements.len() + 1,
            Backend::Postgres => 1,
        };
        self.statements.push((sql(n), json));
    }

    pub async fn run(self, conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
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
}
