//! The integration suite: the real application over HTTP on loopback, against SQLite by default
//! or PostgreSQL when `AVIS_TEST_DATABASE_URL` names a server.

mod cli;
mod health;
mod helpers;
mod keys;
mod migrations;
mod questionnaire;
mod reviews;
