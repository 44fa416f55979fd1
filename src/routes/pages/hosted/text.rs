//! The hosted pages' own words, in French and English (question labels come from the
//! questionnaire).

use crate::domain::questionnaire::Lang;

pub struct Words {
    pub site: &'static str,
    pub step: &'static str,
    pub send: &'static str,
    pub next: &'static str,
    pub skip: &'static str,
    pub thanks_title: &'static str,
    pub thanks: &'static str,
    pub error_summary: &'static str,
    pub pick_one: &'static str,
    pub reached_if: &'static str,
    pub quality_if: &'static str,
    pub expired_title: &'static str,
    pub expired: &'static str,
    pub closed_title: &'static str,
    pub closed: &'static str,
    pub unknown_link_title: &'static str,
    pub unknown_link: &'static str,
    pub other_language: (&'static str, &'static str),
    pub demo_title: &'static str,
    pub demo_done: &'static str,
    pub demo_note: &'static str,
    pub honeypot: &'static str,
    pub email_skipped: &'static str,
}

const FR: Words = Words {
    site: "Je donne mon avis",
    step: "Étape {n} sur 4",
    send: "Envoyer",
    next: "Suivant",
    skip: "Passer cette étape",
    thanks_title: "Merci pour votre avis",
    thanks: "Vos réponses ont bien été enregistrées. Elles aident l'administration à améliorer cette démarche.",
    error_summary: "Il y a un problème",
    pick_one: "Choisissez une réponse.",
    reached_if: "Pour chaque moyen essayé :",
    quality_if: "Si vous avez réussi à la joindre, comment évaluez-vous l'aide obtenue ?",
    expired_title: "Ce lien n'est plus valable",
    expired: "Le délai pour compléter cet avis est dépassé. Votre première réponse a bien été enregistrée.",
    closed_title: "Ce questionnaire n'est plus disponible",
    closed: "Cette démarche ne recueille plus d'avis.",
    unknown_link_title: "Ce lien ne mène à aucun questionnaire",
    unknown_link: "Le lien que vous avez suivi ne correspond à aucune démarche ni à aucun bouton « Je donne mon avis ». Il a peut-être été mal copié. Vous pouvez revenir sur le site de la démarche et suivre de nouveau son bouton « Je donne mon avis ».",
    other_language: ("en", "English"),
    demo_title: "Démarche de démonstration",
    demo_done: "Votre demande a bien été envoyée. Vous recevrez une réponse par courrier.",
    demo_note: "Cette page montre le questionnaire tel qu'une administration l'intègre à la fin d'une démarche.",
    honeypot: "Ne remplissez pas ce champ",
    email_skipped: "Votre adresse e-mail n'a pas été enregistrée : la case d'accord pour être recontacté n'était pas cochée.",
};

const EN: Words = Words {
    site: "Give my feedback",
    step: "Step {n} of 4",
    send: "Send",
    next: "Next",
    skip: "Skip this step",
    thanks_title: "Thank you for your feedback",
    thanks: "Your answers have been saved. They help the administration improve this procedure.",
    error_summary: "There is a problem",
    pick_one: "Choose an answer.",
    reached_if: "For each way you tried:",
    quality_if: "If you reached it, how do you rate the help you got?",
    expired_title: "This link is no longer valid",
    expired: "The time to complete this feedback is over. Your first answer has been saved.",
    closed_title: "This questionnaire is no longer available",
    closed: "This procedure no longer collects feedback.",
    unknown_link_title: "This link leads to no questionnaire",
    unknown_link: "The link you followed matches no procedure and no « Je donne mon avis » button. It may have been copied wrongly. You can go back to the procedure's site and follow its « Je donne mon avis » button again.",
    other_language: ("fr", "Français"),
    demo_title: "Demonstration procedure",
    demo_done: "Your application has been sent. You will receive an answer by post.",
    demo_note: "This page shows the questionnaire as an administration embeds it at the end of a procedure.",
    honeypot: "Leave this field empty",
    email_skipped: "Your email address was not saved: the box agreeing to be contacted back was not ticked.",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}
