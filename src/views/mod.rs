//! maud building blocks and pure renderings shared by the pages for people: the back-office's
//! layout, its words in French and English, form fields with their errors, tables and pagination,
//! the QR codes of buttons, and the dashboards' tiles, SVG charts and sortable tables.
//! No I/O here: every function turns values into markup.

pub mod charts;
pub mod dashboard;
pub mod exports;
pub mod figures;
pub mod forms;
pub mod layout;
pub mod qr;
pub mod scoreboard;
pub mod table;
pub mod tiles;
pub mod words;
