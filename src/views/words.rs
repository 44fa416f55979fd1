//! The back-office's words, in French and English, side by side. A page asks for a word by its
//! name, so a missing translation is a compile error, not a blank on screen.

use crate::domain::questionnaire::Lang;

macro_rules! words {
    ($($name:ident => $fr:literal, $en:literal;)*) => {
        /// One word or sentence of the back-office.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum W { $($name,)* }

        impl W {
            /// Every word, for the tests.
            pub const ALL: &[W] = &[$(W::$name,)*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((W::$name, Lang::Fr) => $fr, (W::$name, Lang::En) => $en,)*
                }
            }
        }
    };
}

words! {
    Site => "Je donne mon avis", "Je donne mon avis";
    BackOffice => "Espace des administrations", "Administrations' space";
    SkipToContent => "Aller au contenu", "Skip to content";
    MainMenu => "Menu principal", "Main menu";
    Home => "Mes démarches", "My procedures";
    Organisations => "Organisations", "Organisations";
    Users => "Comptes", "Accounts";
    Settings => "Réglages de l'instance", "Instance settings";
    Audit => "Journal", "Audit log";
    Account => "Mon compte", "My account";
    SignIn => "Se connecter", "Sign in";
    ProConnectSignIn => "Se connecter avec ProConnect", "Sign in with ProConnect";
    ProConnectWhat => "ProConnect est l'identifiant des agents publics.", "ProConnect is public servants' sign-in.";
    OrWithPassword => "Ou avec votre adresse e-mail et un mot de passe", "Or with your email address and a password";
    ProConnectFailed => "La connexion avec ProConnect a échoué. Réessayez, ou connectez-vous avec votre mot de passe.", "Signing in with ProConnect failed. Try again, or sign in with your password.";
    NoAccountForEmail => "Aucun compte ne correspond à cette adresse :", "No account matches this address:";
    NoAccountHint => "Demandez à un administrateur de votre organisation de vous inviter.", "Ask an administrator of your organisation to invite you.";
    SignedOut => "Vous êtes déconnecté", "You are signed out";
    SignedOutProConnect => "Votre session ProConnect se termine aussi.", "Your ProConnect session ends too.";
    Continue => "Continuer", "Continue";
    SignOut => "Se déconnecter", "Sign out";
    SignedInAs => "Connecté en tant que", "Signed in as";
    Language => "Langue", "Language";
    OtherLanguage => "English", "Français";
    OtherLanguageCode => "en", "fr";
    LandingTitle => "Je donne mon avis : la satisfaction des usagers des démarches en ligne", "Je donne mon avis: satisfaction with online public services";
    LandingIntro => "Ce service recueille l'avis des usagers à la fin de leurs démarches en ligne, en un clic, sans compte ni cookie. Les administrations y suivent la satisfaction de leurs démarches ; l'Observatoire de la qualité des démarches en ligne en publie les indicateurs.", "This service collects citizens' opinions at the end of their online procedures, in one click, with no account and no cookie. Administrations follow their procedures' satisfaction here; the observatory of online public services publishes its indicators.";
    LandingAgents => "Vous êtes agent d'une administration", "You work for an administration";
    LandingAgentsText => "Inscrivez vos démarches, publiez le bouton «\u{a0}Je donne mon avis\u{a0}» et lisez les avis de vos usagers.", "Register your procedures, publish the «\u{a0}Je donne mon avis\u{a0}» button and read your users' reviews.";
    LandingDevelopers => "Développeurs et Observatoire", "Developers and the observatory";
    LandingApi => "Documentation de l'API", "API documentation";
    LandingOpenData => "Indicateurs publics (données ouvertes)", "Public indicators (open data)";
    GoToBackOffice => "Accéder à l'espace des administrations", "Go to the administrations' space";
    Email => "Adresse e-mail", "Email address";
    Password => "Mot de passe", "Password";
    NewPassword => "Nouveau mot de passe", "New password";
    CurrentPassword => "Mot de passe actuel", "Current password";
    PasswordHint => "12 caractères au moins. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.", "At least 12 characters. A phrase of several words is easy to remember and hard to guess.";
    DisplayName => "Nom affiché", "Display name";
    SignInFailed => "Adresse e-mail ou mot de passe incorrect.", "Wrong email address or password.";
    TooManyAttemptsTitle => "Trop de tentatives", "Too many attempts";
    TooManyAttempts => "Trop de tentatives de connexion ont échoué. Pour votre sécurité, réessayez dans quelques minutes.", "Too many sign-in attempts failed. For your security, try again in a few minutes.";
    ErrorSummary => "Il y a un problème", "There is a problem";
    Required => "Ce champ est obligatoire.", "This field is required.";
    TooLong => "Ce texte est trop long.", "This text is too long.";
    InvalidEmail => "Saisissez une adresse e-mail valide, par exemple nom@exemple.gouv.fr.", "Enter a valid email address, such as name@example.gouv.fr.";
    PasswordTooShort => "Le mot de passe doit compter 12 caractères au moins.", "The password must be at least 12 characters long.";
    PasswordTooLong => "Le mot de passe doit compter 256 caractères au plus.", "The password must be at most 256 characters long.";
    WrongPassword => "Le mot de passe est incorrect.", "The password is wrong.";
    InvitationTitle => "Créer votre compte", "Create your account";
    InvitationFirst => "Ce lien crée le premier compte de l'instance, avec tous les droits (super-administrateur).", "This link creates the instance's first account, with every right (superadmin).";
    InvitationSuperadmin => "Vous êtes invité comme super-administrateur de l'instance.", "You are invited as a superadmin of the instance.";
    InvitationTo => "Vous êtes invité dans l'organisation", "You are invited to the organisation";
    AsRole => "avec le rôle", "with the role";
    InvitationExisting => "Vous avez déjà un compte : saisissez votre mot de passe pour accepter.", "You already have an account: enter your password to accept.";
    CreateAccount => "Créer mon compte", "Create my account";
    Accept => "Accepter l'invitation", "Accept the invitation";
    DeadLinkTitle => "Ce lien n'est plus valable", "This link is no longer valid";
    DeadLink => "Le lien a déjà servi, a été révoqué ou a expiré. Demandez-en un nouveau à un administrateur.", "The link was already used, revoked or has expired. Ask an administrator for a new one.";
    DisabledAccount => "Ce compte est désactivé.", "This account is disabled.";
    ResetTitle => "Choisir un nouveau mot de passe", "Choose a new password";
    ResetFor => "Nouveau mot de passe du compte", "New password for the account";
    SavePassword => "Enregistrer le mot de passe", "Save the password";
    NotFoundTitle => "Page introuvable", "Page not found";
    NotFound => "Cette page n'existe pas, ou vous n'y avez pas accès.", "This page does not exist, or you have no access to it.";
    ForbiddenTitle => "Action non autorisée", "Action not allowed";
    Forbidden => "Votre rôle ne permet pas cette action, ou le formulaire a expiré : rechargez la page et recommencez.", "Your role does not allow this action, or the form has expired: reload the page and try again.";
    ErrorTitle => "Erreur du service", "Service error";
    Error => "Une erreur est survenue de notre côté. Réessayez dans un moment.", "Something went wrong on our side. Try again in a moment.";
    BackHome => "Retour à l'accueil", "Back to the home page";
    Procedures => "Démarches", "Procedures";
    Procedure => "Démarche", "Procedure";
    NoProcedures => "Aucune démarche pour l'instant.", "No procedures yet.";
    NoOrganisation => "Vous n'êtes membre d'aucune organisation. Demandez à un administrateur de vous y inviter.", "You are not a member of any organisation. Ask an administrator to invite you.";
    Organisation => "Organisation", "Organisation";
    Satisfaction12m => "Satisfaction sur 12 mois", "Satisfaction over 12 months";
    Answers => "Réponses", "Answers";
    Level => "Niveau", "Level";
    LevelGood => "Bon", "Good";
    LevelMedium => "Moyen", "Medium";
    LevelBad => "Mauvais", "Bad";
    NoValue => "Pas encore d'avis", "No reviews yet";
    NotPublishable => "Pas encore assez d'avis", "Not enough reviews yet";
    Essential => "Démarche essentielle", "Essential procedure";
    Public => "Indicateurs publics", "Public indicators";
    Closed => "Fermée", "Closed";
    Open => "Ouvert", "Open";
    Yes => "Oui", "Yes";
    No => "Non", "No";
    Filter => "Filtrer", "Filter";
    Search => "Rechercher", "Search";
    Previous => "Page précédente", "Previous page";
    Next => "Page suivante", "Next page";
    Name => "Nom", "Name";
    Rename => "Renommer", "Rename";
    Create => "Créer", "Create";
    Save => "Enregistrer", "Save";
    Saved => "Modifications enregistrées.", "Changes saved.";
    Created => "Créé.", "Created.";
    CreatedAt => "Créé le", "Created on";
    NewOrganisation => "Nouvelle organisation", "New organisation";
    NameTaken => "Ce nom est déjà pris.", "This name is already taken.";
    NewProcedure => "Nouvelle démarche", "New procedure";
    Title => "Intitulé", "Title";
    ExternalId => "Identifiant de l'Observatoire", "Observatory's id";
    ExternalIdHint => "Facultatif. Lettres, chiffres et -_.: uniquement.", "Optional. Letters, digits and -_.: only.";
    ExternalIdTaken => "Cet identifiant est déjà celui d'une autre démarche.", "Another procedure already has this id.";
    InvalidTag => "Lettres, chiffres et -_.: uniquement, 64 caractères au plus.", "Letters, digits and -_.: only, at most 64 characters.";
    YearlyVolume => "Nombre d'usagers par an", "Users per year";
    YearlyVolumeHint => "Facultatif : sert à calculer le taux de réponse.", "Optional: used to compute the response rate.";
    InvalidNumber => "Saisissez un nombre entier positif.", "Enter a positive whole number.";
    IsEssential => "Démarche essentielle (suivie par l'Observatoire)", "Essential procedure (followed by the observatory)";
    IsPublic => "Publier ses indicateurs (données ouvertes)", "Publish its indicators (open data)";
    ProcedureSettings => "Réglages de la démarche", "Procedure settings";
    Buttons => "Boutons", "Buttons";
    Button => "Bouton", "Button";
    NoButtons => "Aucun bouton : créez-en un pour recueillir des avis.", "No buttons: create one to collect reviews.";
    NewButton => "Nouveau bouton", "New button";
    Label => "Libellé", "Label";
    LabelHint => "Où le bouton est proposé, par exemple «\u{a0}Fin de démarche\u{a0}» ou «\u{a0}Courriel de confirmation\u{a0}».", "Where the button is offered, e.g. «\u{a0}End of procedure\u{a0}» or «\u{a0}Confirmation email\u{a0}».";
    Source => "Source", "Source";
    SourceHint => "Une étiquette courte pour les exports : web, email, qr…", "A short tag for exports: web, email, qr…";
    Origins => "Sites autorisés", "Allowed sites";
    OriginsHint => "Une origine par ligne, par exemple https://www.exemple.gouv.fr. Le widget ne fonctionne que sur ces sites.", "One origin per line, e.g. https://www.example.gouv.fr. The widget works on these sites only.";
    InvalidOrigin => "Chaque ligne doit être une origine, comme https://www.exemple.gouv.fr.", "Each line must be an origin, such as https://www.example.gouv.fr.";
    IsTest => "Bouton de test (ses avis ne comptent jamais)", "Test button (its reviews never count)";
    AsksContact => "Proposer de laisser une adresse e-mail pour être recontacté", "Offer to leave an email address to be contacted back";
    ProofOfWork => "Exiger une preuve de travail (contre les robots)", "Require a proof of work (against robots)";
    CloseButton => "Fermer ce bouton", "Close this button";
    CloseButtonHint => "Un bouton fermé ne reçoit plus d'avis ; ses avis restent. On ne peut pas le rouvrir.", "A closed button takes no more reviews; its reviews stay. It cannot be opened again.";
    ButtonSettings => "Réglages du bouton", "Button settings";
    ButtonClosed => "Ce bouton est fermé.", "This button is closed.";
    Snippets => "Intégrer le bouton", "Embed the button";
    SnippetWidget => "Widget dans la page (recommandé)", "Widget in the page (recommended)";
    SnippetWidgetHint => "À coller à l'endroit où le questionnaire doit apparaître, sur un des sites autorisés.", "Paste it where the questionnaire should appear, on one of the allowed sites.";
    SnippetPinned => "Le même, figé sur la version actuelle du widget (empreinte d'intégrité SRI)", "The same, pinned to the current widget by its Subresource Integrity hash";
    SnippetPinnedHint => "Pour les sites qui exigent une empreinte : à remplacer à chaque nouvelle version d'avis, sinon le navigateur refuse le widget.", "For sites that require a hash: replace it with each new avis version, or browsers will refuse the widget.";
    SnippetImage => "Image «\u{a0}Je donne mon avis\u{a0}»", "«\u{a0}Je donne mon avis\u{a0}» image";
    SnippetImageDark => "Image pour fond sombre", "Image for a dark background";
    SnippetLink => "Lien seul, pour un courriel ou un SMS", "Bare link, for an email or a text message";
    QrCode => "QR code, pour un guichet ou un courrier", "QR code, for a counter or a letter";
    QrAlt => "QR code du questionnaire de ce bouton", "QR code of this button's questionnaire";
    DownloadSvg => "Télécharger en SVG", "Download as SVG";
    DownloadPng => "Télécharger en PNG", "Download as PNG";
    Copy => "Copier", "Copy";
    Copied => "Copié", "Copied";
    Preview => "Aperçu", "Preview";
    PreviewNothingSent => "rien n'y est envoyé", "nothing is sent from it";
    OpenQuestionnaire => "Ouvrir le questionnaire", "Open the questionnaire";
    Members => "Membres", "Members";
    Role => "Rôle", "Role";
    RoleAdmin => "Administrateur", "Administrator";
    RoleMember => "Membre", "Member";
    RoleSuperadmin => "Super-administrateur", "Superadmin";
    Invite => "Inviter", "Invite";
    InviteSomeone => "Inviter une personne", "Invite someone";
    InvitationLink => "Lien d'invitation, à transmettre à la personne (il n'est montré qu'une fois) :", "Invitation link, to hand over to the person (shown only once):";
    PendingInvitations => "Invitations en attente", "Pending invitations";
    NoPendingInvitations => "Aucune invitation en attente.", "No pending invitations.";
    Expires => "Expire le", "Expires on";
    Revoke => "Révoquer", "Revoke";
    Remove => "Retirer", "Remove";
    ChangeRole => "Changer le rôle", "Change the role";
    You => "vous", "you";
    LastAdmin => "L'organisation doit garder au moins un administrateur.", "The organisation must keep at least one administrator.";
    ApiKeys => "Clés d'API", "API keys";
    NewKey => "Nouvelle clé", "New key";
    Scope => "Portée", "Scope";
    ScopeAdmin => "Administration (catalogue, avis, modération)", "Administration (catalog, reviews, moderation)";
    ScopeIndicators => "Lecture des indicateurs", "Reading indicators";
    KeySecret => "La clé, à copier maintenant : elle ne sera plus jamais affichée.", "The key, to copy now: it will never be shown again.";
    Prefix => "Début", "Prefix";
    LastUsed => "Dernier usage", "Last used";
    Never => "jamais", "never";
    Revoked => "Révoquée", "Revoked";
    NoKeys => "Aucune clé.", "No keys.";
    AuditEmpty => "Rien dans le journal pour l'instant.", "Nothing in the log yet.";
    When => "Quand", "When";
    Who => "Qui", "Who";
    What => "Quoi", "What";
    Details => "Détails", "Details";
    Older => "Plus anciens", "Older";
    Disable => "Désactiver", "Disable";
    Enable => "Réactiver", "Enable";
    Disabled => "Désactivé", "Disabled";
    Active => "Actif", "Active";
    ResetLink => "Lien de nouveau mot de passe", "Password reset link";
    ResetLinkShown => "Lien de nouveau mot de passe, à transmettre à la personne (valable 24 heures, montré une fois) :", "Password reset link, to hand over to the person (valid 24 hours, shown once):";
    Status => "État", "Status";
    SettingsHint => "Ce avec quoi avis serve tourne, en lecture seule. Les secrets sont masqués.", "What avis serve runs with, read-only. Secrets are masked.";
    Setting => "Réglage", "Setting";
    Value => "Valeur", "Value";
    Sessions => "Sessions ouvertes", "Open sessions";
    ThisSession => "cette session", "this session";
    Started => "Ouverte le", "Started on";
    LastSeen => "Dernière activité", "Last active";
    Browser => "Navigateur", "Browser";
    SignOutElsewhere => "Fermer les autres sessions", "Sign out everywhere else";
    ChangePassword => "Changer de mot de passe", "Change the password";
    PasswordChanged => "Mot de passe changé. Vos autres sessions sont fermées.", "Password changed. Your other sessions are closed.";
    ProfileSaved => "Profil enregistré.", "Profile saved.";
    Profile => "Profil", "Profile";
    Actions => "Actions", "Actions";
    CopyFallback => "Sélectionnez le texte puis copiez-le.", "Select the text, then copy it.";
    Keys => "Clés", "Keys";
    Pagination => "Pagination", "Pagination";
    // Reviews
    Reviews => "Avis", "Reviews";
    Review => "Avis", "Review";
    ReadReviews => "Lire les avis", "Read the reviews";
    ReviewsPage => "Liste des avis", "List of reviews";
    ReviewsNewestFirst => "Avis, du plus récent au plus ancien", "Reviews, newest first";
    NoReviews => "Aucun avis ne correspond à ces filtres.", "No review matches these filters.";
    NewestReviews => "Avis les plus récents", "Newest reviews";
    OlderReviews => "Avis plus anciens", "Older reviews";
    FilterReviews => "Filtrer les avis", "Filter the reviews";
    SearchComments => "Rechercher dans les commentaires", "Search the comments";
    SearchCommentsHint => "Chaque mot doit s'y trouver, majuscules et accents mis à part.", "Every word must be there, whatever the case and accents.";
    FromDay => "Du", "From";
    ToDay => "Au", "To";
    All => "Tous", "All";
    SatisfactionShort => "Satisfaction", "Satisfaction";
    Clarity => "Clarté", "Clarity";
    HelpSought => "Aide cherchée", "Help sought";
    SomeHelp => "Une aide, quelle qu'elle soit", "Some help, whichever";
    Comment => "Commentaire", "Comment";
    WithComment => "Avec commentaire", "With a comment";
    WithoutComment => "Sans commentaire", "Without a comment";
    ContactLeft => "Adresse laissée pour être recontacté", "Address left to be contacted";
    Counted => "Compté", "Counted";
    Excluded => "Exclu", "Excluded";
    ExcludedPlural => "Exclus", "Excluded";
    Restored => "Rétabli", "Restored";
    ClearFilters => "Effacer les filtres", "Clear the filters";
    InvalidFilter => "Ces filtres ne sont pas valides", "These filters are not valid";
    ReviewsAdminHint => "Ouvrez un avis pour l'exclure des indicateurs ou l'y rétablir.", "Open a review to exclude it from the indicators or restore it.";
    AboutReview => "À propos de cet avis", "About this review";
    UpdatedAt => "Complété le", "Completed on";
    QuestionnaireVersion => "Version du questionnaire", "Questionnaire version";
    Redactions => "Données personnelles masquées", "Personal data masked";
    TextPurged => "Textes effacés à la fin de leur conservation", "Texts deleted at the end of their retention";
    ShowContact => "Voir l'adresse", "Show the address";
    ShowContactHint => "La consultation est inscrite au journal.", "Viewing it is recorded in the audit log.";
    ContactAdminsOnly => "Oui ; seuls les administrateurs peuvent la voir.", "Yes; only admins may see it.";
    ExclusionHistory => "Exclusions et rétablissements", "Exclusions and restorations";
    NoExclusionHistory => "Cet avis n'a jamais été exclu.", "This review was never excluded.";
    ExcludedBecause => "Exclu des indicateurs", "Excluded from the indicators";
    Reason => "Motif", "Reason";
    ReasonHint => "Quelques mots, inscrits au journal.", "A few words, recorded in the audit log.";
    ExcludeReview => "Exclure cet avis des indicateurs", "Exclude this review from the indicators";
    RestoreReview => "Rétablir cet avis dans les indicateurs", "Restore this review to the indicators";
    Exclude => "Exclure", "Exclude";
    Restore => "Rétablir", "Restore";
    ReviewExcluded => "L'avis est exclu des indicateurs.", "The review is excluded from the indicators.";
    ReviewRestored => "L'avis compte de nouveau dans les indicateurs.", "The review counts again in the indicators.";
    NoAnswer => "Pas de réponse", "No answer";
    // Dashboards
    Indicators => "Indicateurs", "Indicators";
    IndicatorSatisfaction => "Satisfaction", "Satisfaction";
    IndicatorComprehension => "Clarté des informations", "Clarity of information";
    IndicatorHelpReachable => "Aide joignable", "Help reachable";
    IndicatorHelpQuality => "Qualité de l'aide", "Quality of help";
    IndicatorAutonomy => "Autonomie", "Autonomy";
    ConfidenceInterval => "Intervalle de confiance à 95\u{a0}%", "95% confidence interval";
    NoLevel => "Sans niveau", "No level";
    Publication => "Publication", "Publication";
    Publishable => "Publiable", "Publishable";
    Change => "Évolution", "Change";
    PreviousPeriod => "période précédente", "previous period";
    NoComparison => "Pas de comparaison possible", "No comparison possible";
    PercentagePoints => "points", "points";
    Period => "Période", "Period";
    PeriodShown => "Période affichée", "Period shown";
    Last12Months => "12 derniers mois", "Last 12 months";
    Last3Months => "3 derniers mois", "Last 3 months";
    CustomDates => "Dates choisies", "Chosen dates";
    FirstDay => "Premier jour", "First day";
    LastDay => "Dernier jour", "Last day";
    DatesHint => "Pour afficher d'autres dates, choisissez la période «\u{a0}Dates choisies\u{a0}» et indiquez le premier et le dernier jour (AAAA-MM-JJ).", "To show other dates, choose the period “Chosen dates” and give the first and last days (YYYY-MM-DD).";
    AllButtons => "Tous les boutons", "All buttons";
    Grouping => "Regroupement dans le temps", "Grouping over time";
    IntervalAuto => "Automatique", "Automatic";
    ByDay => "Par jour", "By day";
    ByWeek => "Par semaine", "By week";
    ByMonth => "Par mois", "By month";
    Show => "Afficher", "Show";
    InvalidWindow => "Cette période n'est pas valable : choisissez 12 ou 3 mois, ou deux dates au format AAAA-MM-JJ, la première au plus tard le jour de la seconde, à 10 ans d'écart au plus.", "This period is not valid: choose 12 or 3 months, or two dates as YYYY-MM-DD, the first no later than the second, at most 10 years apart.";
    InvalidButton => "Ce bouton n'est pas un des boutons de cette démarche dont les avis comptent.", "This button is not one of this procedure's buttons whose reviews count.";
    InvalidInterval => "Ce regroupement n'est pas valable : choisissez par jour, par semaine ou par mois.", "This grouping is not valid: choose by day, by week or by month.";
    TooManyBuckets => "Trop de périodes pour un graphique : regroupez par semaine ou par mois, ou raccourcissez la période.", "Too many periods for one chart: group by week or by month, or shorten the period.";
    InvalidSort => "Ce tri n'est pas valable : choisissez une colonne du tableau.", "This sort order is not valid: choose one of the table's columns.";
    DownloadCsv => "Télécharger en CSV", "Download as CSV";
    ShowData => "Voir les données du graphique", "Show the chart's data";
    SatisfactionOverTime => "Satisfaction dans le temps", "Satisfaction over time";
    SeriesShape => "Un bâton par période : la satisfaction sur 10 en haut, le nombre de réponses en bas.", "One bar per period: satisfaction out of 10 above, the number of answers below.";
    Highest => "Plus haut", "Highest";
    Lowest => "Plus bas", "Lowest";
    FiguresInTable => "Les chiffres sont dans le tableau des données du graphique.", "The figures are in the chart's data table.";
    HollowBars => "Une barre évidée signale un chiffre qui n'a pas encore assez d'avis pour être publié.", "A hollow bar marks a figure with not enough reviews to be published yet.";
    Start => "Début", "Start";
    End => "Fin", "End";
    AnswersPerQuestion => "Réponses à chaque question", "Answers to each question";
    SeveralAnswers => "Plusieurs réponses possibles : les parts ne font pas 100\u{a0}%.", "Several answers allowed: the shares do not add up to 100%.";
    Question => "Question", "Question";
    Answer => "Réponse", "Answer";
    Count => "Nombre", "Count";
    Share => "Part", "Share";
    HelpChannels => "Canaux d'aide", "Help channels";
    ChannelsTried => "Moyens d'aide tentés", "Ways of getting help tried";
    Channel => "Canal", "Channel";
    Tried => "Tenté", "Tried";
    Reached => "Joint", "Reached";
    NotReached => "Non joint", "Not reached";
    QualityRatings => "Notes de qualité", "Quality ratings";
    PerButton => "Par bouton", "By button";
    PerButtonHint => "Tous les boutons de la démarche sur la période, quel que soit le bouton choisi.", "Every button of the procedure over the period, whichever button is chosen.";
    Observatory => "Observatoire", "Observatory";
    ObservatoryIntro => "Les démarches essentielles de toutes les organisations, avec les indicateurs de l'Observatoire sur la période choisie.", "The essential procedures of every organisation, with the observatory's indicators over the chosen period.";
    NoEssential => "Aucune démarche essentielle.", "No essential procedures.";
    ProceduresIndicators => "Indicateurs des démarches", "Procedures' indicators";
    DownloadTable => "Télécharger le tableau en CSV", "Download the table as CSV";
    PublicPage => "Page publique de la démarche", "The procedure's public page";
    PublicIntro => "Indicateurs de satisfaction des usagers de cette démarche en ligne, calculés selon les formules de l'Observatoire de la qualité des démarches en ligne.", "Satisfaction indicators of this online procedure's users, computed with the formulas of the observatory of online public services.";
    // Exports
    ExportHeading => "Exporter ces avis", "Export these reviews";
    ExportWhat => "Les avis qui répondent aux filtres, exclus compris\u{a0}: une colonne dit lesquels, et pourquoi. Les commentaires en font partie.", "The reviews that match the filters, excluded ones included: a column says which, and why. Comments are part of it.";
    ExportCsvLegend => "Fichier CSV, téléchargé tout de suite", "CSV file, downloaded at once";
    ExportXlsxLegend => "Classeur Excel (XLSX), préparé en arrière-plan", "Excel workbook (XLSX), prepared in the background";
    ExportLabelsLanguage => "Langue du fichier", "Language of the file";
    ExportFrench => "Français", "French";
    ExportEnglish => "Anglais", "English";
    ExportWithContacts => "Inclure les adresses e-mail laissées pour être recontacté (l'export est inscrit au journal)", "Include the email addresses left to be contacted back (the export is recorded in the audit log)";
    ExportCsvButton => "Télécharger le CSV", "Download the CSV";
    ExportXlsxButton => "Préparer le classeur", "Prepare the workbook";
    ExportPageTitle => "Export des avis", "Reviews export";
    ExportProgress => "Avancement", "Progress";
    ExportRunning => "Le classeur est en préparation. Cette page se met à jour d'elle-même toutes les 2 secondes.", "The workbook is being prepared. This page updates itself every 2 seconds.";
    ExportAutoOff => "La mise à jour automatique est arrêtée.", "Automatic updating is stopped.";
    ExportStopRefresh => "Arrêter la mise à jour automatique", "Stop updating automatically";
    ExportRefreshNow => "Mettre à jour maintenant", "Update now";
    ExportRowsWritten => "avis écrits sur", "reviews written out of";
    ExportRowsWrittenSoFar => "avis écrits", "reviews written";
    ExportReady => "Le classeur est prêt.", "The workbook is ready.";
    ExportDownload => "Télécharger le classeur", "Download the workbook";
    ExportKeptUntil => "Il reste disponible jusqu'au", "It stays available until";
    ExportThenDeleted => ", puis il est supprimé.", ", then it is deleted.";
    ExportSplitPage => "Il y a plus d'avis qu'une feuille ne peut en contenir\u{a0}: ils sont répartis sur plusieurs feuilles, dans l'ordre. La première feuille le rappelle.", "There are more reviews than a sheet can hold: they are spread over several sheets, in order. The first sheet says so.";
    ExportFailed => "L'export a échoué. Réessayez\u{a0}; si cela se reproduit, prévenez l'équipe qui gère le service.", "The export failed. Try again; if it happens again, tell the team that runs the service.";
    ExportBack => "Retour à la démarche", "Back to the procedure";
    ExportBackOrganisation => "Retour à l'organisation", "Back to the organisation";
    ExportInvalidFilters => "Ces filtres ne sont pas valides. Revenez à la liste des avis et choisissez-les de nouveau.", "These filters are not valid. Go back to the list of reviews and choose them again.";
    ExportKilobytes => "ko", "kB";
    ExportMegabytes => "Mo", "MB";
    ExportNotesSheet => "À lire", "Read me";
    ExportReviewsSheet => "Avis", "Reviews";
    ExportWorkbookTitle => "Avis des usagers, exportés de «\u{a0}Je donne mon avis\u{a0}»", "Users' reviews, exported from «\u{a0}Je donne mon avis\u{a0}»";
    ExportCreatedAt => "Créé le (UTC)", "Created on (UTC)";
    ExportFilters => "Filtres", "Filters";
    ExportNoFilter => "aucun\u{a0}: tous les avis", "none: every review";
    ExportRows => "Avis exportés", "Reviews exported";
    ExportSheets => "Feuilles d'avis", "Sheets of reviews";
    ExportRowsPerSheet => "Avis par feuille, au plus", "Reviews per sheet, at most";
    ExportContacts => "Adresses de contact", "Contact addresses";
    ExportContactsIncluded => "incluses", "included";
    ExportContactsLeftOut => "non incluses", "left out";
    ExportSplitNote => "Les avis sont répartis sur plusieurs feuilles, dans l'ordre\u{a0}: les plus récents d'abord.", "The reviews are spread over several sheets, in order: newest first.";
    ExportExcludedNote => "Les avis exclus des indicateurs sont inclus\u{a0}: la colonne excluded le dit, et excluded_reason dit pourquoi.", "Reviews excluded from the indicators are included: the excluded column says so, and excluded_reason says why.";
    ExportCodesNote => "Chaque réponse figure en code stable (par exemple satisfaction = good) et, dans la colonne _label qui suit, en toutes lettres.", "Each answer appears as a stable code (for example satisfaction = good) and, in the _label column after it, in words.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_word_is_blank_or_padded_in_either_language() {
        for word in W::ALL {
            for lang in [Lang::Fr, Lang::En] {
                let text = word.text(lang);
                assert!(
                    !text.is_empty() && text.trim() == text,
                    "{word:?} in {lang:?}"
                );
            }
        }
    }
}
