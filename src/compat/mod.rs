//! The incumbent's public URLs, answered when `--jdma-compat` is on, so that nothing published
//! has to change when its host name is pointed at avis (PRODUCT.md §12):
//!
//! - `links`: the review links pasted on sites, in emails and letters, redirected to the hosted
//!   questionnaire of the matching button;
//! - `images`: the « Je donne mon avis » button images those links wrap;
//! - `observatory`: the observatory's nightly pull, the same query and the same figures;
//! - `top250`: its robot's list of essential procedures, with an avis API key;
//! - `services`: the list of services administrations' scripts read, with an avis API key;
//! - `statistiques`: their counts per product, interval and question, with an avis API key.
//!
//! They answer another product's contract, so they stay out of avis's OpenAPI document; with
//! the flag off, their paths get avis's ordinary 404.

mod images;
mod links;
mod observatory;
mod services;
mod statistiques;
mod top250;

use actix_web::web;

/// Adds every compatibility route.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(links::by_form)
        .service(links::by_product)
        .service(images::button)
        .service(observatory::stats)
        .service(top250::set)
        .service(services::list)
        .service(statistiques::counts);
}
