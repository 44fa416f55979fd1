//! Reviews as a workbook: a first sheet that tells what the export holds, then the reviews on
//! as many sheets as they need, each filled to a spreadsheet's limit before the next begins.
//! Sheets of reviews are written in constant-memory mode: each row goes to a temporary file as
//! soon as the next one starts, so a workbook of millions of rows takes no more memory than one.

use std::io::Write;

use jiff::Timestamp;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::domain::export::{Cell, Layout, place};
use crate::views::words::W;

/// What a finished workbook holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub rows: u64,
    pub sheets: u64,
}

/// What the first sheet says of the export.
pub struct Notes<'a> {
    pub created_at: Timestamp,
    /// The query string of the filters; empty for none.
    pub filter: &'a str,
}

/// A workbook being filled, one review after the other.
pub struct Book {
    workbook: Workbook,
    layout: Layout,
    header: Vec<String>,
    sheet_rows: u32,
    written: u64,
    sheets: u64,
}

impl Book {
    /// An empty workbook whose sheets hold `sheet_rows` rows each, their header included.
    pub fn new(layout: Layout, sheet_rows: u32) -> Result<Book, XlsxError> {
        let mut workbook = Workbook::new();
        workbook
            .add_worksheet()
            .set_name(W::ExportNotesSheet.text(layout.lang))?;
        Ok(Book {
            workbook,
            layout,
            header: layout.header(),
            sheet_rows,
            written: 0,
            sheets: 0,
        })
    }

    /// Adds one review's row, on a new sheet if the last one is full.
    pub fn push(&mut self, row: &[Cell]) -> Result<(), XlsxError> {
        let (sheet, line) = place(self.written, self.sheet_rows);
        if sheet >= self.sheets {
            self.add_sheet()?;
        }
        let worksheet = self.workbook.worksheet_from_index(sheet as usize + 1)?;
        for (column, cell) in row.iter().enumerate() {
            write(worksheet, line, column as u16, cell)?;
        }
        self.written += 1;
        Ok(())
    }

    fn add_sheet(&mut self) -> Result<(), XlsxError> {
        self.sheets += 1;
        let name = format!(
            "{} {}",
            W::ExportReviewsSheet.text(self.layout.lang),
            self.sheets
        );
        let worksheet = self.workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(name)?;
        worksheet.set_freeze_panes(1, 1)?;
        for (column, name) in self.header.iter().enumerate() {
            worksheet.write_string(0, column as u16, name)?;
        }
        Ok(())
    }

    /// Writes the first sheet's notes and the whole workbook to `out`.
    pub fn finish(mut self, notes: &Notes, out: impl Write + Send) -> Result<Summary, XlsxError> {
        if self.sheets == 0 {
            self.add_sheet()?;
        }
        let lang = self.layout.lang;
        let w = |word: W| word.text(lang);
        let per_sheet = u64::from(self.sheet_rows.max(2) - 1);
        let summary = Summary {
            rows: self.written,
            sheets: self.sheets,
        };
        let sheet = self.workbook.worksheet_from_index(0)?;
        sheet.set_column_width(0, 32)?;
        sheet.set_column_width(1, 60)?;
        sheet.write_string(0, 0, w(W::ExportWorkbookTitle))?;
        let filter = if notes.filter.is_empty() {
            w(W::ExportNoFilter).to_owned()
        } else {
            notes.filter.to_owned()
        };
        let contacts = if self.layout.contacts {
            W::ExportContactsIncluded
        } else {
            W::ExportContactsLeftOut
        };
        let facts = [
            (W::ExportCreatedAt, Cell::Text(notes.created_at.to_string())),
            (W::ExportFilters, Cell::Text(filter)),
            (W::ExportRows, Cell::Integer(summary.rows as i64)),
            (W::ExportSheets, Cell::Integer(summary.sheets as i64)),
            (W::ExportRowsPerSheet, Cell::Integer(per_sheet as i64)),
            (W::ExportContacts, Cell::Text(w(contacts).to_owned())),
        ];
        for (line, (label, value)) in facts.iter().enumerate() {
            let line = line as u32 + 2;
            sheet.write_string(line, 0, w(*label))?;
            write(sheet, line, 1, value)?;
        }
        let mut line = facts.len() as u32 + 3;
        if summary.sheets > 1 {
            sheet.write_string(line, 0, w(W::ExportSplitNote))?;
            line += 1;
        }
        sheet.write_string(line, 0, w(W::ExportExcludedNote))?;
        sheet.write_string(line + 1, 0, w(W::ExportCodesNote))?;
        self.workbook.save_to_writer(out)?;
        Ok(summary)
    }
}

fn write(sheet: &mut Worksheet, row: u32, column: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(text) => {
            sheet.write_string(row, column, text)?;
        }
        Cell::Integer(n) => {
            sheet.write_number(row, column, *n as f64)?;
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, column, *b)?;
        }
    }
    Ok(())
}
