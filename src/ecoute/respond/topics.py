"""What a message is about, in words a reply can use: "le retard de votre commande #CL-20931".

Each topic has the cue words that reveal it (French and English together: "app" or "SAV" turn up
in both), and for each language the noun phrase that names the problem in an apology (most
specific first: the first one whose fields the message provides is used), the concrete next step
a team would take, what to ask for in private, and who on the team answers that kind of
question. The order of ``TOPICS`` is the order of importance: a message about a brake failing
after a repair is first about safety.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wording:
    problem: tuple[str, ...]
    next_steps: tuple[str, ...]
    ask: str
    team: str


@dataclass(frozen=True)
class Topic:
    key: str
    cues: re.Pattern[str]
    fr: Wording
    en: Wording
    serious: bool = False
    # Cues that must also be there (a delivery is late only if something says it is).
    requires: re.Pattern[str] | None = field(default=None)

    def wording(self, lang: str) -> Wording:
        return self.fr if lang == "fr" else self.en


def _cues(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


_LATE = _cues(
    r"retard",
    r"toujours (?:pas|rien|aucun)",
    r"attends",
    r"attendu",
    r"attente",
    r"d[ée]lai",
    r"late",
    r"still",
    r"delay",
    r"slipped",
    r"waited",
    r"waiting",
    r"pas (?:encore )?re[çc]u",
    r"not (?:yet )?(?:arrived|received)",
    r"where is",
    r"o[ùu] en est",
    r"il a fallu",
    r"took \w+ (?:days|weeks)",
)

TOPICS: tuple[Topic, ...] = (
    Topic(
        "safety",
        _cues(
            r"dangere",
            r"danger",
            r"accident",
            r"bless",
            r"ne freine",
            r"freine plus",
            r"chute",
            r"unsafe",
            r"dangerous",
            r"injur",
            r"hurt",
            r"brakes? fail",
        ),
        Wording(
            ("ce qui vous est arrivé avec votre {product}", "ce qui vous est arrivé"),
            (
                "Votre sécurité passe avant tout : merci de ne plus utiliser votre {product} d'ici là, "
                "nous organisons sa prise en charge aujourd'hui.",
                "Nous voulons comprendre exactement ce qui s'est passé, et nous vous appelons aujourd'hui.",
            ),
            "votre numéro de téléphone",
            "notre chef d'atelier",
        ),
        Wording(
            ("what happened with your {product}", "what happened"),
            (
                "Your safety comes first: please don't ride your {product} until we've checked it, "
                "and we'll arrange to collect it today.",
                "We want to understand exactly what happened, and we'll call you today.",
            ),
            "your phone number",
            "our head of workshop",
        ),
        serious=True,
    ),
    Topic(
        "fraud",
        _cues(
            r"arnaque",
            r"faux compte",
            r"faux site",
            r"phishing",
            r"escroc",
            r"scam",
            r"fake account",
            r"fake site",
            r"impersonat",
        ),
        Wording(
            ("ce faux compte qui se fait passer pour nous",),
            (
                "Ce compte n'est pas le nôtre et nous le signalons dès maintenant. Nous ne vous demanderons "
                "jamais vos coordonnées bancaires ni aucun code.",
            ),
            "ce que vous avez reçu (sans vos coordonnées bancaires)",
            "notre équipe sécurité",
        ),
        Wording(
            ("the fake account pretending to be us",),
            (
                "That account isn't ours and we're reporting it now. We will never ask for your card "
                "details or any code.",
            ),
            "what you received (without any card details)",
            "our security team",
        ),
        serious=True,
    ),
    Topic(
        "outage",
        _cues(
            r"panne",
            r"bloqu",
            r"ne (?:se )?d[ée]verrouill",
            r"d[ée]verrouill\w* plus",
            r"refuse de",
            r"ne s'ouvre",
            r"erreur (?:serveur|5\d\d)",
            r"\b503\b",
            r"indisponible",
            r"ne marche plus",
            r"ne fonctionne plus",
            r"won't unlock",
            r"locked",
            r"outage",
            r"\bdown\b",
            r"stuck",
            r"not working",
            r"service unavailable",
        ),
        Wording(
            ("cette panne et le blocage de votre {product}", "cette panne, et la galère qu'elle vous cause"),
            (
                "Nos équipes travaillent à rétablir le service, et nous pouvons vous aider à vous débloquer "
                "d'ici là.",
            ),
            "votre ville et la version de l'app",
            "notre équipe technique",
        ),
        Wording(
            ("this outage and your {product} being stuck", "this outage and the trouble it's causing you"),
            ("Our teams are working to restore the service, and we can help you get going in the meantime.",),
            "your city and app version",
            "our tech team",
        ),
        serious=True,
    ),
    Topic(
        "refund",
        _cues(r"rembours", r"r[ée]tractation", r"refund", r"money back", r"reimburs", r"return"),
        Wording(
            (
                "le remboursement de votre commande {order}, qui se fait attendre",
                "ce remboursement de {amount} qui se fait attendre",
                "ce remboursement qui se fait attendre",
            ),
            ("Nous vérifions aujourd'hui où en est votre remboursement et vous donnons une date précise.",),
            "votre numéro de commande",
            "notre service comptabilité",
        ),
        Wording(
            (
                "the wait for your refund on order {order}",
                "the wait for your {amount} refund",
                "the wait for your refund",
            ),
            ("We're checking where your refund is today and will give you a firm date.",),
            "your order number",
            "our accounts team",
        ),
        serious=True,
        requires=_LATE,
    ),
    Topic(
        "billing",
        _cues(
            r"pr[ée]l[eè]v",
            r"d[ée]bit[ée]",
            r"factur",
            r"double paiement",
            r"agios",
            r"charged (?:me )?(?:twice|two|double)",
            r"double charge",
            r"billing",
            r"invoice",
            r"overcharg",
        ),
        Wording(
            ("ce double prélèvement", "cette erreur de facturation"),
            (
                "Nous faisons vérifier votre compte aujourd'hui, et tout montant prélevé par erreur vous "
                "sera remboursé.",
            ),
            "l'e-mail de votre compte (jamais vos coordonnées bancaires)",
            "notre service facturation",
        ),
        Wording(
            ("the double charge", "this billing mistake"),
            ("We're having your account checked today, and anything taken by mistake will be refunded.",),
            "your account e-mail (never your card details)",
            "our billing team",
        ),
    ),
    Topic(
        "delivery",
        _cues(
            r"livraison",
            r"livr[ée]",
            r"colis",
            r"transporteur",
            r"exp[ée]di",
            r"commande",
            r"delivery",
            r"deliver",
            r"shipping",
            r"shipped",
            r"parcel",
            r"courier",
            r"order",
        ),
        Wording(
            (
                "le retard de votre commande {order}",
                "ces {duration} d'attente pour votre commande",
                "le retard de votre livraison",
            ),
            (
                "Nous vérifions dès maintenant avec le transporteur où elle en est.",
                "Nous faisons le point avec notre transporteur aujourd'hui pour vous donner une date fiable.",
            ),
            "l'e-mail utilisé pour la commande",
            "notre service livraison",
        ),
        Wording(
            (
                "the delay with your order {order}",
                "{duration} of waiting for your order",
                "the delay with your delivery",
            ),
            (
                "We're checking with the carrier right now to see where it is.",
                "We're getting a firm delivery date from our carrier today.",
            ),
            "the e-mail address you ordered with",
            "our delivery team",
        ),
        requires=_LATE,
    ),
    Topic(
        "staff",
        _cues(
            r"accueil (?:froid|glacial|d[ée]sagr|nul|horrible|d[ée]plorable)",
            r"mauvais accueil",
            r"d[ée]sagr[ée]able",
            r"impoli",
            r"m[ée]prisant",
            r"soupir",
            r"mal re[çc]u",
            r"bienvenu",
            r"mon[oa]syllab",
            r"rude",
            r"salesm",
            r"unfriendly",
            r"barely looked",
            r"attendu \d+ ?min",
            r"waited \d+ ?min",
            r"no apology",
        ),
        Wording(
            ("l'accueil que vous avez reçu à la boutique de {place}", "l'accueil que vous avez reçu"),
            (
                "Nous transmettons votre message à l'équipe de la boutique de {place} aujourd'hui.",
                "Nous en parlons aujourd'hui avec l'équipe de la boutique.",
            ),
            "le jour de votre passage",
            "l'équipe de la boutique",
        ),
        Wording(
            ("the welcome you got at our {place} shop", "the way you were treated in our shop"),
            (
                "We're sharing your message with the {place} shop team today.",
                "We're taking this up with the shop team today.",
            ),
            "the day you came in",
            "the shop team",
        ),
    ),
    Topic(
        "repair",
        _cues(
            r"atelier",
            r"r[ée]paration",
            r"r[ée]vision",
            r"\bSAV\b",
            r"garantie",
            r"workshop",
            r"repair",
            r"warranty",
            r"service",
        ),
        Wording(
            ("ces {duration} d'attente pour votre réparation", "le délai de votre réparation"),
            (
                "Nous demandons à l'atelier une date ferme pour votre {product}, et nous vous la donnons "
                "aujourd'hui.",
                "Nous faisons le point avec l'atelier aujourd'hui.",
            ),
            "votre numéro de dossier",
            "notre atelier",
        ),
        Wording(
            ("{duration} of waiting for your repair", "the wait for your repair"),
            (
                "We're asking the workshop for a firm date for your {product}, and you'll have it today.",
                "We're checking with the workshop today.",
            ),
            "your case number",
            "our workshop",
        ),
        requires=_LATE,
    ),
    Topic(
        "battery",
        _cues(r"batterie", r"autonomie", r"recharg", r"battery", r"range", r"charge\b"),
        Wording(
            ("ce problème de batterie sur votre {product}", "ce problème de batterie"),
            ("Notre atelier peut lire l'historique de la batterie à distance pour voir ce qui se passe.",),
            "le numéro de série",
            "notre atelier",
        ),
        Wording(
            ("the battery trouble on your {product}", "the battery trouble"),
            ("Our workshop can read the battery's history remotely to see what's going on.",),
            "the serial number",
            "our workshop",
        ),
    ),
    Topic(
        "refund_dispute",
        _cues(r"rembours", r"r[ée]tractation", r"refund", r"money back", r"return"),
        Wording(
            ("la façon dont votre demande de remboursement a été traitée",),
            ("Nous reprenons votre dossier aujourd'hui pour vous donner une réponse claire.",),
            "votre numéro de commande",
            "notre service client",
        ),
        Wording(
            ("the way your refund request was handled",),
            ("We're reviewing your case today so we can give you a clear answer.",),
            "your order number",
            "our customer team",
        ),
    ),
    Topic(
        "app",
        _cues(
            r"appli",
            r"\bapp\b",
            r"application",
            r"d[ée]connect",
            r"bluetooth",
            r"mot de passe",
            r"bug",
            r"mise à jour",
            r"notification",
            r"login",
            r"log in",
            r"update",
            r"crash",
        ),
        Wording(
            ("ce souci avec l'application",),
            ("Nous transmettons à notre équipe technique, qui suit ce problème de près.",),
            "la version de l'app et le modèle de votre téléphone",
            "notre équipe technique",
        ),
        Wording(
            ("the trouble with the app",),
            ("We're passing this to our tech team, who are on it.",),
            "your app version and phone model",
            "our tech team",
        ),
    ),
    Topic(
        "defect",
        _cues(
            r"cass[ée]",
            r"fendu",
            r"ab[îi]m[ée]",
            r"d[ée]fectu",
            r"d[ée]faut",
            r"grince",
            r"ray[ée]",
            r"manquant",
            r"broken",
            r"cracked",
            r"damaged",
            r"faulty",
            r"missing",
            r"squeak",
        ),
        Wording(
            ("le défaut sur votre {product}", "le problème que vous constatez"),
            ("Notre atelier peut regarder ça rapidement, et réparer ou remplacer ce qui doit l'être.",),
            "une photo ou une courte vidéo du problème",
            "notre service après-vente",
        ),
        Wording(
            ("the fault on your {product}", "the fault you're seeing"),
            ("Our workshop can take a quick look and repair or replace whatever needs it.",),
            "a photo or a short video of the problem",
            "our after-sales team",
        ),
    ),
    Topic(
        "no_answer",
        _cues(
            r"pas de r[ée]ponse",
            r"aucune r[ée]ponse",
            r"personne ne",
            r"sans nouvelles",
            r"ne r[ée]pond",
            r"toujours pas de r[ée]ponse",
            r"no answer",
            r"no reply",
            r"no response",
            r"nobody",
            r"no one (?:called|answered|replied)",
            r"ignored",
        ),
        Wording(
            ("l'absence de réponse de notre part",),
            ("Nous reprenons votre demande dès maintenant, et nous ne la lâchons plus.",),
            "votre numéro de commande ou de dossier",
            "notre service client",
        ),
        Wording(
            ("leaving you without an answer",),
            ("We're picking up your request right now and will see it through.",),
            "your order or case number",
            "our support team",
        ),
    ),
    Topic(
        "price",
        _cues(
            r"\bprix\b", r"trop cher", r"co[ûu]te", r"tarif", r"expensive", r"price", r"pricey", r"overpriced"
        ),
        Wording(
            ("le prix, qui vous paraît élevé",),
            ("Nous vous détaillons volontiers ce qu'il comprend, et les facilités de paiement possibles.",),
            "votre projet",
            "notre équipe",
        ),
        Wording(
            ("the price feeling steep",),
            ("We're happy to walk you through what's included and the payment options.",),
            "what you're looking for",
            "our team",
        ),
    ),
)

BY_KEY: dict[str, Topic] = {topic.key: topic for topic in TOPICS}


def find_topics(text: str) -> tuple[str, ...]:
    """The topics a message raises, most important first."""
    found = []
    for topic in TOPICS:
        if topic.cues.search(text) and (topic.requires is None or topic.requires.search(text)):
            found.append(topic.key)
    return tuple(found)
