//! The official questionnaire, version 1, as the server holds it.
//!
//! Codes, values and labels live here and nowhere else: clients send codes, the server derives
//! every label in the citizen's language. Versions are immutable; a future version is a new table.

use serde::Serialize;
use utoipa::ToSchema;

/// The questionnaire version every review created today answers.
pub const CURRENT_VERSION: i64 = 1;

/// Maximum length, in characters after trimming, of the free comment.
pub const VERBATIM_MAX_CHARS: usize = 5_000;

/// Maximum length, in characters after trimming, of the "other" help channel's precision.
pub const OTHER_CHANNEL_MAX_CHARS: usize = 250;

/// The languages the questionnaire is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// Parses a language tag such as `fr`, `en-GB` or `FR`; anything else is not supported.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A text in every supported language.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub fr: &'static str,
    pub en: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.fr,
            Lang::En => self.en,
        }
    }
}

const fn t(fr: &'static str, en: &'static str) -> Text {
    Text { fr, en }
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One value among `options`.
    Single,
    /// Integer on a scale; `options` list each step.
    Scale,
    /// A set of values among `options`.
    Multiple,
    /// One value among `options` per administration channel reached for help.
    PerChannel,
    /// Free text.
    Text,
    /// An email address.
    Email,
}

/// One question of the questionnaire.
#[derive(Debug)]
pub struct Question {
    pub code: &'static str,
    pub label: Text,
    pub kind: Kind,
    pub required: bool,
    pub options: &'static [(&'static str, Text)],
    /// For per-channel questions, which channels it is asked about.
    pub asked_for: Option<&'static str>,
    pub max_chars: Option<usize>,
}

pub const INTRO: Text = t(
    "Vos réponses sont anonymes. Merci de ne pas écrire de données personnelles (nom, e-mail, téléphone, numéro de dossier).",
    "Your answers are anonymous. Please do not write any personal data (name, email, phone, file number).",
);

pub const TITLE: Text = t("Je donne mon avis", "Give my feedback");

const SATISFACTION: &[(&str, Text)] = &[
    ("bad", t("Pas bien", "Not well")),
    ("medium", t("Moyen", "So-so")),
    ("good", t("Très bien", "Very well")),
];

const CLARITY: &[(&str, Text)] = &[
    ("1", t("Pas clair du tout", "Not clear at all")),
    ("2", t("Pas très clair", "Not very clear")),
    ("3", t("Moyennement clair", "Fairly clear")),
    ("4", t("Clair", "Clear")),
    ("5", t("Très clair", "Very clear")),
];

const CHANNELS: &[(&str, Text)] = &[
    (
        "counter",
        t(
            "Au guichet avec l'administration",
            "At a counter with the administration",
        ),
    ),
    (
        "phone",
        t(
            "Par téléphone avec l'administration",
            "By phone with the administration",
        ),
    ),
    (
        "email",
        t(
            "Par e-mail avec l'administration",
            "By email with the administration",
        ),
    ),
    (
        "chat",
        t(
            "Par chat avec l'administration",
            "By chat with the administration",
        ),
    ),
    ("relative", t("Une personne proche", "Someone close to me")),
    ("association", t("Une association", "An association")),
    ("internet", t("Des sites internet", "Websites")),
    ("other", t("Autres, précisez", "Other, please specify")),
    (
        "none",
        t("Je n'ai pas eu besoin d'aide", "I did not need help"),
    ),
];

const REACHED: &[(&str, Text)] = &[("yes", t("Oui", "Yes")), ("no", t("Non", "No"))];

const HELP_QUALITY: &[(&str, Text)] = &[
    ("1", t("Très mauvaise", "Very poor")),
    ("2", t("Mauvaise", "Poor")),
    ("3", t("Ni bonne, ni mauvaise", "Neither good nor poor")),
    ("4", t("Bonne", "Good")),
    ("5", t("Excellente", "Excellent")),
];

/// The questions of version 1, in the order they are asked.
pub const QUESTIONS: &[Question] = &[
    Question {
        code: "satisfaction",
        label: t(
            "De façon générale, comment ça s'est passé ?",
            "Overall, how did it go?",
        ),
        kind: Kind::Single,
        required: true,
        options: SATISFACTION,
        asked_for: None,
        max_chars: None,
    },
    Question {
        code: "comprehension",
        label: t(
            "Qu'avez-vous pensé des informations et des instructions fournies ?",
            "What did you think of the information and instructions provided?",
        ),
        kind: Kind::Scale,
        required: false,
        options: CLARITY,
        asked_for: None,
        max_chars: None,
    },
    Question {
        code: "contact_tried",
        label: t(
            "Durant votre parcours, avez-vous tenté d'obtenir de l'aide par l'un des moyens suivants ?",
            "Along the way, did you try to get help in any of the following ways?",
        ),
        kind: Kind::Multiple,
        required: false,
        options: CHANNELS,
        asked_for: None,
        max_chars: None,
    },
    Question {
        code: "contact_tried_other",
        label: t("Précisez", "Please specify"),
        kind: Kind::Text,
        required: false,
        options: &[],
        asked_for: Some("other"),
        max_chars: Some(OTHER_CHANNEL_MAX_CHARS),
    },
    Question {
        code: "contact_reached",
        label: t(
            "Quand vous avez cherché de l'aide, avez-vous réussi à joindre l'administration ?",
            "When you looked for help, did you manage to reach the administration?",
        ),
        kind: Kind::PerChannel,
        required: false,
        options: REACHED,
        asked_for: Some("contact_tried"),
        max_chars: None,
    },
    Question {
        code: "contact_satisfaction",
        label: t(
            "Comment évaluez-vous la qualité de l'aide que vous avez obtenue de la part de l'administration ?",
            "How do you rate the quality of the help you got from the administration?",
        ),
        kind: Kind::PerChannel,
        required: false,
        options: HELP_QUALITY,
        asked_for: Some("contact_reached"),
        max_chars: None,
    },
    Question {
        code: "verbatim",
        label: t(
            "Souhaitez-vous nous en dire plus ?",
            "Would you like to tell us more?",
        ),
        kind: Kind::Text,
        required: false,
        options: &[],
        asked_for: None,
        max_chars: Some(VERBATIM_MAX_CHARS),
    },
];

/// Offered only by buttons that ask for it: an address to be contacted back, stored apart from
/// the answers and only with explicit consent.
pub const CONTACT_EMAIL: Question = Question {
    code: "contact_email",
    label: t(
        "Adresse e-mail, si vous acceptez d'être recontacté",
        "Email address, if you agree to be contacted back",
    ),
    kind: Kind::Email,
    required: false,
    options: &[],
    asked_for: None,
    max_chars: Some(EMAIL_MAX_CHARS),
};

/// What a citizen ticks to consent to be contacted back.
pub const CONTACT_CONSENT: Text = t(
    "J'accepte d'être recontacté à cette adresse au sujet de mon avis.",
    "I agree to be contacted at this address about my feedback.",
);

/// Longest email address accepted.
pub const EMAIL_MAX_CHARS: usize = 254;

/// The label of one option of one question, if both exist.
pub fn option_label(code: &str, value: &str, lang: Lang) -> Option<&'static str> {
    let question = QUESTIONS.iter().find(|q| q.code == code)?;
    let (_, text) = question.options.iter().find(|(v, _)| *v == value)?;
    Some(text.get(lang))
}
