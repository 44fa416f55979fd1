//! An organisation's table sorts on every column, its CSV follows; the observatory's lists the
//! essential procedures of every organisation, for superadmins only.

use super::super::World;
use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_organisation_s_table_sorts_by_each_column_and_its_csv_follows() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let organisation = world.organisation.id;
    use Satisfaction::{Bad, Good, Medium};
    rated_procedure(
        &app,
        organisation,
        "Allocation logement",
        &[Good, Good, Good],
    )
    .await;
    rated_procedure(&app, organisation, "Bourse scolaire", &[Medium, Medium]).await;
    rated_procedure(&app, organisation, "Carte grise", &[Bad]).await;
    let member = world.browser(&app, Some(&world.member)).await;
    let path = format!("/admin/organisations/{organisation}");
    let table = |query: &'static str| {
        let member = &member;
        let path = path.clone();
        async move { page_text(member.get(&format!("{path}?{query}")).await).await }
    };
    // "Prime d'activité" (the world's) has no reviews: last whatever the order.
    for (query, expected) in [
        (
            "",
            [
                "Allocation logement",
                "Bourse scolaire",
                "Carte grise",
                "Prime d'activité",
            ],
        ),
        (
            "sort=satisfaction&dir=desc",
            [
                "Allocation logement",
                "Bourse scolaire",
                "Carte grise",
                "Prime d'activité",
            ],
        ),
        (
            "sort=satisfaction&dir=asc",
            [
                "Carte grise",
                "Bourse scolaire",
                "Allocation logement",
                "Prime d'activité",
            ],
        ),
        (
            "sort=n&dir=asc",
            [
                "Prime d'activité",
                "Carte grise",
                "Bourse scolaire",
                "Allocation logement",
            ],
        ),
        (
            "sort=level",
            [
                "Allocation logement",
                "Bourse scolaire",
                "Carte grise",
                "Prime d'activité",
            ],
        ),
        (
            "sort=title&dir=desc",
            [
                "Prime d'activité",
                "Carte grise",
                "Bourse scolaire",
                "Allocation logement",
            ],
        ),
    ] {
        let page = table(query).await;
        assert_eq!(
            titles(&page)
                .iter()
                .map(|t| t.replace("&#39;", "'"))
                .collect::<Vec<_>>(),
            expected,
            "{query}"
        );
    }
    let page = table("sort=satisfaction&dir=desc").await;
    assert!(
        page.contains(&format!(r#"<th scope="col" aria-sort="descending"><a href="{path}?sort=satisfaction&amp;dir=asc">Satisfaction</a>"#)),
        "the sorted column says so and its link turns the order round"
    );
    assert_eq!(page.matches("aria-sort=").count(), 1);
    assert!(
        page.contains("10,00 / 10") && page.contains("5,00 / 10") && page.contains("0,00 / 10")
    );
    assert!(page.contains(&format!(
        r#"href="{path}/indicators.csv?sort=satisfaction&amp;dir=desc""#
    )));

    let records = csv(
        &member,
        &format!("{path}/indicators.csv?sort=satisfaction&dir=desc"),
    )
    .await;
    let listed: Vec<(&str, Option<f64>, &str)> = records
        .iter()
        .map(|r| {
            (
                r["title"].as_str(),
                cell_number(r, "satisfaction"),
                r["satisfaction_n"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Allocation logement", Some(10.0), "3"),
            ("Bourse scolaire", Some(5.0), "2"),
            ("Carte grise", Some(0.0), "1"),
            ("Prime d'activité", None, "0"),
        ]
    );
    assert_eq!(records[0]["level"], "good");
    // Filtered, the table and its CSV keep only what matches.
    let page = table("q=carte").await;
    assert_eq!(titles(&page), ["Carte grise"]);
    let records = csv(&member, &format!("{path}/indicators.csv?q=carte")).await;
    assert_eq!(records.len(), 1);
}

#[tokio::test]
async fn the_observatory_lists_every_essential_procedure_for_superadmins_only() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    rated_procedure(
        &app,
        world.organisation.id,
        "Carte grise",
        &[Satisfaction::Good],
    )
    .await;
    let root = world.browser(&app, Some(&world.superadmin)).await;
    let page = page_text(root.get("/admin/observatory?sort=organisation").await).await;
    assert_eq!(
        titles(&page)
            .iter()
            .map(|t| t.replace("&#39;", "'"))
            .collect::<Vec<_>>(),
        ["Prime d'activité"],
        "essential ones only"
    );
    assert!(page.contains("Caisse d"), "with their organisation");
    assert!(page.contains(r#"<a href="/admin/observatory" aria-current="page">Observatoire</a>"#));
    let records = csv(&root, "/admin/observatory.csv").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["external_id"], "1617");
    assert!(records[0]["organisation"].starts_with("Caisse d"));
    for user in [&world.member, &world.admin, &world.other_admin] {
        let browser = world.browser(&app, Some(user)).await;
        for path in ["/admin/observatory", "/admin/observatory.csv"] {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let home = page_text(browser.get("/admin/").await).await;
        assert!(!home.contains("/admin/observatory"));
    }
}

/// Each procedure's change since the window before: on a page (read for its rows alone), sorted
/// by it (read for all), and in the CSV, the same figures.
#[tokio::test]
async fn the_change_since_the_window_before_is_the_same_on_a_page_sorted_by_it_and_in_the_csv() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let organisation = world.organisation.id;
    use Satisfaction::{Bad, Good, Medium};
    let long_ago = Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * 450))
        .unwrap()
        .to_string();
    for (title, now, before) in [
        ("Allocation logement", &[Good, Good][..], &[Bad, Bad][..]),
        ("Bourse scolaire", &[Medium][..], &[Good][..]),
    ] {
        let procedure = rated_procedure(&app, organisation, title, now).await;
        let button = app.store.list_buttons(Some(procedure.id)).await.unwrap()[0].clone();
        for rating in before {
            app.review_at(&button, &long_ago, &rated(*rating)).await;
        }
    }
    let member = world.browser(&app, Some(&world.member)).await;
    let path = format!("/admin/organisations/{organisation}");
    let page = page_text(member.get(&path).await).await;
    assert!(
        page.contains("<td>+10,00</td>") && page.contains("<td>\u{2212}5,00</td>"),
        "{page}"
    );
    let page = page_text(member.get(&format!("{path}?sort=trend&dir=desc")).await).await;
    assert_eq!(
        &titles(&page)[..2],
        ["Allocation logement", "Bourse scolaire"]
    );
    let page = page_text(member.get(&format!("{path}?sort=trend&dir=asc")).await).await;
    assert_eq!(titles(&page)[0], "Bourse scolaire");
    let records = csv(&member, &format!("{path}/indicators.csv?sort=title")).await;
    let trends: Vec<(&str, Option<f64>)> = records
        .iter()
        .map(|r| (r["title"].as_str(), cell_number(r, "trend")))
        .collect();
    assert_eq!(
        trends,
        [
            ("Allocation logement", Some(10.0)),
            ("Bourse scolaire", Some(-5.0)),
            ("Prime d'activité", None),
        ]
    );
}
