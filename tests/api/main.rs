//! The integration suite: the real application over HTTP on loopback, against SQLite by default
//! or PostgreSQL when `AVIS_TEST_DATABASE_URL` names a server.

mod abuse;
mod administration;
mod authorisation;
mod backoffice;
mod cli;
mod compat;
mod contact;
pub(crate) mod crash;
mod export_memory;
mod exports;
mod fuzz;
mod health;
mod helpers;
mod import;
mod indicators;
mod integrity;
mod keys;
mod limits;
mod mail;
mod migrations;
mod openapi;
mod pages;
mod proof;
mod properties;
mod qr;
mod questionnaire;
mod review_filters;
mod reviews;
mod running;
mod webhooks;
