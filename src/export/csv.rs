//! Reviews as a CSV stream: UTF-8 with a byte order mark (a spreadsheet then reads accents
//! right), one header row of column codes, one row per review, CRLF line ends. The header goes
//! out before the first query, then each batch as soon as it is read: the first byte leaves at
//! once and the server holds one batch at a time, however many reviews there are.

use actix_web::web::Bytes;
use futures_util::Stream;

use super::Rows;
use crate::domain::export::Cell;
use crate::store::StoreError;

const BOM: &[u8] = "\u{feff}".as_bytes();

/// The whole file, piece by piece. A failure midway ends the stream with an error, which cuts
/// the response short: a client never mistakes a truncated file for a whole one.
pub fn stream(rows: Rows) -> impl Stream<Item = Result<Bytes, StoreError>> {
    let mut first = BOM.to_vec();
    first.extend(encode(std::iter::once(
        rows.layout()
            .header()
            .into_iter()
            .map(Cell::Text)
            .collect::<Vec<_>>(),
    )));
    let start = futures_util::stream::once(async move { Ok(Bytes::from(first)) });
    let body = futures_util::stream::try_unfold(rows, |mut rows| async move {
        match rows.next_batch().await {
            Ok(Some(batch)) => Ok(Some((Bytes::from(encode(batch)), rows))),
            Ok(None) => Ok(None),
            Err(err) => {
                tracing::warn!(error = ?err, "CSV export cut short");
                Err(err)
            }
        }
    });
    futures_util::StreamExt::chain(start, body)
}

/// Rows as CSV lines.
pub fn encode(rows: impl IntoIterator<Item = Vec<Cell>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row.iter().map(|cell| cell.csv().into_owned()));
    }
    writer.into_inner().unwrap_or_default()
}
