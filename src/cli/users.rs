//! `avis users`: people of the back-office, from the command line. `invite` prints the
//! invitation link alone on standard output, so the first superadmin needs no email server;
//! with one configured, it also mails the link (queued with the invitation, then sent at once
//! if the relay answers, else by the running service).

use anyhow::Context;
use uuid::Uuid;

use super::UserCommand;
use crate::accounts::BackOffice;
use crate::domain::people::{Email, Grant, Role};
use crate::domain::questionnaire::Lang;
use crate::notify::letters;
use crate::notify::mail::Postman;
use crate::notify::smtp::SmtpSettings;
use crate::store::Store;
use crate::store::audit::NewEvent;
use crate::store::mail::Compose;

/// What `--superadmin`, `--organisation` and `--role` make of an invitation.
fn grant(
    superadmin: bool,
    organisation: Option<Uuid>,
    role: Option<&str>,
) -> anyhow::Result<Grant> {
    match (superadmin, organisation, role) {
        (true, None, None) => Ok(Grant::Superadmin),
        (false, Some(organisation), role) => {
            let role =
                Role::parse(role.unwrap_or("member")).context("--role must be admin or member")?;
            Ok(Grant::Organisation(organisation, role))
        }
        (true, _, _) => anyhow::bail!("--superadmin takes neither --organisation nor --role"),
        (false, None, _) => {
            anyhow::bail!("give --superadmin, or --organisation ID [--role admin|member]")
        }
    }
}

pub(super) async fn users(
    store: &Store,
    command: UserCommand,
    public_url: &str,
    smtp: Option<&SmtpSettings>,
) -> anyhow::Result<()> {
    let base = public_url.trim_end_matches('/');
    match command {
        UserCommand::Invite {
            email,
            superadmin,
            organisation,
            role,
        } => {
            let email = Email::parse(&email)
                .map_err(|_| anyhow::anyhow!("--email is not an email address"))?;
            let grant = grant(superadmin, organisation, role.as_deref())?;
            if let Some(organisation) = grant.organisation() {
                store
                    .find_organisation(organisation)
                    .await?
                    .with_context(|| format!("no organisation {organisation}"))?;
            }
            let ttl = BackOffice::default().invitation_ttl_seconds;
            // In the person's language when they already have an account, else in French.
            let lang = match store.find_user_by_email(&email).await? {
                Some((user, _)) => Lang::parse(&user.lang).unwrap_or_default(),
                None => Lang::Fr,
            };
            let organisation_name = match grant.organisation() {
                Some(id) => store.find_organisation(id).await?.map(|o| o.name),
                None => None,
            };
            let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(ttl);
            let compose = |token: &str| {
                letters::invitation(
                    lang,
                    &email,
                    &format!("{base}/admin/invitations/{token}"),
                    organisation_name.as_deref(),
                    expires,
                )
            };
            let (invitation, token) = store
                .create_invitation(
                    Some(&email),
                    grant,
                    None,
                    ttl,
                    smtp.is_some().then_some(&compose as Compose<'_>),
                )
                .await?;
            store
                .record_event(&NewEvent {
                    user_id: None,
                    actor: "avis users invite",
                    organisation_id: grant.organisation(),
                    action: "invitation_created",
                    subject: Some(invitation.id.to_string()),
                    details: format!("{email} as {}", grant.code()),
                })
                .await?;
            println!("{base}/admin/invitations/{token}");
            if let Some(smtp) = smtp {
                send_now(store, smtp).await;
            }
        }
        UserCommand::List => {
            println!("id\temail\tname\tsuperadmin\tdisabled");
            for user in store.list_users("", 0, i64::MAX).await?.0 {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.display_name,
                    user.is_superadmin,
                    user.disabled_at.is_some()
                );
            }
        }
    }
    Ok(())
}

/// Sends the queued mail at once, so that an invitation made with no service running still
/// leaves; whatever is not sent now stays queued for the service to send.
async fn send_now(store: &Store, smtp: &SmtpSettings) {
    let sent = match Postman::new(store.clone(), smtp) {
        Ok(postman) => postman.send_due().await.map_err(anyhow::Error::from),
        Err(err) => Err(err),
    };
    match sent {
        Ok(n) if n > 0 => eprintln!("invitation mailed"),
        Ok(_) => eprintln!("the relay did not take the invitation yet: the service will send it"),
        Err(err) => {
            eprintln!("invitation queued, not sent yet ({err:#}): the service will send it")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_is_for_a_superadmin_or_for_one_organisation() {
        let org = Uuid::nil();
        assert_eq!(grant(true, None, None).unwrap(), Grant::Superadmin);
        assert_eq!(
            grant(false, Some(org), None).unwrap(),
            Grant::Organisation(org, Role::Member)
        );
        assert_eq!(
            grant(false, Some(org), Some("admin")).unwrap(),
            Grant::Organisation(org, Role::Admin)
        );
        assert!(grant(false, Some(org), Some("owner")).is_err());
        assert!(grant(true, Some(org), None).is_err());
        assert!(grant(false, None, Some("admin")).is_err());
    }
}
