//! HTML for people: the citizens' hosted questionnaire.

pub mod hosted;
