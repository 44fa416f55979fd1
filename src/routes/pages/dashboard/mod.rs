//! What a procedure's dashboard shows, for the back-office and the public page alike: the choice
//! read from the query, the figures read from the counters, the page's part and each chart's
//! figures as CSV.

mod choice;
mod csv;
mod gather;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use jiff::Timestamp;
use maud::{Markup, html};
use uuid::Uuid;

pub use choice::{Choice, Chosen, Unread, choose, choose_window, pairs, query_string};
use csv::{CHARTS, chart_csv};
use gather::{counting, gather};

use super::error::PageError;
use crate::domain::questionnaire::Lang;
use crate::domain::time::paris_day;
use crate::startup::AppState;
use crate::views::dashboard::dashboard;
use crate::views::forms::Errors;
use crate::views::layout::{Frame, page};
use crate::views::tiles::{Offer, window_form};
use crate::views::words::W;

/// The dashboard of a procedure as a page shows it under its heading: the form, then the
/// figures, or the form with what is wrong in the query (and `400`). `base` is the page's
/// address; its charts' CSV files are under `{base}/charts/`.
pub async fn section(
    state: &AppState,
    lang: Lang,
    procedure: Uuid,
    query: &str,
    base: &str,
) -> Result<(StatusCode, Markup), PageError> {
    let buttons = counting(state.store.list_buttons(Some(procedure)).await?);
    let offered: Vec<(String, String)> = buttons
        .iter()
        .map(|b| (b.id.to_string(), format!("{} ({})", b.label, b.source)))
        .collect();
    let offer = Offer {
        buttons: Some(&offered),
        interval: true,
    };
    let pairs = pairs(query);
    match choose(&pairs, paris_day(Timestamp::now()), &buttons) {
        Ok(choice) => {
            let figures = gather(state, procedure, &buttons, &choice).await?;
            let tail = query_string(&choice.links);
            let csv = |name: &str| format!("{base}/charts/{name}.csv{tail}");
            let markup = html! {
                (window_form(lang, base, &choice.picked, &offer, &Errors::default()))
                (dashboard(lang, &figures, &csv))
            };
            Ok((StatusCode::OK, markup))
        }
        Err(unread) => Ok((
            StatusCode::BAD_REQUEST,
            window_form(lang, base, &unread.picked, &offer, &unread.errors),
        )),
    }
}

/// Chart `name` of a procedure's dashboard as CSV, for the query's choice; a page saying what
/// is wrong with the query (`400`) otherwise.
pub async fn chart(
    state: &AppState,
    lang: Lang,
    procedure: Uuid,
    query: &str,
    name: &str,
) -> Result<HttpResponse, PageError> {
    if !CHARTS.contains(&name) {
        return Err(PageError::NotFound(lang));
    }
    let buttons = counting(state.store.list_buttons(Some(procedure)).await?);
    match choose(&pairs(query), paris_day(Timestamp::now()), &buttons) {
        Ok(choice) => {
            let figures = gather(state, procedure, &buttons, &choice).await?;
            chart_csv(lang, name, &figures)
        }
        Err(unread) => Ok(bad_query(lang, &unread.errors)),
    }
}

/// A bare page naming what is wrong with a query, for addresses that are not pages (CSV).
pub fn bad_query(lang: Lang, errors: &Errors) -> HttpResponse {
    let frame = Frame {
        lang,
        title: W::ErrorSummary.text(lang),
        viewer: None,
        current: None,
        refresh: None,
    };
    super::html(StatusCode::BAD_REQUEST, page(&frame, errors.summary(lang)))
}
