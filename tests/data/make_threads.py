# ruff: noqa: E501  (the phrases are data: one line each reads better than a wrapped string)
"""Writes tests/data/threads.jsonl: written conversations with the state each should end in.

The phrases below were written for this set (eight trades, French and English); each pattern
arranges them into a short thread of customer, brand, competitor and press messages and says
what a careful agent would expect of it. Run ``python tests/data/make_threads.py`` after an edit.
"""

from __future__ import annotations

import json
from pathlib import Path

# Per trade and language: brand, competitor and publisher accounts, and the texts of the thread.
# complaint: two first messages; followup: the customer still unhappy after the brand's answer;
# thanks: the customer closing the matter after the answer; update: the brand's own status post;
# jab: the competitor's post about the brand; headlines: a feed article and a publisher's post;
# question / answer / answered: a question, the brand's answer and the customer's thanks;
# selfclose: the customer saying the problem went away before anyone answered.
TRADES: dict[str, dict[str, dict[str, object]]] = {
    "restaurant": {
        "fr": {
            "brand": ("chezlulu_paris", "Chez Lulu"),
            "rival": ("lapetiteforge", "La Petite Forge"),
            "press": ("lefoodiste_fr", "Le Foodiste"),
            "complaint": [
                "@chezlulu_paris 1h15 d'attente pour une pizza froide, et le serveur nous a parlé comme à des chiens. Plus jamais.",
                "Réservation pour 8 confirmée par mail et à notre arrivée @chezlulu_paris n'avait aucune table. Soirée d'anniversaire gâchée.",
            ],
            "followup": "Toujours aucun remboursement @chezlulu_paris, ça fait dix jours que j'attends le virement promis. C'est du vent.",
            "thanks": "Remboursement reçu ce matin et le gérant m'a appelé, c'est réglé. Merci @chezlulu_paris, on reviendra.",
            "update": "Info : le restaurant ferme exceptionnellement lundi pour travaux en cuisine, réouverture mardi midi. Merci de votre compréhension !",
            "jab": "Chez nous, les réservations sont honorées et les pizzas arrivent chaudes 😉 Pensée à ceux qui ont mangé froid ailleurs ce week-end.",
            "headlines": [
                "Paris 11e : le restaurant Chez Lulu fermé deux jours après un contrôle d'hygiène — La préfecture a ordonné la fermeture administrative de l'établissement, qui conteste les conclusions.",
                "Chez Lulu, la pizzeria qui fait la queue rue Oberkampf, ouvre une deuxième adresse https://lefoodiste.example.fr/chez-lulu",
            ],
            "question": "@chezlulu_paris vous avez des options sans gluten le midi ? On vient à 6 samedi.",
            "answered": "Parfait, merci pour la réponse rapide @chezlulu_paris ! On réserve pour samedi.",
            "selfclose": "Ah c'est bon, le serveur vient de revenir avec la bonne commande et un dessert offert. Fausse alerte, merci !",
        },
        "en": {
            "brand": ("rosiesdiner", "Rosie's Diner"),
            "rival": ("burgerbarn_uk", "Burger Barn"),
            "press": ("eaterlondon_x", "Eats London"),
            "complaint": [
                "@rosiesdiner waited 70 minutes for a cold burger and the manager just shrugged. Worst dinner I've had in years.",
                "Found a hair in my soup at @rosiesdiner and the waiter said 'it happens'. Disgusting.",
            ],
            "followup": "Still no refund @rosiesdiner, it's been two weeks since you said it was processed. Nothing on my card.",
            "thanks": "Refund landed and the manager called to apologise in person. All sorted, thanks @rosiesdiner!",
            "update": "Heads up: the kitchen is closed this Monday for maintenance, we're back Tuesday at noon. Thanks for bearing with us!",
            "jab": "Our burgers come out hot and on time, every time 🍔 Thinking of everyone who waited over an hour somewhere else last night.",
            "headlines": [
                "Rosie's Diner closed after food hygiene inspection — The council rated the Camden diner one star, citing pest control failures.",
                "Rosie's Diner to open second site in Shoreditch this spring https://eats.example.com/rosies-second-site",
            ],
            "question": "@rosiesdiner do you have vegan options at lunch? Coming with 6 people on Saturday.",
            "answered": "Perfect, thanks for the quick answer @rosiesdiner! Booking for Saturday.",
            "selfclose": "Never mind, the waiter just brought the right order with a free dessert. All good now, thanks!",
        },
    },
    "hotel": {
        "fr": {
            "brand": ("hotelbellevue_nice", "Hôtel Bellevue"),
            "rival": ("hotelazur_nice", "Hôtel Azur"),
            "press": ("nicematin_eco", "Nice Éco"),
            "complaint": [
                "@hotelbellevue_nice un cafard dans la salle de bain de la chambre 214 et la réception qui s'en fiche. Inadmissible pour 180 € la nuit.",
                "Climatisation en panne trois nuits de suite @hotelbellevue_nice, impossible de dormir avec un bébé. Personne n'est venu.",
            ],
            "followup": "Je vous ai envoyé le mail comme demandé @hotelbellevue_nice et toujours aucune réponse une semaine après. Vous vous moquez de nous.",
            "thanks": "La direction m'a rappelée et remboursé une nuit, le problème est résolu. Merci @hotelbellevue_nice pour le geste.",
            "update": "La piscine rouvre samedi après rénovation ☀️ Les transats vous attendent, réservation des cabanas à l'accueil.",
            "jab": "Ici la clim fonctionne et les chambres sont impeccables 😌 Bienvenue à tous les voyageurs déçus de la Promenade.",
            "headlines": [
                "Nice : l'hôtel Bellevue visé par une plainte après une infestation de punaises de lit — Plusieurs clients disent avoir été piqués cet été.",
                "L'hôtel Bellevue rachète l'ancien palace du port et annonce 40 embauches https://nicematin.example.fr/bellevue",
            ],
            "question": "@hotelbellevue_nice est-ce que le parking est inclus avec la chambre double ? On arrive vendredi soir.",
            "answered": "Super, merci pour la précision @hotelbellevue_nice, à vendredi !",
            "selfclose": "Bon, la clim s'est remise à marcher toute seule après une heure. Tout va bien finalement, merci.",
        },
        "en": {
            "brand": ("theharbourhotel", "The Harbour Hotel"),
            "rival": ("seaviewinn", "Seaview Inn"),
            "press": ("travelweekly_x", "Travel Weekly"),
            "complaint": [
                "@theharbourhotel cockroach in the bathroom of room 214 and reception couldn't care less. Unacceptable at £200 a night.",
                "Booked a sea view at @theharbourhotel and got a room facing the bins. Front desk refused to move us. Ruined our anniversary.",
            ],
            "followup": "Sent the email like you asked @theharbourhotel and still nothing back after a week. This is a joke.",
            "thanks": "The manager called back and refunded a night, issue resolved. Thank you @theharbourhotel for making it right.",
            "update": "The rooftop pool reopens this Saturday after renovation ☀️ Cabanas can be booked at the front desk.",
            "jab": "Our rooms actually face the sea 🌊 Welcome to every disappointed traveller from down the road.",
            "headlines": [
                "Harbour Hotel faces complaints after bedbug outbreak — Several guests say they were bitten during the summer season.",
                "The Harbour Hotel buys the old pier ballroom and plans 40 new jobs https://travelweekly.example.com/harbour-hotel",
            ],
            "question": "@theharbourhotel is parking included with a double room? We arrive Friday night.",
            "answered": "Great, thanks for clarifying @theharbourhotel, see you Friday!",
            "selfclose": "Ok the air con came back on by itself after an hour. All fine now, thanks anyway.",
        },
    },
    "telecom": {
        "fr": {
            "brand": ("fibrea_fr", "Fibréa"),
            "rival": ("netoile_fr", "Nétoile"),
            "press": ("01net_actu", "Actu Télécoms"),
            "complaint": [
                "@fibrea_fr la fibre coupée depuis 3 jours à Lille et votre hotline raccroche au bout de 40 minutes. Je télétravaille, c'est une catastrophe.",
                "Prélevé deux fois ce mois-ci par @fibrea_fr pour le même abonnement. Rendez-moi mon argent.",
            ],
            "followup": "Le technicien n'est jamais venu @fibrea_fr, toujours pas de connexion ce matin. Quatrième jour sans internet.",
            "thanks": "La fibre est revenue hier soir, tout fonctionne. Merci @fibrea_fr et au technicien, très pro.",
            "update": "Incident résolu : la coupure qui touchait une partie de Lille est réparée depuis 18h. Redémarrez votre box si besoin.",
            "jab": "Chez nous pas de coupure de 3 jours, juste de la fibre qui marche 😇 Offre spéciale pour les déçus de la concurrence.",
            "headlines": [
                "Panne géante chez Fibréa : des milliers d'abonnés privés d'internet dans le Nord — L'opérateur évoque un câble sectionné lors de travaux.",
                "Fibréa condamné à une amende de 2 millions d'euros pour démarchage abusif https://actu-telecoms.example.fr/fibrea-amende",
            ],
            "question": "@fibrea_fr est-ce que la box 5 est compatible avec le wifi 7 ? Je veux changer d'offre.",
            "answered": "Top, merci pour l'info @fibrea_fr, je passe sur l'offre dès ce soir.",
            "selfclose": "C'est revenu tout seul après avoir redémarré la box, désolé pour le bruit. Tout marche.",
        },
        "en": {
            "brand": ("skylinkuk", "SkyLink"),
            "rival": ("fastfibre_uk", "FastFibre"),
            "press": ("ispreview_news", "ISP News"),
            "complaint": [
                "@skylinkuk broadband down for 3 days in Leeds and your helpline hangs up after 40 minutes. I work from home, this is a disaster.",
                "Charged twice this month by @skylinkuk for the same contract. I want my money back.",
            ],
            "followup": "The engineer never showed up @skylinkuk, still no connection this morning. Day four without internet.",
            "thanks": "Internet came back last night and everything works. Thanks @skylinkuk and to the engineer, great job.",
            "update": "Outage resolved: the fault affecting parts of Leeds has been fixed since 6pm. Restart your router if needed.",
            "jab": "No three-day outages here, just fibre that works 😇 Special offer for anyone fed up with their provider.",
            "headlines": [
                "SkyLink outage leaves thousands without broadband across Yorkshire — The provider blamed a cable cut during roadworks.",
                "SkyLink fined £2m over mis-selling of broadband contracts https://ispnews.example.com/skylink-fine",
            ],
            "question": "@skylinkuk does the Hub 5 support wifi 7? Thinking about upgrading my plan.",
            "answered": "Nice, thanks for the info @skylinkuk, upgrading tonight.",
            "selfclose": "It came back after I rebooted the router, sorry for the noise. All working.",
        },
    },
    "bank": {
        "fr": {
            "brand": ("banquepivot", "Banque Pivot"),
            "rival": ("neobanque_zest", "Zest"),
            "press": ("lesechos_fin", "Finance Éco"),
            "complaint": [
                "@banquepivot ma carte bloquée en plein voyage à Lisbonne et impossible de joindre un conseiller. Je n'ai plus un euro pour l'hôtel.",
                "Virement de 2 000 € disparu depuis une semaine @banquepivot, votre service client me répond de patienter. Scandaleux.",
            ],
            "followup": "On m'a dit 48h @banquepivot et ça fait cinq jours, toujours rien sur mon compte. Je vais porter plainte.",
            "thanks": "Virement arrivé ce matin, ma conseillère a tout débloqué. Merci @banquepivot, problème résolu.",
            "update": "Maintenance terminée : l'application et le paiement sans contact fonctionnent à nouveau normalement. Merci de votre patience.",
            "jab": "Nos clients, eux, peuvent payer leur café ce matin ☕ Ouvrir un compte chez nous prend 5 minutes.",
            "headlines": [
                "Banque Pivot : une panne informatique prive des milliers de clients de leur carte — La banque promet un retour à la normale dans la journée.",
                "Banque Pivot annonce la fermeture de 40 agences d'ici 2027 https://finance-eco.example.fr/pivot-agences",
            ],
            "question": "@banquepivot comment je fais pour augmenter mon plafond de paiement depuis l'appli ?",
            "answered": "Trouvé grâce à vous, merci beaucoup @banquepivot !",
            "selfclose": "Carte débloquée finalement, il fallait juste redémarrer l'appli. Plus de peur que de mal, merci.",
        },
        "en": {
            "brand": ("northbank_help", "Northbank"),
            "rival": ("monzio_bank", "Monzio"),
            "press": ("ftmoney_x", "Money Weekly"),
            "complaint": [
                "@northbank_help my card got blocked while travelling in Lisbon and no one answers the phone. I can't pay for my hotel.",
                "£2,000 transfer missing for a week @northbank_help and support keeps telling me to wait. Outrageous.",
            ],
            "followup": "You said 48 hours @northbank_help and it's been five days, still nothing in my account. I'm filing a complaint.",
            "thanks": "Transfer arrived this morning, my adviser sorted everything. Thanks @northbank_help, issue resolved.",
            "update": "Maintenance complete: the app and contactless payments are working normally again. Thanks for your patience.",
            "jab": "Our customers could actually pay for their coffee this morning ☕ Opening an account takes 5 minutes.",
            "headlines": [
                "Northbank IT failure leaves thousands unable to use their cards — The bank says services will be restored later today.",
                "Northbank to close 40 branches by 2027 https://moneyweekly.example.com/northbank-branches",
            ],
            "question": "@northbank_help how do I raise my card spending limit in the app?",
            "answered": "Found it thanks to you, much appreciated @northbank_help!",
            "selfclose": "Card works again, I just had to restart the app. False alarm, thanks.",
        },
    },
    "ecommerce": {
        "fr": {
            "brand": ("mamaisonmaline", "Ma Maison Maline"),
            "rival": ("decofacile_fr", "DécoFacile"),
            "press": ("lsa_conso", "Conso Mag"),
            "complaint": [
                "Commande 48213 jamais livrée @mamaisonmaline et le suivi indique 'livré' depuis 5 jours. Je veux mon colis ou mon argent.",
                "@mamaisonmaline canapé reçu avec un pied cassé et un accroc sur l'assise. 900 € pour ça, honteux.",
            ],
            "followup": "Le transporteur dit que c'est à vous de gérer @mamaisonmaline, et vous me renvoyez vers lui. Toujours pas de colis.",
            "thanks": "Colis enfin reçu, complet et en bon état. Merci @mamaisonmaline pour le suivi, c'est réglé.",
            "update": "Les retours sont gratuits jusqu'au 15 janvier sur toute la déco de Noël 🎄 Tous les détails sur le site.",
            "jab": "Chez nous, 'livré' veut dire livré 📦 Livraison en 48h garantie ou remboursée.",
            "headlines": [
                "Ma Maison Maline épinglée par la DGCCRF pour des délais de livraison trompeurs — Le site de déco écope d'une amende de 150 000 euros.",
                "Ma Maison Maline lève 20 millions pour ouvrir des entrepôts en région https://consomag.example.fr/maison-maline",
            ],
            "question": "@mamaisonmaline est-ce que vous livrez en Belgique ? Et avec quels frais ?",
            "answered": "Merci pour la réponse @mamaisonmaline, je commande ce soir.",
            "selfclose": "Colis retrouvé chez le voisin 🙈 Désolée pour le message, tout est bon.",
        },
        "en": {
            "brand": ("homebasket_uk", "HomeBasket"),
            "rival": ("cosycrate", "CosyCrate"),
            "press": ("retailgazette_x", "Retail Gazette"),
            "complaint": [
                "Order 48213 never arrived @homebasket_uk and tracking has said 'delivered' for 5 days. I want my parcel or my money.",
                "@homebasket_uk sofa arrived with a broken leg and a tear in the seat. £900 for this, shameful.",
            ],
            "followup": "The courier says it's your job to sort it @homebasket_uk and you send me back to them. Still no parcel.",
            "thanks": "Parcel finally received, complete and in perfect shape. Thanks @homebasket_uk for following up, all sorted.",
            "update": "Returns are free until 15 January on all Christmas decorations 🎄 Full details on our site.",
            "jab": "When we say 'delivered', it's delivered 📦 48-hour delivery guaranteed or your money back.",
            "headlines": [
                "HomeBasket fined by regulator over misleading delivery promises — The online retailer must pay £150,000.",
                "HomeBasket raises £20m to open regional warehouses https://retailgazette.example.com/homebasket",
            ],
            "question": "@homebasket_uk do you deliver to Ireland? And how much does it cost?",
            "answered": "Thanks for the answer @homebasket_uk, ordering tonight.",
            "selfclose": "Found the parcel at my neighbour's 🙈 Sorry for the post, all good.",
        },
    },
    "transport": {
        "fr": {
            "brand": ("railexpress_fr", "Rail Express"),
            "rival": ("busflash_fr", "BusFlash"),
            "press": ("ouestactu_fr", "Ouest Actu"),
            "complaint": [
                "@railexpress_fr train supprimé sans prévenir, 2h d'attente en gare de Nantes avec deux enfants et aucune annonce. Lamentable.",
                "Valise perdue dans le train 8432 @railexpress_fr, et le service objets trouvés ne répond jamais. J'avais mes médicaments dedans.",
            ],
            "followup": "Le formulaire d'indemnisation renvoie une erreur @railexpress_fr, toujours impossible de déposer ma demande. Trois semaines.",
            "thanks": "Valise retrouvée et renvoyée chez moi, merci @railexpress_fr, c'est résolu.",
            "update": "Trafic rétabli entre Nantes et Angers depuis 16h après l'incident de signalisation. Merci de votre patience.",
            "jab": "Nos bus, eux, sont partis à l'heure ce matin 🚌 Nantes–Paris dès 9 €.",
            "headlines": [
                "Rail Express : une panne de signalisation paralyse la ligne Nantes-Angers — Des milliers de voyageurs bloqués en fin d'après-midi.",
                "Rail Express commande 30 nouvelles rames pour 2028 https://ouestactu.example.fr/rail-express-rames",
            ],
            "question": "@railexpress_fr est-ce qu'on peut monter avec un vélo non démonté dans le TER de 7h ?",
            "answered": "Merci pour la réponse claire @railexpress_fr, je prends celui-là.",
            "selfclose": "Finalement le train est reparti, on a juste 20 min de retard. Tout va bien, merci.",
        },
        "en": {
            "brand": ("coastrail", "Coast Rail"),
            "rival": ("megacoach_uk", "MegaCoach"),
            "press": ("railnews_x", "Rail News"),
            "complaint": [
                "@coastrail train cancelled without warning, 2 hours stuck at Brighton with two kids and no announcement. Pathetic.",
                "Lost my suitcase on the 8432 @coastrail and lost property never picks up. My medication was in it.",
            ],
            "followup": "The compensation form throws an error @coastrail, still can't submit my claim after three weeks.",
            "thanks": "Suitcase found and sent home, thank you @coastrail, all resolved.",
            "update": "Services between Brighton and Hove are running again since 4pm after the signalling fault. Thanks for your patience.",
            "jab": "Our coaches left on time this morning 🚌 London to Brighton from £5.",
            "headlines": [
                "Coast Rail signalling failure brings south coast line to a halt — Thousands of passengers stranded during the evening rush.",
                "Coast Rail orders 30 new trains for 2028 https://railnews.example.com/coast-rail-trains",
            ],
            "question": "@coastrail can I bring a non-folding bike on the 7am service?",
            "answered": "Thanks for the clear answer @coastrail, I'll take that one.",
            "selfclose": "The train is moving again, only 20 min late in the end. All fine, thanks.",
        },
    },
    "software": {
        "fr": {
            "brand": ("notabene_app", "NotaBene"),
            "rival": ("griffon_app", "Griffon"),
            "press": ("journaldunet_x", "Le Journal du Code"),
            "complaint": [
                "@notabene_app la mise à jour a effacé trois mois de notes, et le support ne répond pas depuis hier. Je paie l'abonnement pro pour ça ?",
                "L'appli @notabene_app plante à chaque ouverture depuis la 5.2, impossible de travailler. Vraiment pénible.",
            ],
            "followup": "J'ai suivi la procédure @notabene_app et ça plante toujours. Toujours pas de réponse à mon ticket 88123.",
            "thanks": "Notes restaurées, tout est revenu. Merci @notabene_app pour l'aide, c'est résolu !",
            "update": "Correctif 5.2.1 disponible : le plantage au démarrage est corrigé. Mettez à jour depuis le store.",
            "jab": "Nos mises à jour n'effacent pas vos notes 📝 Import gratuit depuis n'importe quelle appli.",
            "headlines": [
                "NotaBene : une mise à jour défectueuse efface les notes de milliers d'utilisateurs — L'éditeur promet une restauration sous 48 heures.",
                "NotaBene rachète la start-up lyonnaise Scribo https://journalducode.example.fr/notabene-scribo",
            ],
            "question": "@notabene_app est-ce que l'export PDF garde les images ? Je n'arrive pas à trouver l'option.",
            "answered": "Trouvé, merci beaucoup @notabene_app !",
            "selfclose": "En fait ça remarche après réinstallation, fausse alerte. Merci quand même.",
        },
        "en": {
            "brand": ("tasklyhq", "Taskly"),
            "rival": ("doitnow_app", "DoItNow"),
            "press": ("techcrunchy_x", "Tech Daily"),
            "complaint": [
                "@tasklyhq the update wiped three months of my tasks and support hasn't answered since yesterday. I pay for Pro for this?",
                "The @tasklyhq app crashes every time I open it since 5.2. Can't get any work done. Really frustrating.",
            ],
            "followup": "Followed the steps @tasklyhq and it still crashes. Still no reply on ticket 88123.",
            "thanks": "Tasks restored, everything's back. Thanks @tasklyhq for the help, resolved!",
            "update": "Fix 5.2.1 is out: the crash on launch is fixed. Update from the store.",
            "jab": "Our updates don't delete your tasks 📝 Free import from any app.",
            "headlines": [
                "Taskly update wipes data for thousands of users — The company promises a restore within 48 hours.",
                "Taskly acquires Berlin start-up Scribo https://techdaily.example.com/taskly-scribo",
            ],
            "question": "@tasklyhq does the PDF export keep images? Can't find the option.",
            "answered": "Found it, thanks a lot @tasklyhq!",
            "selfclose": "Works again after reinstalling, false alarm. Thanks anyway.",
        },
    },
    "public_service": {
        "fr": {
            "brand": ("mairie_valbourg", "Mairie de Valbourg"),
            "rival": ("agglo_bourgval", "Agglo de Bourgval"),
            "press": ("leprogres_vb", "Le Courrier de Valbourg"),
            "complaint": [
                "@mairie_valbourg les poubelles ne sont pas ramassées rue des Lilas depuis deux semaines, ça déborde et ça sent. Personne ne fait rien.",
                "Dossier de carte d'identité perdu par @mairie_valbourg, je dois tout refaire et je pars dans dix jours. Inadmissible.",
            ],
            "followup": "Toujours rien rue des Lilas @mairie_valbourg, malgré votre promesse de passage lundi. On fait comment ?",
            "thanks": "Les bacs ont été vidés ce matin, merci @mairie_valbourg pour la réactivité. C'est réglé.",
            "update": "Collecte des déchets : suite à la grève, les tournées reprennent normalement dès demain. Merci de sortir vos bacs la veille.",
            "jab": "Dans notre agglo, la collecte passe deux fois par semaine 🚛 Venez voir comment on fait.",
            "headlines": [
                "Valbourg : les ordures s'accumulent dans plusieurs quartiers après deux semaines de grève — La mairie annonce un plan d'urgence.",
                "La mairie de Valbourg lance un budget participatif de 500 000 euros https://courrier-valbourg.example.fr/budget",
            ],
            "question": "@mairie_valbourg quels sont les horaires de la déchetterie le dimanche ?",
            "answered": "Merci pour l'info @mairie_valbourg, bon dimanche !",
            "selfclose": "Le camion vient de passer, tout est vidé. Merci, c'est bon.",
        },
        "en": {
            "brand": ("millford_council", "Millford Council"),
            "rival": ("eastvale_council", "Eastvale Council"),
            "press": ("millfordecho", "Millford Echo"),
            "complaint": [
                "@millford_council bins haven't been collected on Lilac Road for two weeks, they're overflowing and stink. Nobody does anything.",
                "@millford_council lost my passport renewal papers and now I have to start over, flying in ten days. Unacceptable.",
            ],
            "followup": "Still nothing on Lilac Road @millford_council, even though you promised a pickup on Monday. What now?",
            "thanks": "Bins emptied this morning, thanks @millford_council for acting so fast. Sorted.",
            "update": "Waste collection: after the strike, rounds resume as normal from tomorrow. Please put your bins out the night before.",
            "jab": "In Eastvale, bins get collected twice a week 🚛 Come and see how it's done.",
            "headlines": [
                "Rubbish piles up across Millford after two-week strike — The council announces an emergency plan.",
                "Millford Council launches £500,000 community budget https://millfordecho.example.com/budget",
            ],
            "question": "@millford_council what are the recycling centre opening hours on Sundays?",
            "answered": "Thanks for the info @millford_council, have a good Sunday!",
            "selfclose": "The lorry just came by, all emptied. Thanks, all good.",
        },
    },
}

BRAND_REPLIES = {
    "fr": [
        "Bonjour, nous sommes vraiment désolés. Pouvez-vous nous écrire en message privé avec vos coordonnées ? Nous regardons tout de suite.",
        "Toutes nos excuses pour ce désagrément. Un responsable vous recontacte aujourd'hui pour trouver une solution.",
    ],
    "en": [
        "Hi, we're really sorry about this. Could you send us a DM with your details? We'll look into it right away.",
        "Our apologies for the trouble. A manager will contact you today to put it right.",
    ],
}
BRAND_ANSWERS = {
    "fr": "Bonjour ! Oui, tout est indiqué sur notre site, rubrique infos pratiques. N'hésitez pas si besoin.",
    "en": "Hi! Yes, it's all on our website under practical info. Let us know if you need anything else.",
}
# A bystander joining a complaint thread: "same here" keeps the conversation open.
SAME_HERE = {
    "fr": "Pareil pour moi, même problème depuis hier et aucune nouvelle. @{brand}",
    "en": "Same here, same problem since yesterday and no news. @{brand}",
}

CUSTOMER = {"fr": ("Camille", "Julien", "Sofia", "Thomas"), "en": ("Emma", "Liam", "Priya", "Owen")}


def msg(role: str, kind: str, text: str, **extra: str) -> dict[str, str]:
    return {"role": role, "kind": kind, "text": text, **extra}


def expect(needs_reply: bool, priority: str, complaint: bool, draft: str | None) -> dict[str, object]:
    return {"needs_reply": needs_reply, "priority": priority, "complaint": complaint, "draft": draft}


def threads_for(sector: str, lang: str, t: dict[str, object]) -> list[dict[str, object]]:
    brand = t["brand"][0]  # type: ignore[index]
    complaint, headlines = t["complaint"], t["headlines"]
    reply = BRAND_REPLIES[lang]
    c = complaint  # type: ignore[assignment]
    patterns: list[tuple[str, list[dict[str, str]], dict[str, object]]] = [
        ("complaint", [msg("customer", "post", c[0])], expect(True, "high", True, "apology")),
        (
            "answered_then_thanks",
            [
                msg("customer", "post", c[1]),
                msg("brand", "reply", reply[0]),
                msg("customer", "reply", t["thanks"]),
            ],
            expect(False, "low", False, "thanks"),
        ),
        (
            "answered_then_followup",
            [
                msg("customer", "post", c[0]),
                msg("brand", "reply", reply[1]),
                msg("customer", "reply", t["followup"]),
            ],
            expect(True, "high", True, "apology"),
        ),
        (
            "answered_then_bystander",
            [
                msg("customer", "post", c[1]),
                msg("brand", "reply", reply[0]),
                msg("other", "reply", SAME_HERE[lang].format(brand=brand)),
            ],
            expect(True, "any", True, None),
        ),
        (
            "repost_of_brand",
            [msg("repost", "post", f"RT @{brand}: {t['update']}")],
            expect(False, "low", False, None),
        ),
        ("competitor_post", [msg("competitor", "post", t["jab"])], expect(False, "low", False, None)),
        (
            "press_feed",
            [msg("press", "post", headlines[0], platform="rss")],
            expect(False, "low", False, None),
        ),
        ("press_social", [msg("press", "post", headlines[1])], expect(False, "low", False, None)),
        (
            "question_answered_then_thanks",
            [
                msg("customer", "post", t["question"]),
                msg("brand", "reply", BRAND_ANSWERS[lang]),
                msg("customer", "reply", t["answered"]),
            ],
            expect(False, "low", False, "thanks"),
        ),
        (
            "complaint_then_self_resolved",
            [msg("customer", "post", c[0]), msg("customer", "reply", t["selfclose"])],
            expect(False, "low", False, "thanks"),
        ),
    ]
    rows = []
    for number, (name, messages, wanted) in enumerate(patterns):
        people = {
            "customer": (
                f"{CUSTOMER[lang][number % 4].lower()}_{sector[:4]}{number}",
                CUSTOMER[lang][number % 4],
            ),
            "other": (
                f"{CUSTOMER[lang][(number + 1) % 4].lower()}_{sector[:4]}{number}b",
                CUSTOMER[lang][(number + 1) % 4],
            ),
            "repost": (f"veille_{sector[:6]}_{lang}{number}", "Fil d'actu" if lang == "fr" else "News feed"),
            "brand": t["brand"],
            "competitor": t["rival"],
            "press": t["press"],
        }
        for message in messages:
            message["author"], message["author_name"] = people[message["role"]]  # type: ignore[index]
        rows.append(
            {
                "id": f"{sector}-{lang}-{name}",
                "sector": sector,
                "lang": lang,
                "pattern": name,
                "brand": {"name": t["brand"][1], "handle": t["brand"][0]},  # type: ignore[index]
                "competitor": {"name": t["rival"][1], "handle": t["rival"][0]},  # type: ignore[index]
                "messages": messages,
                "expect": wanted,
            }
        )
    return rows


def main() -> None:
    rows = [
        row
        for sector, langs in TRADES.items()
        for lang, t in langs.items()
        for row in threads_for(sector, lang, t)
    ]
    out = Path(__file__).with_name("threads.jsonl")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} threads written to {out}")


if __name__ == "__main__":
    main()
