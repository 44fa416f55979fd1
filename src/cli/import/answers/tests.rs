use super::*;

fn at(instant: &str) -> Timestamp {
    instant.parse().unwrap()
}

const NOW: &str = "2025-06-01T10:00:00Z";

fn answer(id: i64, code: &str, item: i64, text: &str) -> SourceAnswer {
    SourceAnswer {
        id,
        field_code: code.to_owned(),
        item,
        text: text.to_owned(),
        intention: None,
        parent: None,
    }
}

fn child(id: i64, code: &str, item: i64, parent: i64) -> SourceAnswer {
    SourceAnswer {
        parent: Some(parent),
        ..answer(id, code, item, "")
    }
}

#[test]
fn the_satisfaction_form_maps_by_option_id_and_parent_answer() {
    let rows = [
        answer(1, "satisfaction", 3, "Très bien"),
        answer(2, "comprehension", 7, "4"),
        answer(3, "contact_tried", 10, "Par téléphone"),
        answer(4, "contact_tried", 11, "Par e-mail"),
        child(5, "contact_reached", 17, 3),
        child(6, "contact_reached", 18, 4),
        child(7, "contact_satisfaction", 23, 3),
        answer(
            8,
            "verbatim",
            0,
            "  Merci, écrivez-moi à jean.dupont@example.fr  ",
        ),
    ];
    let mapped = map(at(NOW), &rows);
    let a = &mapped.answers;
    assert_eq!(a.satisfaction, Some(Satisfaction::Good));
    assert_eq!(a.comprehension.map(u8::from), Some(4));
    assert_eq!(
        a.contact_tried,
        Some([Channel::Phone, Channel::Email].into())
    );
    assert_eq!(
        a.contact_reached,
        Some(
            [
                (Channel::Phone, Reached::Yes),
                (Channel::Email, Reached::No)
            ]
            .into()
        )
    );
    assert_eq!(
        a.contact_satisfaction
            .as_ref()
            .map(|m| m[&Channel::Phone].get()),
        Some(5)
    );
    assert_eq!(a.verbatim.as_deref(), Some("Merci, écrivez-moi à [email]"));
    assert_eq!(mapped.redactions, 1);
    assert!(mapped.left_out.is_empty(), "{:?}", mapped.left_out);
    assert!(a.check().is_ok());
}

#[test]
fn option_17_is_no_help_needed_under_contact_tried_and_yes_under_contact_reached() {
    let tried = map(
        at(NOW),
        &[
            answer(1, "satisfaction", 1, ""),
            answer(2, "contact_tried", 17, ""),
        ],
    );
    assert_eq!(tried.answers.contact_tried, Some([Channel::None].into()));
    assert_eq!(tried.answers.contact_reached, None);
    let reached = map(
        at(NOW),
        &[
            answer(1, "satisfaction", 1, ""),
            answer(2, "contact_tried", 9, ""),
            child(3, "contact_reached", 17, 2),
        ],
    );
    assert_eq!(
        reached.answers.contact_reached,
        Some([(Channel::Counter, Reached::Yes)].into())
    );
}

#[test]
fn comprehension_before_the_current_form_had_3_levels_and_is_left_out() {
    let rows = [
        answer(1, "satisfaction", 2, ""),
        answer(2, "comprehension", 8, ""),
    ];
    let before = map(at("2024-01-15T08:00:00Z"), &rows);
    assert_eq!(before.answers.comprehension, None);
    assert_eq!(before.left_out, ["comprehension_on_3_levels"]);
    let after = map(at(NOW), &rows);
    assert_eq!(after.answers.comprehension.map(u8::from), Some(5));
}

#[test]
fn the_earlier_flat_contact_reached_goes_to_the_one_channel_ticked_or_is_counted() {
    let flat = |channels: &[i64]| {
        let mut rows = vec![answer(1, "satisfaction", 3, "")];
        for (n, item) in channels.iter().enumerate() {
            rows.push(answer(10 + n as i64, "contact_tried", *item, ""));
        }
        rows.push(SourceAnswer {
            intention: Some("good".into()),
            ..answer(99, "contact_reached", 40, "Oui")
        });
        map(at("2024-01-15T08:00:00Z"), &rows)
    };
    assert_eq!(
        flat(&[12]).answers.contact_reached,
        Some([(Channel::Chat, Reached::Yes)].into())
    );
    let two = flat(&[10, 11]);
    assert_eq!(two.answers.contact_reached, None);
    assert_eq!(two.left_out, ["contact_reached_without_channel"]);
}

#[test]
fn xwiki_answers_map_where_they_ask_the_same_and_are_counted_otherwise() {
    let rows = [
        answer(1, "score", 0, "3"),
        answer(2, "comprehensible", 0, "2"),
        answer(3, "easy", 0, "1"),
        answer(4, "aide", 0, "proche"),
        answer(5, "help", 0, "agent"),
    ];
    let mapped = map(at("2022-03-01T09:00:00Z"), &rows);
    assert_eq!(mapped.answers.satisfaction, Some(Satisfaction::Good));
    assert_eq!(
        mapped.answers.contact_tried,
        Some([Channel::Relative].into())
    );
    assert_eq!(
        mapped.left_out,
        [
            "legacy_comprehensible_on_3_levels",
            "legacy_easy",
            "legacy_help_without_channel"
        ]
    );
}

#[test]
fn answers_that_break_the_questionnaire_rules_are_dropped_and_counted() {
    let rows = [
        answer(1, "satisfaction", 1, ""),
        answer(2, "contact_tried", 17, ""),
        answer(3, "contact_tried", 13, ""),
        answer(4, "contact_tried_verbatim", 0, "mon voisin"),
        child(5, "contact_satisfaction", 20, 77),
    ];
    let mapped = map(at(NOW), &rows);
    assert_eq!(
        mapped.answers.contact_tried,
        Some([Channel::Relative].into())
    );
    assert_eq!(mapped.answers.contact_tried_other, None);
    assert_eq!(
        mapped.left_out,
        [
            "contact_satisfaction_without_channel",
            "contact_tried_none_with_channels",
            "contact_tried_other_without_option"
        ]
    );
    assert!(mapped.answers.check().is_ok());
}

#[test]
fn a_contact_address_is_kept_apart_and_long_texts_are_shortened() {
    let rows = [
        answer(1, "satisfaction", 2, ""),
        answer(2, "contact_email", 0, " marie@example.org "),
        answer(3, "verbatim", 0, &"é".repeat(5_010)),
    ];
    let mapped = map(at(NOW), &rows);
    assert_eq!(mapped.contact_email.as_deref(), Some("marie@example.org"));
    assert_eq!(
        mapped.answers.verbatim.map(|v| v.chars().count()),
        Some(5_000)
    );
    assert_eq!(mapped.left_out, ["text_shortened"]);
}
