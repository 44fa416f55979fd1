//! People of the back-office: passwords, sessions, roles and the protection of their forms.
//! The SQL lives in `store::people`, `store::sessions` and `store::audit`.

pub mod forms;
pub mod oidc;
pub mod password;
pub mod session;

pub use forms::{Fields, PublicForm, Submitted};
pub use session::{Agent, BackOffice, MaybeAgent};
