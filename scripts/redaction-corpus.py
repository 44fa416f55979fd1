#!/usr/bin/env python3
"""Writes the redaction corpus: comments as citizens write them at the end of a procedure,
half with personal data planted (each datum recorded exactly as written) and half without,
but full of the numbers that must stay (dates, amounts, times, postcodes, form numbers).

Deterministic: the same seed gives the same files. Usage: scripts/redaction-corpus.py [DIR]"""
import json
import random
import sys
from pathlib import Path

rng = random.Random(20261122)

FIRST = ["jean", "marie", "sophie", "karim", "lucas", "nadia", "pierre", "emma", "yann", "fatou", "hugo", "chloe"]
LAST = ["dupont", "martin", "bernard", "nguyen", "diallo", "lefebvre", "moreau", "garcia", "petit", "roux"]
DOMAINS = ["gmail.com", "orange.fr", "laposte.net", "free.fr", "hotmail.fr", "yahoo.fr", "outlook.com", "wanadoo.fr", "sfr.fr"]


def email():
    f, l = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice([f"{f}.{l}", f"{f}{l}{rng.randint(1, 99)}", f"{f[0]}.{l}", f"{l}_{f}", f"{f}-{l}"])
    if rng.random() < 0.2:
        local = local.capitalize()
    sep = " @ " if rng.random() < 0.08 else "@"
    return f"{local}{sep}{rng.choice(DOMAINS)}"


def pairs(digits):
    return [digits[i:i + 2] for i in range(0, len(digits), 2)]


def phone():
    if rng.random() < 0.2:
        return rng.choice([
            lambda: f"+44 20 {rng.randint(7000, 7999)} {rng.randint(1000, 9999)}",
            lambda: f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            lambda: f"+49 30 {rng.randint(1000000, 9999999)}",
            lambda: f"+1 514 555 {rng.randint(1000, 9999)}",
            lambda: f"+212 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        ])()
    first = rng.choice("123456789")
    rest = "".join(rng.choice("0123456789") for _ in range(8))
    number = "0" + first + rest
    p = pairs(number)
    return rng.choice([
        " ".join(p), number, ".".join(p), "-".join(p),
        "+33 " + first + " " + " ".join(pairs(rest)), "+33" + first + rest,
        "0033 " + first + " " + " ".join(pairs(rest)), "+33 (0)" + first + " " + " ".join(pairs(rest)),
    ])


def nir():
    sex = rng.choice("12")
    yy = f"{rng.randint(40, 99):02d}"
    mm = f"{rng.randint(1, 12):02d}"
    dept = rng.choice([f"{rng.randint(1, 95):02d}", "2A", "2B"])
    commune = f"{rng.randint(1, 999):03d}"
    order = f"{rng.randint(1, 999):03d}"
    body = sex + yy + mm + dept + commune + order
    numeric = int(body.replace("2A", "19").replace("2B", "18"))
    key = f"{97 - numeric % 97:02d}"
    return rng.choice([
        f"{sex} {yy} {mm} {dept} {commune} {order} {key}",
        f"{body}{key}",
        f"{sex} {yy} {mm} {dept} {commune} {order}",
        f"{sex}.{yy}.{mm}.{dept}.{commune}.{order}.{key}",
    ])


def iban():
    country, length = rng.choice([("FR", 23), ("FR", 23), ("FR", 23), ("BE", 12), ("DE", 18)])
    bban = "".join(rng.choice("0123456789") for _ in range(length))
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    compact = f"{country}{check:02d}{bban}"
    grouped = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return rng.choice([grouped, compact, grouped.lower() if rng.random() < 0.1 else grouped])


def tax_number():
    digits = rng.choice("0123") + "".join(rng.choice("0123456789") for _ in range(12))
    return rng.choice([digits, f"{digits[:2]} {digits[2:4]} {digits[4:7]} {digits[7:10]} {digits[10:]}"])


def card():
    body = rng.choice("45") + "".join(rng.choice("0123456789") for _ in range(14))
    for last in "0123456789":
        number = body + last
        total = 0
        for i, d in enumerate(int(c) for c in reversed(number)):
            if i % 2 == 1:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        if total % 10 == 0:
            break
    groups = [number[i:i + 4] for i in range(0, 16, 4)]
    return rng.choice([" ".join(groups), number, "-".join(groups)])


KINDS = {
    "email": (email, ["mon adresse mail est {}", "vous pouvez m'écrire à {}", "contactez moi sur {}", "mail : {}", "my email is {}"]),
    "phone": (phone, ["rappelez moi au {}", "mon numéro : {}", "joignable au {} le matin", "tel {}", "call me on {}"]),
    "nir": (nir, ["mon numéro de sécu est le {}", "n° de sécurité sociale {}", "NIR {}", "ma carte vitale porte le {}"]),
    "iban": (iban, ["le virement doit aller sur {}", "mon IBAN : {}", "RIB {} merci de corriger", "compte {}"]),
    "tax": (tax_number, ["mon numéro fiscal est {}", "numéro fiscal {}", "identifiant fiscal : {}", "n° fiscal {}"]),
    "card": (card, ["j'ai payé avec la carte {}", "carte bancaire {} débitée deux fois", "CB n° {}", "paiement refusé sur {}"]),
}

OPENINGS = [
    "Le site est clair mais", "Démarche longue,", "Très bien dans l'ensemble,", "Impossible de finir en ligne,",
    "J'ai dû recommencer trois fois,", "Merci pour la rapidité,", "Le formulaire plante sur mobile,",
    "Pas de réponse depuis 2 mois,", "Personne au téléphone après 45 minutes d'attente,", "Bon accueil au guichet,",
    "L'aide en ligne ne répond pas à ma question,", "Les pièces justificatives ne passent pas,",
    "Le délai annoncé de 10 jours n'est pas tenu,", "Simple et rapide,", "Je ne comprends pas le calcul,",
]

CLOSINGS = [
    "", " Merci.", " Cordialement.", " Bonne journée.", " À améliorer.", " Merci d'avance pour votre retour.",
    " Thanks.", " Vivement une amélioration.",
]

CLEAN = [
    "J'ai déposé mon dossier le {d}/{m}/2024 à {h}h{mi} et j'ai eu la réponse {n} jours après.",
    "Le montant de {a} € a été versé le {dd} {mois}, merci.",
    "Formulaire cerfa n°{c}*0{v} introuvable sur le site, j'ai perdu {n} minutes.",
    "Je suis passé au guichet de la mairie (code postal {cp}) à {h}h, {n} personnes avant moi.",
    "Simulateur faux de {p} % par rapport au montant réel de {a},{cents} euros.",
    "Trois relances en {y} et toujours rien, la démarche date du {dd} {mois} {y}.",
    "Le lien du courriel du {d}/{m} ne fonctionne plus, page 404.",
    "Très clair, {n} étapes seulement, terminé en {n2} minutes.",
    "Mon dossier n° {y}-{ref} est en attente depuis {n} semaines.",
    "Attente de {n} min au {n2}e appel, puis coupure.",
    "J'ai reçu {n} courriers contradictoires entre janvier et mars {y}.",
    "The site works fine, it took {n} minutes on {dd} {month}.",
    "Page blanche à l'étape {n} sur {n2}, essayé sur {n3} navigateurs.",
    "Le plafond de {a} € n'est pas expliqué, ni la règle des {n} mois.",
    "Rendez-vous donné pour le {dd} {mois} à {h}h{mi}, soit {n} semaines d'attente.",
    "Remboursement de {a},{cents} € reçu en {n} jours, parfait.",
    "Il manque la case pour les foyers de plus de {n} personnes.",
    "Après {n} tentatives le paiement de {a} € est passé.",
    "Service fermé le samedi, ouvert de {h}h à {h2}h en semaine seulement.",
    "Ma demande du {d}/{m}/{y} a été clôturée sans explication.",
]
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
MONTHS = ["January", "March", "June", "October"]


def clean_comment():
    values = dict(
        d=f"{rng.randint(1, 28):02d}", m=f"{rng.randint(1, 12):02d}", h=rng.randint(8, 18), h2=rng.randint(12, 19),
        mi=f"{rng.choice([0, 15, 30, 45]):02d}", n=rng.randint(2, 60), n2=rng.randint(2, 30), n3=rng.randint(2, 4),
        a=rng.choice(["1 250", "350", "87", "2 400", "15 000", "640"]), cents=f"{rng.randint(0, 99):02d}",
        dd=rng.randint(1, 28), mois=rng.choice(MOIS), month=rng.choice(MONTHS), c=rng.randint(10000, 16999),
        v=rng.randint(1, 9), cp=rng.choice(["75015", "13001", "69003", "33000", "59800", "97400"]),
        p=rng.randint(2, 40), y=rng.choice([2023, 2024, 2025, 2026]), ref=rng.randint(1000, 99999),
    )
    text = rng.choice(CLEAN).format(**values)
    return f"{rng.choice(OPENINGS)} {text[0].lower()}{text[1:]}{rng.choice(CLOSINGS)}" if rng.random() < 0.5 else text


def planted_comment():
    kinds = rng.sample(sorted(KINDS), rng.choice([1, 1, 1, 2]))
    parts, data = [rng.choice(OPENINGS)], []
    for kind in kinds:
        make, templates = KINDS[kind]
        datum = make()
        data.append(datum)
        parts.append(rng.choice(templates).format(datum))
    if rng.random() < 0.5:
        parts.append(clean_comment())
    return {"text": " ".join(parts) + rng.choice(CLOSINGS), "data": data}


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/redaction")
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "planted.jsonl", "w", encoding="utf-8") as f:
        for _ in range(220):
            f.write(json.dumps(planted_comment(), ensure_ascii=False) + "\n")
    with open(out / "clean.jsonl", "w", encoding="utf-8") as f:
        for _ in range(220):
            f.write(json.dumps({"text": clean_comment()}, ensure_ascii=False) + "\n")


main()
