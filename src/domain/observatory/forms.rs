//! Which reviews a form's figures count. The incumbent's pull narrows its answers to the form
//! asked for by the form each review carries: since June 2025 its button's; before, form 1 or 2
//! whatever the product (or none, in the XWiki era). A legacy form (the one each product then
//! had was given that flag) counts those older reviews too.

/// The forms every review carried before June 2025, whatever its product.
pub const OLDER_FORMS: [i64; 2] = [1, 2];

/// One of a product's forms in the incumbent's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Form {
    pub id: i64,
    pub legacy: bool,
}

impl Form {
    /// Whether a review that carries `carried` (none: `None`) counts in this form's figures.
    pub fn counts(&self, carried: Option<i64>) -> bool {
        carried == Some(self.id)
            || (self.legacy && carried.is_none_or(|form| OLDER_FORMS.contains(&form)))
    }
}

/// The form a review carries when its button was made in avis: its procedure's legacy form,
/// else its first; `None` for a procedure without forms.
pub fn home(forms: &[Form]) -> Option<i64> {
    forms
        .iter()
        .filter(|f| f.legacy)
        .map(|f| f.id)
        .min()
        .or_else(|| forms.iter().map(|f| f.id).min())
}

/// Whether an imported review that carried `carried`, left through a button of form
/// `button_form` of a product whose forms are `forms`, counts differently from its button's
/// reviews in some form's figures, and must be noted apart. It does not when it carries its
/// button's form, nor when it carries an older one (1, 2 or none) and its button is on the
/// product's one legacy form: every form of the product then counts it or not as it counts the
/// button's own reviews (unless form 1 or 2 is one of the product's and not a legacy one, which
/// counts the older reviews that carry it alone).
pub fn apart(carried: Option<i64>, button_form: Option<i64>, forms: &[Form]) -> bool {
    if carried == button_form {
        return false;
    }
    let older = carried.is_none_or(|form| OLDER_FORMS.contains(&form));
    let mut legacy = forms.iter().filter(|f| f.legacy);
    let one_legacy = match (legacy.next(), legacy.next()) {
        (Some(only), None) => Some(only.id),
        _ => None,
    };
    let older_forms_legacy = forms
        .iter()
        .all(|f| f.legacy || !OLDER_FORMS.contains(&f.id));
    !(older && one_legacy.is_some() && one_legacy == button_form && older_forms_legacy)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: Form = Form {
        id: 40,
        legacy: true,
    };
    const NEW: Form = Form {
        id: 41,
        legacy: false,
    };

    #[test]
    fn a_legacy_form_counts_the_older_reviews_and_another_form_only_its_own() {
        for carried in [None, Some(1), Some(2), Some(40)] {
            assert!(LEGACY.counts(carried), "{carried:?}");
        }
        assert!(!LEGACY.counts(Some(41)));
        assert!(NEW.counts(Some(41)));
        for carried in [None, Some(1), Some(2), Some(40)] {
            assert!(!NEW.counts(carried), "{carried:?}");
        }
    }

    #[test]
    fn a_button_made_in_avis_carries_the_legacy_form_else_the_first() {
        assert_eq!(home(&[NEW, LEGACY]), Some(40));
        assert_eq!(
            home(&[
                Form {
                    id: 43,
                    legacy: false
                },
                NEW
            ]),
            Some(41)
        );
        assert_eq!(home(&[]), None);
    }

    /// Checks `apart` against its meaning: a review not noted apart counts, in every form of
    /// its product, as its button's own reviews do.
    #[test]
    fn only_reviews_counted_otherwise_than_their_button_s_are_apart() {
        let products: [&[Form]; 5] = [
            &[LEGACY],
            &[LEGACY, NEW],
            &[NEW],
            &[
                LEGACY,
                Form {
                    id: 42,
                    legacy: true,
                },
            ],
            &[
                Form {
                    id: 1,
                    legacy: false,
                },
                LEGACY,
            ],
        ];
        for forms in products {
            for button in forms.iter().map(|f| Some(f.id)) {
                for carried in [
                    None,
                    Some(1),
                    Some(2),
                    Some(40),
                    Some(41),
                    Some(42),
                    Some(7),
                ] {
                    let same = forms.iter().all(|f| f.counts(carried) == f.counts(button));
                    if !apart(carried, button, forms) {
                        assert!(same, "{forms:?} {button:?} {carried:?}");
                    }
                }
            }
        }
        assert!(!apart(Some(2), Some(40), &[LEGACY, NEW]));
        assert!(apart(Some(2), Some(41), &[LEGACY, NEW]));
        assert!(apart(
            Some(1),
            Some(40),
            &[
                LEGACY,
                Form {
                    id: 42,
                    legacy: true
                }
            ]
        ));
        assert!(apart(
            Some(1),
            Some(40),
            &[
                Form {
                    id: 1,
                    legacy: false
                },
                LEGACY
            ]
        ));
    }
}
