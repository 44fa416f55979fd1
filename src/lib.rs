//! avis: the « Je donne mon avis » satisfaction service.
//!
//! `main.rs` only parses the command line; everything else lives here so tests run the real thing.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod cli;
pub mod compat;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod limits;
pub mod notify;
pub mod proof;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod views;
pub mod writer;
