//! `avis serve --demo`: a ready-made organisation, procedure and button to try avis at once.

use crate::domain::catalog::{Name, Origin, Tag};
use crate::store::Store;
use crate::store::catalog::{Button, NewButton, NewProcedure};

const ORGANISATION: &str = "Démo avis";
const PROCEDURE: &str = "Démarche de démonstration";
const EXTERNAL_ID: &str = "demo";

/// The demo button, created with its organisation and procedure when absent, and allowed on
/// `base_url`'s origin.
pub async fn ensure(store: &Store, base_url: &str) -> anyhow::Result<Button> {
    let organisation_name = Name::parse(ORGANISATION).map_err(anyhow::Error::msg)?;
    let organisation = match store.find_organisation_by_name(&organisation_name).await? {
        Some(found) => found,
        None => store.create_organisation(&organisation_name).await?,
    };
    let external_id = Tag::parse(EXTERNAL_ID).map_err(anyhow::Error::msg)?;
    let procedure = match store.find_procedure_by_external_id(&external_id).await? {
        Some(found) => found,
        None => {
            let new = NewProcedure {
                organisation_id: organisation.id,
                title: Name::parse(PROCEDURE).map_err(anyhow::Error::msg)?,
                external_id: Some(external_id),
                is_essential: false,
                is_public: false,
                yearly_volume: None,
            };
            store.create_procedure(&new).await?
        }
    };
    if let Some(mut button) = store
        .list_buttons(Some(procedure.id))
        .await?
        .into_iter()
        .find(|b| b.is_open)
    {
        // Started again at another address, the demo page must still be allowed to send reviews.
        if let Ok(origin) = Origin::parse(base_url)
            && !button.allowed_origins.contains(&origin)
        {
            button.allowed_origins.push(origin);
            store.save_button(&button).await?;
        }
        return Ok(button);
    }
    let new = NewButton {
        procedure_id: procedure.id,
        label: Name::parse("Bouton de démonstration").map_err(anyhow::Error::msg)?,
        source: Tag::parse("demo").map_err(anyhow::Error::msg)?,
        allowed_origins: Origin::parse(base_url).into_iter().collect(),
        is_test: false,
    };
    Ok(store.create_button(&new).await?)
}

/// What to open and paste to see the demo work.
pub fn instructions(base_url: &str, button: &Button) -> String {
    let id = button.id;
    format!(
        "\nDemo button ready: {id}\n\
         \n  A procedure page with the widget, to rate in a browser:\n    {base_url}/demo\n\
         \n  Questionnaire it shows:\n    curl {base_url}/api/v1/buttons/{id}/questionnaire\n\
         \n  Send a review:\n    curl -X POST {base_url}/api/v1/reviews -H 'Content-Type: application/json' \\\n      \
         -d '{{\"button_id\": \"{id}\", \"answers\": {{\"satisfaction\": \"good\"}}}}'\n\
         \n  Add answers with the edit_token it returns:\n    curl -X PATCH {base_url}/api/v1/reviews/<id> \
         -H 'Authorization: Bearer <edit_token>' \\\n      -H 'Content-Type: application/json' \
         -d '{{\"answers\": {{\"comprehension\": 4}}}}'\n\
         \n  See the counters:\n    avis aggregates show --procedure {procedure}\n",
        procedure = button.procedure_id
    )
}
