"""Generate the labelled impersonation set (``accounts.jsonl`` and ``brands.json``).

    .venv/bin/python benchmarks/data/impersonation/generate.py [--seed 12]

Synthetic and reproducible (no public labelled set of fake support accounts exists). For five
brands (one of them also a first name, one with an accent), look-alikes are built by homoglyphs,
insertions, omissions, transpositions and support words (some combined), with the profiles
impersonators tend to have; negatives are fans, declared partners, employees, resellers, people
who merely share the brand's first name, and customers who talk about the brand. Each line carries
``label`` (true for an impersonator) and ``kind``."""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
BRANDS = [
    {
        "name": "Cyclune",
        "handles": ["cyclune", "CycluneSAV"],
        "partners": ["cyclune_lyon_store", "velopro_officiel"],
    },
    {"name": "Margaux", "handles": ["margaux_paris"], "partners": ["margaux_galeries"]},
    {"name": "BanqueNova", "handles": ["banquenova", "BanqueNova_aide"], "partners": ["nova_assurances"]},
    {"name": "AirLumen", "handles": ["airlumen", "AirLumenHelp"], "partners": ["airlumen_cargo"]},
    {"name": "Orvéa", "handles": ["orvea_fr"], "partners": ["orvea_boutique_nice"]},
]
HOMOGLYPHS = {
    "a": ["а", "ɑ"],
    "c": ["с", "ϲ"],
    "e": ["е", "ҽ"],
    "i": ["і", "1"],
    "l": ["1", "I", "ӏ"],
    "m": ["rn"],
    "n": ["ո"],
    "o": ["о", "0", "ο"],
    "p": ["р"],
    "r": ["г"],
    "u": ["υ", "ս"],
    "v": ["ν"],
    "y": ["у"],
    "x": ["х"],
    "b": ["Ь"],
    "q": ["ԛ"],
}
SUPPORT = [
    "support",
    "help",
    "care",
    "service",
    "aide",
    "sav",
    "officiel",
    "serviceclient",
    "ask",
    "assistance",
    "helpdesk",
    "team",
    "contact",
    "official",
    "customercare",
]
SUPPORT_DISPLAY = [
    "{b} Support",
    "Service Client {b}",
    "{b}",
    "{b} Care",
    "SAV {b}",
    "{b} Help",
    "Aide {b}",
    "{b} Officiel",
    "{b} Customer Service",
    "Assistance {b}",
]
SUPPORT_BIO = [
    "Service client officiel 24/7. Écrivez-nous en DM.",
    "Official customer support. DM us your order number.",
    "Customer care team — we reply fast!",
    "SAV {b} : contactez-nous sur WhatsApp.",
    "",
    "Here to help.",
]
FIRST = [
    "Marie",
    "Lucas",
    "Chloé",
    "Hugo",
    "Inès",
    "Jules",
    "Léa",
    "Nathan",
    "Camille",
    "Sofia",
    "Malik",
    "Emma",
]
LAST = ["Dupont", "Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Fournier", "Girard", "Lambert"]
CITIES = ["Lyon", "Nantes", "Lille", "Bordeaux", "Rennes", "Toulouse", "Grenoble", "Dijon"]


def plain(name: str) -> str:
    return name.lower().replace("é", "e")


def homoglyph(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word) if c.lower() in HOMOGLYPHS]
    chars = list(word)
    for i in rng.sample(spots, k=min(len(spots), rng.choice([1, 1, 2]))):
        chars[i] = rng.choice(HOMOGLYPHS[chars[i].lower()])
    return "".join(chars)


def insertion(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    extra = word[i - 1] if rng.random() < 0.5 else rng.choice("aeilnorstu")
    return word[:i] + extra + word[i:]


def omission(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def transposition(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def with_support(word: str, rng: random.Random) -> str:
    support = rng.choice(SUPPORT)
    sep = rng.choice(["", "_", ".", ""])
    if rng.random() < 0.3:
        return f"{support}{sep}{word}" if sep else support.capitalize() + word.capitalize()
    return f"{word}{sep}{support}" if sep else word.capitalize() + support.capitalize()


TYPOS = {"homoglyph": homoglyph, "insertion": insertion, "omission": omission, "transposition": transposition}


def account(rng, handle, display, bio, days_old, followers, verified=False, replied=()):
    return {
        "platform": rng.choice(["x", "instagram", "facebook", "bluesky", "tiktok"]),
        "handle": handle,
        "display_name": display,
        "bio": bio,
        "created_at": (AS_OF - timedelta(days=days_old)).isoformat(),
        "followers": followers,
        "verified": verified,
        "replied_to_handles": list(replied),
    }


def impersonators(brand, customers, rng):
    base, name = plain(brand["name"]), brand["name"]
    for kind, typo in [*TYPOS.items(), ("support words", None)]:
        for _ in range(8):
            handle = typo(base, rng) if typo else base
            if typo is None or rng.random() < 0.4:
                handle = with_support(handle, rng)
                kind_here = kind if typo is None else f"{kind} + support words"
            else:
                kind_here = kind
            if handle.casefold() in {h.casefold() for h in brand["handles"]}:
                handle = handle + rng.choice(["_", "1", "24"])  # the brand's own handle is taken
            display = rng.choice(SUPPORT_DISPLAY).format(
                b=homoglyph(name, rng) if rng.random() < 0.3 else name
            )
            young = rng.random() < 0.75
            yield (
                kind_here,
                account(
                    rng,
                    handle,
                    display,
                    rng.choice(SUPPORT_BIO).format(b=name),
                    days_old=rng.randint(1, 80) if young else rng.randint(400, 2500),
                    followers=rng.randint(0, 400) if rng.random() < 0.8 else rng.randint(1000, 6000),
                    verified=rng.random() < 0.05,
                    replied=rng.sample(customers, k=rng.randint(1, 6)) if rng.random() < 0.5 else (),
                ),
            )


def lookalike_free(brand, customers, rng):
    base, name = plain(brand["name"]), brand["name"]
    for _ in range(8):
        handle = rng.choice(
            [f"{base}fan", f"{base}_lovers", f"ilove{base}", f"{base}addict", f"fans_de_{base}"]
        )
        bio = rng.choice(
            [f"Fan account, not affiliated with {name}.", "Compte de fan, non officiel.", "Parody."]
        )
        yield (
            "fan",
            account(
                rng,
                handle,
                rng.choice([f"{name} Fan Club", f"Fans de {name}", f"{name} fan"]),
                bio,
                rng.randint(30, 3000),
                rng.randint(10, 20000),
            ),
        )
    for partner in brand["partners"]:
        display = partner.replace("_", " ").title()
        yield (
            "partner",
            account(
                rng,
                partner,
                display,
                f"Partenaire officiel {name}. Service client en DM.",
                rng.randint(10, 3000),
                rng.randint(50, 5000),
                replied=rng.sample(customers, k=2),
            ),
        )
    for _ in range(12):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = rng.choice(
            [f"{plain(first)}_{plain(last)}", f"{plain(first)}{plain(last)}{rng.randint(1, 99)}"]
        )
        display = rng.choice([f"{first} {last} | {name}", f"{first} @ {name}", f"{first} {last}"])
        bio = rng.choice(
            [
                f"Customer care at @{brand['handles'][0]}. Views my own.",
                f"Conseiller·e service client chez {name}.",
                f"Ingénieur·e chez {name}.",
            ]
        )
        yield (
            "employee",
            account(
                rng,
                handle,
                display,
                bio,
                rng.randint(200, 4000),
                rng.randint(20, 3000),
                replied=rng.sample(customers, k=rng.randint(0, 4)),
            ),
        )
    for city in rng.sample(CITIES, 6):
        handle = rng.choice([f"velo_{plain(city)}", f"{plain(city)}_shop", f"atelier{plain(city)}"])
        yield (
            "reseller",
            account(
                rng,
                handle,
                rng.choice([f"Boutique {city} — revendeur {name}", f"{city} Store"]),
                f"Revendeur agréé {name} à {city}. SAV en magasin.",
                rng.randint(100, 4000),
                rng.randint(100, 8000),
            ),
        )
    for _ in range(10):
        yield (
            "customer",
            account(
                rng,
                f"{plain(rng.choice(FIRST))}_{rng.randint(1, 999)}",
                f"{rng.choice(FIRST)} {rng.choice(LAST)[0]}.",
                rng.choice([f"Client {name} depuis 2019.", "Cycliste, café, photo.", ""]),
                rng.randint(5, 4000),
                rng.randint(0, 3000),
            ),
        )


def same_first_name(brand, rng):
    """People whose first name is the brand's (only for brands that are first names)."""
    base, name = plain(brand["name"]), brand["name"]
    for _ in range(20):
        last = rng.choice(LAST)
        handle = rng.choice(
            [
                f"{base}_{plain(last)}",
                f"{base}.{plain(last)[0]}",
                f"{base}{rng.randint(70, 99)}",
                f"{base}{plain(last)}",
                f"{plain(last)}{base}",
            ]
        )
        display = rng.choice([f"{name} {last}", f"{name} {last[0]}.", name])
        yield (
            "same first name",
            account(
                rng,
                handle,
                display,
                rng.choice(["Photographe.", "Étudiante à Lyon.", ""]),
                rng.randint(30, 4000),
                rng.randint(0, 3000),
            ),
        )


def generate(seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    rows, brands = [], []
    for brand in BRANDS:
        customers = [f"client_{plain(brand['name'])}_{i}" for i in range(40)]
        brands.append({**brand, "tagged_by": customers})
        for label, source in (
            (True, impersonators(brand, customers, rng)),
            (False, lookalike_free(brand, customers, rng)),
        ):
            rows += [{**data, "brand": brand["name"], "label": label, "kind": kind} for kind, data in source]
        if brand["name"] == "Margaux":
            rows += [
                {**data, "brand": brand["name"], "label": False, "kind": kind}
                for kind, data in same_first_name(brand, rng)
            ]
    return brands, rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the labelled impersonation set.")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    brands, rows = generate(args.seed)
    (HERE / "brands.json").write_text(
        json.dumps({"as_of": AS_OF.isoformat(), "brands": brands}, ensure_ascii=False, indent=1) + "\n"
    )
    with (HERE / "accounts.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"{len(rows)} accounts ({sum(r['label'] for r in rows)} impersonators) for {len(brands)} brands")


if __name__ == "__main__":
    main()
