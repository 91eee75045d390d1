"""Les phrases des brouillons en français : plusieurs tournures par emplacement.

Règles d'écriture, pour qui ajoute une tournure :
- vouvoiement ; aucun accord qui suppose le genre du client (« ravis que la livraison se soit bien
  passée », jamais « ravi que vous soyez satisfait ») ;
- une tournure qui peut suivre « Bonjour Claire, » commence par une minuscule (le composeur met
  la majuscule quand elle ouvre la phrase) ; aucune ne commence par un champ, sauf un prénom ;
- jamais défensif : pas de « malheureusement », « comme indiqué », « veuillez noter », « nous
  regrettons que vous ayez ressenti » ;
- les champs entre accolades (``{problem}``, ``{order}``…) ne sont remplis que s'ils existent :
  une tournure dont un champ manque n'est pas proposée.
Les espaces insécables et apostrophes typographiques sont posées après coup (``typography``).
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, ...]] = {
    "greet": ("Bonjour {name},", "Bonjour {name} !", "{name},"),
    "greet_anon": ("Bonjour,", "Bonjour !"),
    # Réclamation
    "apology": (
        "toutes nos excuses pour {problem}.",
        "nous sommes sincèrement désolés pour {problem}.",
        "pardon pour {problem} : ce n'est pas ce que vous étiez en droit d'attendre.",
        "désolés pour {problem}, vous avez raison de nous le signaler.",
    ),
    "apology_generic": (
        "nous sommes désolés de lire ça.",
        "désolés, ce n'est pas l'expérience que nous voulons vous offrir.",
        "merci de nous avoir écrit, et désolés pour ce souci.",
    ),
    "wait_detail": (
        "Attendre {duration}, ce n'est pas acceptable, et nous comprenons votre agacement.",
        "{duration_cap} sans solution, c'est beaucoup trop long.",
    ),
    "serious": (
        "Nous prenons ça très au sérieux.",
        "Cela n'aurait jamais dû arriver.",
    ),
    "next_generic": (
        "Nous regardons dès aujourd'hui ce qui s'est passé.",
        "Nous voulons comprendre ce qui s'est passé pour le corriger.",
    ),
    "known_fix": (
        "En attendant, une piste : {answer}",
        "Ce qui peut vous aider tout de suite : {answer}",
    ),
    "private": (
        "pouvez-vous nous envoyer {ask} {channel} ? Nous suivons votre dossier personnellement.",
        "écrivez-nous {channel} avec {ask}, et nous nous en occupons.",
        "le plus simple : envoyez-nous {ask} {channel}, nous reprenons tout de suite.",
    ),
    "private_nochannel": (
        "pouvez-vous nous contacter directement en rappelant cet avis ? Nous reprendrons votre dossier "
        "personnellement.",
        "contactez-nous directement en mentionnant cet avis : nous suivrons votre dossier de près.",
    ),
    "callback": (
        "Nous préférons en parler de vive voix : envoyez-nous votre numéro {channel} et nous vous "
        "appelons {when}.",
        "Le mieux est d'en parler directement : laissez-nous votre numéro {channel}, nous vous "
        "rappelons {when}.",
    ),
    "callback_nochannel": (
        "Nous préférons en parler de vive voix : contactez-nous directement en rappelant cet avis, "
        "et nous vous appelons {when}.",
    ),
    "sign": ("— {agent}",),
    # Question
    "answer_more": (
        "Si un point reste flou, dites-le-nous ici, nous complétons.",
        "Et si vous voulez plus de détails, nous sommes là.",
        "Une autre question ? Nous vous répondons volontiers.",
    ),
    "answer_more_place": (
        "Et si vous passez à la boutique de {place}, l'équipe sera ravie de vous accueillir.",
    ),
    "question_ack": (
        "bonne question, et elle mérite une réponse précise.",
        "merci pour votre question !",
        "merci de nous poser la question.",
    ),
    "promise": (
        "Nous vérifions auprès de {team} et nous vous répondons ici {when}.",
        "Plutôt que de vous répondre à peu près, nous posons la question à {team} : vous aurez la "
        "réponse ici {when}.",
        "Nous nous renseignons auprès de {team} et revenons vers vous {when}.",
    ),
    "promise_agent": (
        "Je vérifie auprès de {team} et je vous réponds ici {when}.",
        "Je pose la question à {team} pour vous donner une réponse exacte, {when}.",
    ),
    "order_status": ("Pour votre commande {order}, nous regardons où elle en est et vous répondons {when}.",),
    # Remerciement
    "thanks": ("merci {name} !", "merci beaucoup {name} !", "quel beau message, merci {name} !"),
    "thanks_anon": ("merci beaucoup !", "merci pour ce message !", "quel beau message, merci !"),
    "thanks_mixed": ("merci pour votre retour, {name}.", "merci {name}, et merci pour votre franchise."),
    "thanks_mixed_anon": ("merci pour votre retour.", "merci pour ce retour honnête."),
    "welcome": ("avec plaisir {name} !", "avec plaisir, {name} !", "mais de rien {name} !"),
    "welcome_anon": ("avec plaisir !", "mais de rien !"),
    "welcome_more": ("Belle journée à vous !", "N'hésitez pas si besoin.", "Bonne journée !"),
    "echo_self": ("Votre message me touche beaucoup.", "Ça me fait très plaisir, merci à vous."),
    "echo_staff": (
        "Nous transmettons votre message à {staff}, ça va lui faire très plaisir.",
        "{staff} va lire votre message dès aujourd'hui, promis !",
    ),
    "echo_quote": (
        "« {quote} » : on ne pouvait pas rêver plus beau compliment.",
        "« {quote} », ça nous touche beaucoup.",
    ),
    "echo_delivery": (
        "Ravis que la livraison se soit bien passée.",
        "Contents que tout soit arrivé à bon port.",
    ),
    "echo_repair": (
        "Ravis d'apprendre que la réparation s'est bien passée.",
        "Contents que tout soit réglé.",
    ),
    "echo_product": (
        "Ravis que votre {product} vous plaise autant.",
        "Ça fait plaisir de savoir que votre {product} vous accompagne si bien.",
    ),
    "echo_refund": ("Contents que tout soit rentré dans l'ordre.",),
    "echo_shop": (
        "Ravis que votre passage à la boutique de {place} vous ait plu.",
        "Toute l'équipe de {place} va être contente de lire ça.",
    ),
    "echo_generic": (
        "Ça fait vraiment plaisir à lire.",
        "Ce genre de message fait la journée de toute l'équipe.",
    ),
    "mixed": (
        "Et pour {problem}, vous avez raison : c'est noté, et nous allons faire mieux.",
        "Et toutes nos excuses pour {problem} : votre remarque est transmise à l'équipe.",
    ),
    "mixed_generic": (
        "Et votre remarque est bien notée : c'est comme ça que nous progressons.",
        "Votre remarque part directement à l'équipe concernée.",
    ),
    "invite_place": (
        "Au plaisir de vous revoir à la boutique de {place} !",
        "À bientôt à la boutique de {place} !",
    ),
    "invite_product": (
        "Profitez bien de votre {product} !",
        "Que votre {product} vous accompagne longtemps !",
    ),
    "invite_share": (
        "Et si vous avez une photo, partagez-la avec nous, on adore !",
        "N'hésitez pas à nous identifier dans vos prochains posts, on adore les voir passer !",
    ),
    "invite_review": (
        "Merci d'avoir pris le temps de laisser cet avis, il aide beaucoup d'autres personnes à se décider.",
        "Merci pour cet avis détaillé, il compte beaucoup pour nous.",
    ),
    "invite_generic": ("À très bientôt !", "Au plaisir de vous revoir !"),
    # Mécontentement sans demande
    "neg_ack": (
        "merci de nous le dire franchement.",
        "nous entendons votre agacement, et il est légitime.",
    ),
    "neg_ack_problem": (
        "nous comprenons votre agacement concernant {problem}.",
        "merci de nous faire part de votre retour concernant {problem}, il est légitime.",
    ),
    "open_door": (
        "Si vous voulez en parler, écrivez-nous {channel} : nous vous lirons avec attention.",
        "Notre porte reste ouverte : un message {channel} et nous regardons ça avec vous.",
    ),
    "open_door_nochannel": (
        "Si vous voulez en parler, contactez-nous directement : nous vous lirons avec attention.",
    ),
    # Autres messages
    "other_thanks": ("merci pour votre message !", "merci pour le partage !", "merci de parler de nous !"),
    "other_offer": (
        "Si vous avez la moindre question, nous sommes là.",
        "Et si quelque chose vous manque, dites-le-nous.",
    ),
}

WHEN = {"today": "aujourd'hui avant 18 h", "tomorrow": "demain avant midi", "monday": "lundi avant midi"}
CHANNEL_DM = "en message privé"
CHANNEL_EMAIL = "par e-mail à {email}"
DEFAULT_TEAM = "la bonne personne"
SHOP_TEAM = "l'équipe de la boutique de {place}"
