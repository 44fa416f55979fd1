//! The management commands: organisations, procedures, buttons, keys and counters.

use anyhow::Context;

use super::{AggregateCommand, ButtonCommand, KeyCommand, OrganisationCommand, ProcedureCommand};
use crate::domain::catalog::{Name, Origin, Scope, Tag};
use crate::store::Store;
use crate::store::catalog::{NewButton, NewProcedure};

fn name(raw: &str, what: &str) -> anyhow::Result<Name> {
    Name::parse(raw).map_err(|e| anyhow::anyhow!("--{what} {e}"))
}

fn tag(raw: &str, what: &str) -> anyhow::Result<Tag> {
    Tag::parse(raw).map_err(|e| anyhow::anyhow!("--{what} {e}"))
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| "-".to_owned())
}

pub(super) async fn organisations(
    store: &Store,
    command: OrganisationCommand,
) -> anyhow::Result<()> {
    match command {
        OrganisationCommand::Create { name: raw } => {
            let organisation = store.create_organisation(&name(&raw, "name")?).await?;
            println!("{}", organisation.id);
        }
        OrganisationCommand::List => {
            println!("id\tname\tcreated_at");
            for o in store.list_organisations().await? {
                println!("{}\t{}\t{}", o.id, o.name, o.created_at);
            }
        }
    }
    Ok(())
}

pub(super) async fn procedures(store: &Store, command: ProcedureCommand) -> anyhow::Result<()> {
    match command {
        ProcedureCommand::Create {
            organisation,
            title,
            external_id,
        } => {
            let new = NewProcedure {
                organisation_id: organisation,
                title: name(&title, "title")?,
                external_id: external_id
                    .as_deref()
                    .map(|x| tag(x, "external-id"))
                    .transpose()?,
                is_essential: false,
                is_public: false,
                yearly_volume: None,
            };
            println!("{}", store.create_procedure(&new).await?.id);
        }
        ProcedureCommand::List { organisation } => {
            println!("id\torganisation_id\texternal_id\ttitle\tclosed_at");
            for p in store.list_procedures(organisation).await? {
                let (external, closed) = (optional(p.external_id), optional(p.closed_at));
                println!(
                    "{}\t{}\t{external}\t{}\t{closed}",
                    p.id, p.organisation_id, p.title
                );
            }
        }
        ProcedureCommand::Close { id } => store.close_procedure(id).await?,
    }
    Ok(())
}

pub(super) async fn buttons(store: &Store, command: ButtonCommand) -> anyhow::Result<()> {
    match command {
        ButtonCommand::Create {
            procedure,
            label,
            source,
            origins,
            test,
            contact_email,
            proof_of_work,
        } => {
            let allowed_origins = origins
                .iter()
                .map(|o| Origin::parse(o).map_err(|e| anyhow::anyhow!("--origin {o:?} {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let new = NewButton {
                procedure_id: procedure,
                label: name(&label, "label")?,
                source: tag(&source, "source")?,
                allowed_origins,
                is_test: test,
            };
            let mut button = store.create_button(&new).await?;
            if contact_email || proof_of_work {
                button.asks_contact_email = contact_email;
                button.requires_proof_of_work = proof_of_work;
                store.save_button(&button).await?;
            }
            println!("{}", button.id);
        }
        ButtonCommand::List { procedure } => {
            println!("id\tprocedure_id\tlabel\tsource\tallowed_origins\ttest\topen");
            for b in store.list_buttons(procedure).await? {
                let origins: Vec<&str> = b.allowed_origins.iter().map(Origin::as_str).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    b.id,
                    b.procedure_id,
                    b.label,
                    b.source,
                    origins.join(","),
                    b.is_test,
                    b.is_open
                );
            }
        }
        ButtonCommand::Close { id } => store.close_button(id).await?,
    }
    Ok(())
}

pub(super) async fn keys(store: &Store, command: KeyCommand) -> anyhow::Result<()> {
    match command {
        KeyCommand::Create {
            scope,
            organisation,
        } => {
            let scope = Scope::parse(&scope).map_err(|e| anyhow::anyhow!("--scope {e}"))?;
            let created = store.create_api_key(scope, organisation).await?;
            eprintln!(
                "API key {} created; its secret is shown only now:",
                created.key.id
            );
            println!("{}", created.secret);
        }
        KeyCommand::List => {
            println!("id\tprefix\tscope\torganisation_id\tcreated_at\tlast_used_at\trevoked_at");
            for k in store.list_api_keys().await? {
                println!(
                    "{}\t{}…\t{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.prefix,
                    k.scope.code(),
                    optional(k.organisation_id),
                    k.created_at,
                    optional(k.last_used_at),
                    optional(k.revoked_at)
                );
            }
        }
        KeyCommand::Revoke { id } => store.revoke_api_key(id).await.context("cannot revoke")?,
    }
    Ok(())
}

pub(super) async fn aggregates(store: &Store, command: AggregateCommand) -> anyhow::Result<()> {
    match command {
        AggregateCommand::Show { procedure } => {
            println!("day\tbutton_id\tquestion\tvalue\tcount");
            for c in store.list_counters(procedure).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.day, c.button_id, c.question, c.value, c.count
                );
            }
        }
    }
    Ok(())
}
