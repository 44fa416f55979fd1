//! What an import did, kind by kind: the JSON line it ends with on standard output.

use std::collections::BTreeMap;

use serde::Serialize;

/// Counts for one kind of object. Every row of the incumbent's table is either imported,
/// updated (imported earlier, changed since) or skipped, each skip with its reason.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
    pub reasons: BTreeMap<&'static str, u64>,
}

impl Counts {
    pub fn imported(&mut self) {
        self.imported += 1;
    }

    pub fn updated(&mut self) {
        self.updated += 1;
    }

    pub fn skipped(&mut self, reason: &'static str, n: u64) {
        if n > 0 {
            self.skipped += n;
            *self.reasons.entry(reason).or_default() += n;
        }
    }
}

/// Reviews, with the answers that did not come along.
#[derive(Debug, Default, Serialize)]
pub struct ReviewCounts {
    #[serde(flatten)]
    pub counts: Counts,
    /// Answers of imported reviews left out, by reason (a question version 1 does not ask, an
    /// option of an earlier form, a rule between questions broken…).
    pub answers_left_out: BTreeMap<&'static str, u64>,
    /// Personal data replaced in imported free texts.
    pub redactions: u64,
    /// Contact addresses kept (within their retention period) and left out (past it).
    pub contact_emails_imported: u64,
    pub contact_emails_past_retention: u64,
}

/// The whole summary, as PRODUCT.md §12 gives it, plus whether it was a dry run.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub dry_run: bool,
    pub organisations: Counts,
    pub procedures: Counts,
    pub forms: Counts,
    pub buttons: Counts,
    pub reviews: ReviewCounts,
}
