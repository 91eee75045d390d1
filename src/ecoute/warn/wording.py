"""The words detectors explain themselves with, in English and French. A counted phrase has a
singular and a plural form (French uses the singular for 0 and 1)."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "fr")

LABELS = {
    "handle": {"en": "handle", "fr": "l'identifiant"},
    "display_name": {"en": "display name", "fr": "le nom affiché"},
}

REASONS: dict[str, dict[str, str | tuple[str, str]]] = {
    "own_account": {
        "en": "one of the brand's own or partner accounts",
        "fr": "un compte de la marque ou d'un partenaire déclaré",
    },
    "no_imitation": {
        "en": "name and handle do not imitate the brand",
        "fr": "ni le nom ni l'identifiant n'imitent la marque",
    },
    "brand_name": {
        "en": "{label} '{text}' is the brand's name",
        "fr": "{label} « {text} » est le nom de la marque",
    },
    "confusable": {
        "en": "{label} '{text}' looks like the brand's name (confusable characters)",
        "fr": "{label} « {text} » ressemble au nom de la marque (caractères confusables)",
    },
    "support_words": {
        "en": "{label} '{text}' is the brand's name with the words {words}",
        "fr": "{label} « {text} » est le nom de la marque avec les mots {words}",
    },
    "edits": {
        "en": (
            "{label} '{text}' is {n} edit away from the brand's name",
            "{label} '{text}' is {n} edits away from the brand's name",
        ),
        "fr": (
            "{label} « {text} » est à {n} modification du nom de la marque",
            "{label} « {text} » est à {n} modifications du nom de la marque",
        ),
    },  # fmt: skip
    "contains": {
        "en": "{label} '{text}' contains the brand's name",
        "fr": "{label} « {text} » contient le nom de la marque",
    },
    "replied_tagged": {
        "en": ("replied to {n} person who tagged the brand", "replied to {n} people who tagged the brand"),
        "fr": (
            "a répondu à {n} personne qui a cité la marque",
            "a répondu à {n} personnes qui ont cité la marque",
        ),
    },
    "replied": {
        "en": (
            "replied to {n} person in the brand's conversations",
            "replied to {n} people in the brand's conversations",
        ),
        "fr": (
            "a répondu à {n} personne dans les conversations de la marque",
            "a répondu à {n} personnes dans les conversations de la marque",
        ),
    },  # fmt: skip
    "young": {
        "en": ("account created {n} day ago", "account created {n} days ago"),
        "fr": ("compte créé il y a {n} jour", "compte créé il y a {n} jours"),
    },
    "few_followers": {
        "en": ("only {n} follower", "only {n} followers"),
        "fr": ("seulement {n} abonné", "seulement {n} abonnés"),
    },
    "unverified": {"en": "not verified", "fr": "non vérifié"},
    "support_bio": {"en": "bio offers customer support", "fr": "la bio propose un service client"},
    "parody": {
        "en": "declares itself a fan, parody or unofficial account",
        "fr": "se déclare compte de fan, parodie ou non officiel",
    },
}


def say(code: str, lang: str = "en", **params: Any) -> str:
    """One reason in ``lang``; ``label`` (a key of ``LABELS``) and ``n`` are translated and counted."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    template = REASONS[code][lang]
    if isinstance(template, tuple):
        n = params["n"]
        template = template[0] if (n == 1 or (lang == "fr" and n == 0)) else template[1]
    if "label" in params:
        params = {**params, "label": LABELS[params["label"]][lang]}
    return template.format(**params)
