//! The back-office's lists filter by a text (`?q=`, any case) and keep it across their pages.

use super::{World, page_text};
use crate::helpers::spawn_app;

#[tokio::test]
async fn lists_show_only_what_matches_their_filter() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let root = world.browser(&app, Some(&world.superadmin)).await;
    let page = |path: String| {
        let root = &root;
        async move { page_text(root.get(&path).await).await }
    };
    let users = page("/admin/users?q=CAF.FR".into()).await;
    assert!(users.contains("admin@caf.fr") && users.contains("member@caf.fr"));
    assert!(!users.contains("admin@impots.fr"));
    // Wildcards typed are taken as they are.
    let none = page("/admin/users?q=%25".into()).await;
    assert!(!none.contains("@caf.fr") && !none.contains("@impots.fr"));
    let organisations = page("/admin/organisations?q=IMPÔTS".into()).await;
    assert!(organisations.contains("Direction des impôts"));
    assert!(
        !organisations.contains("Caisse d&#39;allocations")
            && !organisations.contains("Caisse d'allocations")
    );
    let org = format!("/admin/organisations/{}", world.organisation.id);
    let members = page(format!("{org}/members?q=member")).await;
    assert!(members.contains("member@caf.fr") && !members.contains("admin@caf.fr"));
    let home = page("/admin/?q=prime".into()).await;
    assert!(home.contains("Prime d"));
    let home = page("/admin/?q=logement".into()).await;
    assert!(!home.contains("Prime d"));
}
