//! Reviews for agents: a procedure's or an organisation's reviews, filtered and searched, newest
//! first, page after page (`list`); one review with every answer and its exclusion history, and
//! its exclusion and restoration by admins (`review`). Reading comments, and a contact address,
//! goes to the audit log.

mod list;
mod review;

pub use list::{of_organisation, of_procedure};
pub use review::{exclude, restore, show, show_contact};

use crate::accounts::Agent;
use crate::domain::people::Role;

/// Whether the person may exclude and restore reviews, and see contact addresses.
pub(super) fn may_moderate(agent: &Agent, role: Role) -> bool {
    role == Role::Admin || agent.user.is_superadmin
}
