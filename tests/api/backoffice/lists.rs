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
    let procedures = page(format!("{org}?q=1617")).await;
    assert!(
        procedures.contains("Prime d"),
        "found by the observatory's id"
    );
    let procedures = page(format!("{org}?q=logement")).await;
    assert!(!procedures.contains("Prime d"));
    let home = page("/admin/?q=prime".into()).await;
    assert!(home.contains("Prime d"));
    let home = page("/admin/?q=logement".into()).await;
    assert!(!home.contains("Prime d"));

    // The audit log filters on who, what and its details.
    let mut other = super::Browser::new(&app);
    other
        .sign_in(&world.other_admin.email, super::PASSWORD)
        .await;
    let admin = world.browser(&app, Some(&world.admin)).await;
    admin
        .post(
            &format!("{org}/procedures"),
            &[("title", "Allocation logement")],
        )
        .await;
    let audit = page("/admin/audit?q=ADMIN@IMPOTS".into()).await;
    assert!(audit.contains("admin@impots.fr") && !audit.contains("Allocation logement"));
    let audit = page(format!("{org}/audit?q=procedure_created")).await;
    assert!(audit.contains("Allocation logement") && !audit.contains("admin@impots.fr"));
    let audit = page(format!("{org}/audit?q=nothing+like+this")).await;
    assert!(!audit.contains("Allocation logement"));
}

#[tokio::test]
async fn a_long_list_comes_in_pages_that_keep_the_filter() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    for n in 0..55 {
        let name = avis::domain::catalog::Name::parse(&format!("Préfecture n° {n:02}")).unwrap();
        app.store.create_organisation(&name).await.unwrap();
    }
    let root = world.browser(&app, Some(&world.superadmin)).await;
    let first = page_text(root.get("/admin/organisations?q=pr%C3%A9fecture").await).await;
    assert_eq!(first.matches("Préfecture n° ").count(), 50);
    assert!(
        first.contains(r#"href="/admin/organisations?q=pr%C3%A9fecture&amp;page=2" rel="next""#),
        "{first}"
    );
    let second = page_text(
        root.get("/admin/organisations?q=pr%C3%A9fecture&page=2")
            .await,
    )
    .await;
    assert_eq!(second.matches("Préfecture n° ").count(), 5);
    assert!(second.contains("Préfecture n° 54") && !second.contains("Préfecture n° 00"));
}

#[tokio::test]
async fn a_superadmin_finds_the_organisation_named_in_the_links_back() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let root = world.browser(&app, Some(&world.superadmin)).await;
    for path in [
        format!("/admin/procedures/{}", world.procedure.id),
        format!("/admin/procedures/{}/settings", world.procedure.id),
        format!("/admin/buttons/{}", world.button.id),
    ] {
        let page = page_text(root.get(&path).await).await;
        let link = format!(
            r#"<a href="/admin/organisations/{}">Caisse d"#,
            world.organisation.id
        );
        assert!(page.contains(&link), "{path}");
    }
}
