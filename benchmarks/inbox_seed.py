"""Seed a large, realistic inbox for benchmarks/inbox_speed.py, fast, straight through the driver.

Seeding is not what the benchmark measures, so rows go in with ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) in a few big transactions, with the full-text index built once at the end
rather than row by row. The rows are what the ingest path would have stored: mentions with their
analysis (language, sentiment, intent, needs-reply, priority, reasons), brand links, authors and
conversations with their counters and denormalised summary (top mention, sentiment, intent,
language), plus statuses, assignees and tags as a team would leave them after months of work.

Distributions (deterministic for a seed): 65 % French / 35 % English; intents complaint 22 %,
question 20 %, praise 18 %, other 40 %, sentiment following the intent; priorities skewed low
(most mentions under 30, a few above 80); conversations of 1 to 60 mentions (mean about 2.6) and a
handful of viral threads of several hundred; conversations older than two weeks mostly resolved.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bulk_loaders import ORDER, loader_for

from ecoute.auth import users
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Tag, Workspace

SLUG = "bench"
PASSWORD = "bench-password-123"
CHUNK_CONVERSATIONS = 20_000
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SPAN_DAYS = 540
PLATFORMS = ("x", "facebook", "instagram", "google_reviews", "reddit", "mastodon", "bluesky", "rss")
PLATFORM_WEIGHTS = (30, 18, 14, 8, 10, 8, 8, 4)
# (name, query, competitor of, share of mentions)
BRANDS = (
    ("Velora", "velora", None, 50),
    ("Brio", "brio", None, 20),
    ("Cyclia", "cyclia", "Velora", 15),
    ("RoueLibre", "rouelibre", "Velora", 9),
    ("Tandem", "tandem", "Brio", 6),
)
TAGS = ("livraison", "batterie", "remboursement", "sav", "app", "boutique", "vip", "presse",
        "facturation", "garantie", "spam", "suivi")  # fmt: skip
AGENTS = 8
INTENTS = (("complaint", 22), ("question", 20), ("praise", 18), ("other", 40))
SENTIMENT_BY_INTENT = {
    "complaint": (("negative", 85), ("neutral", 15)),
    "question": (("neutral", 70), ("negative", 20), ("positive", 10)),
    "praise": (("positive", 90), ("neutral", 10)),
    "other": (("neutral", 60), ("positive", 20), ("negative", 20)),
}
NEEDS_REPLY = {"complaint": 0.92, "question": 0.85, "praise": 0.3, "other": 0.05}
URGENCY = {"complaint": 0.55, "question": 0.42, "praise": 0.15, "other": 0.05}
TEXTS = {
    ("fr", "complaint"): [
        "Ma commande {order} chez {brand} n'est toujours pas arrivée après {n} jours, {word}",
        "La batterie de mon {product} {brand} est morte au bout de {n} semaines. Remboursement svp",
        "Service client {brand} injoignable depuis {n} jours, c'est honteux ({word})",
        "Colis perdu, livraison ratée à {city}, personne ne répond chez {brand}",
    ],
    ("fr", "question"): [
        "Est-ce que {brand} livre à {city} ? Je cherche un {product} {word}",
        "Quelqu'un sait si la garantie {brand} couvre le {product} ? Merci",
        "Bonjour {brand}, comment suivre ma commande {order} ?",
    ],
    ("fr", "praise"): [
        "Super accueil à la boutique {brand} de {city}, merci à toute l'équipe !",
        "Mon {product} {brand} est génial, {n} km sans souci {word}",
    ],
    ("fr", "other"): [
        "Article du jour : {brand} ouvre une boutique à {city} {word}",
        "Vu une pub {brand} pour le {product} dans le métro de {city}",
        "Comparatif {product} : {brand} face aux autres marques",
    ],
    ("en", "complaint"): [
        "Order {order} from {brand} still not delivered after {n} days, {word}",
        "My {brand} {product} broke after {n} weeks. I want a refund",
        "{brand} support has ignored me for {n} days, seriously?",
    ],
    ("en", "question"): [
        "Does {brand} ship to {city}? Looking at the {product} {word}",
        "How do I track order {order} with {brand}?",
    ],
    ("en", "praise"): [
        "Loving my new {brand} {product}, the ride through {city} was amazing",
        "Great service from {brand} in {city} today {word}",
    ],
    ("en", "other"): [
        "{brand} opens a new store in {city} {word}",
        "Reading a review of the {brand} {product}",
    ],
}
CITIES = ("Lyon", "Paris", "Bordeaux", "Nantes", "Lille", "Marseille", "Toulouse", "Rennes", "Nice", "Dijon")
PRODUCTS = ("vélo cargo", "vélo pliant", "VAE", "casque", "antivol", "chargeur", "trottinette")
REASONS = {
    "complaint": ["réclamation négative", "mot-clé : remboursement", "sans réponse depuis 3 h"],
    "question": ["question", "sans réponse depuis 5 h"],
    "praise": ["éloge"],
    "other": ["mention"],
}
SYLLABLES = ("ka", "lo", "mi", "ra", "te", "su", "no", "vi", "pe", "zu", "bri", "dor", "fal", "gen")


@dataclass
class Seeded:
    workspace: Workspace
    user_ids: list[int]
    login_email: str
    brand_ids: list[int]
    tag_ids: list[int]
    source_ids: list[int]
    mentions: int = 0
    conversations: int = 0
    largest_thread: tuple[int, int] = (0, 0)  # (conversation id, mentions)
    seconds: float = 0.0
    words: list[str] = field(default_factory=list)


class Weighted:
    """A weighted draw with its cumulative weights computed once (``choices`` redoes it per call)."""

    def __init__(self, values: Sequence[Any], weights: Sequence[float]) -> None:
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


def _weighted(pairs: tuple[tuple[str, int], ...]) -> Weighted:
    return Weighted([p[0] for p in pairs], [p[1] for p in pairs])


PLATFORM_DRAW = Weighted(range(len(PLATFORMS)), PLATFORM_WEIGHTS)
INTENT_DRAW = _weighted(INTENTS)
SENTIMENT_DRAW = {intent: _weighted(pairs) for intent, pairs in SENTIMENT_BY_INTENT.items()}
STATUS_DRAW = _weighted((("new", 40), ("open", 30), ("pending", 15), ("resolved", 15)))
BRAND_DRAW = Weighted(range(len(BRANDS)), [b[3] for b in BRANDS])


def vocabulary(size: int = 4000, seed: int = 3) -> list[str]:
    """Made-up words drawn with a Zipf law: some in every other post, some in a handful."""
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _setup(db: Database) -> Seeded:
    with db.session() as session:
        workspace = repo.create_workspace(session, SLUG, "Bench", locale="fr", timezone="Europe/Paris")
        brand_ids = []
        for name, query, rival_of, _share in BRANDS:
            brand_ids.append(
                repo.add_brand(session, workspace.id, name, query=query, competitor_of=rival_of).id
            )
        user_ids = []
        for n in range(AGENTS):
            # One real password (the HTTP measurement logs in); the others never log in.
            user = users.create_user(session, f"agent{n}@bench.example", PASSWORD if n == 0 else None)
            users.add_member(session, workspace.id, user.id, "owner" if n == 0 else "agent")
            user_ids.append(user.id)
        tags = [Tag(workspace_id=workspace.id, name=name) for name in TAGS]
        session.add_all(tags)
        sources = [
            repo.ensure_source(session, workspace.id, f"{p}-feed", kind="file", platform=p, settings={})
            for p in PLATFORMS
        ]
        session.flush()
        return Seeded(
            workspace,
            user_ids,
            "agent0@bench.example",
            brand_ids,
            [t.id for t in tags],
            [s.id for s in sources],
        )


class Generator:
    """Rows of every table, chunk by chunk, with ids assigned here (so children can point at them)."""

    def __init__(self, seeded: Seeded, target: int, seed: int) -> None:
        self.s = seeded
        self.rng = random.Random(seed)
        self.target = target
        self.words = vocabulary()
        self.word_draw = Weighted(self.words, [1 / (rank + 1) for rank in range(len(self.words))])
        self.authors_per_platform = max(50, target // 6 // len(PLATFORMS))
        self.next_mention = 1
        self.next_conversation = 1
        self.ws = seeded.workspace.id

    def authors(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(5)
        author_id = 0
        for platform in PLATFORMS:
            for n in range(self.authors_per_platform):
                author_id += 1
                followers = int(10 ** rng.uniform(0.5, 6.2)) if rng.random() < 0.97 else None
                yield (
                    author_id,
                    self.ws,
                    platform,
                    f"{platform[:2]}user{n}",
                    f"User {n}",
                    followers,
                    rng.random() < 0.01,
                    NOW,
                )

    def author_id(self, platform_index: int) -> int:
        return platform_index * self.authors_per_platform + self.rng.randrange(self.authors_per_platform) + 1

    def chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        while self.next_mention <= self.target:
            rows: dict[str, list[tuple[Any, ...]]] = {
                "conversations": [],
                "mentions": [],
                "mention_brands": [],
                "conversation_tags": [],
            }
            for _ in range(CHUNK_CONVERSATIONS):
                if self.next_mention > self.target:
                    break
                self._conversation(rows)
            yield rows

    def _size(self) -> int:
        if self.rng.random() < 0.0004:
            return self.rng.randint(200, 800)  # a viral thread
        return 1 + min(int(self.rng.expovariate(1 / 1.6)), 59)

    def _conversation(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        rng = self.rng
        cid = self.next_conversation
        self.next_conversation += 1
        size = min(self._size(), self.target - self.next_mention + 1)
        platform_index = PLATFORM_DRAW.draw(rng)
        platform = PLATFORMS[platform_index]
        author = self.author_id(platform_index)
        start = NOW - timedelta(days=SPAN_DAYS * rng.random() ** 0.7, minutes=25)
        at, mentions = start, []
        for index in range(size):
            mentions.append(
                self._mention(cid, platform, platform_index, author if index == 0 else None, at, index)
            )
            at = min(at + timedelta(minutes=rng.expovariate(1 / 90)), NOW)
        rows["mentions"].extend(m[0] for m in mentions)
        for m in mentions:
            rows["mention_brands"].extend(m[1])
        top = max(mentions, key=lambda m: (m[0][25], m[0][17], m[0][0]))[0]
        age_days = (NOW - mentions[-1][0][17]).days
        status = self._status(age_days)
        assigned = rng.random() < (0.7 if status == "resolved" else 0.45)
        assignee = self.s.user_ids[min(int(rng.expovariate(0.5)), AGENTS - 1)] if assigned else None
        needs_reply = any(m[0][24] for m in mentions)
        rows["conversations"].append(
            (
                cid,
                self.ws,
                f"{platform}:thread:{platform[:2]}m{mentions[0][0][0]}",
                platform,
                author,
                status,
                assignee,
                top[25],
                needs_reply,
                size,
                mentions[0][0][17],
                mentions[-1][0][17],
                start,
                NOW,
                top[0],
                top[22],
                top[23],
                top[21],
            )
        )
        if rng.random() < 0.25:
            for tag in set(rng.choices(self.s.tag_ids, weights=[1 / (i + 1) for i in range(len(TAGS))], k=2)):
                rows["conversation_tags"].append((cid, tag, self.ws))
        if size > self.s.largest_thread[1]:
            self.s.largest_thread = (cid, size)

    def _status(self, age_days: int) -> str:
        if age_days > 14:
            return "resolved" if self.rng.random() < 0.88 else self.rng.choice(("open", "pending"))
        return STATUS_DRAW.draw(self.rng)

    def _mention(
        self, cid: int, platform: str, platform_index: int, author: int | None, at: datetime, index: int
    ) -> tuple[tuple[Any, ...], list[tuple[int, int, int]]]:
        rng = self.rng
        mid = self.next_mention
        self.next_mention += 1
        lang = "fr" if rng.random() < 0.65 else "en"
        intent = INTENT_DRAW.draw(rng)
        sentiment = SENTIMENT_DRAW[intent].draw(rng)
        brand_index = BRAND_DRAW.draw(rng)
        brands = {brand_index} | ({rng.randrange(len(BRANDS))} if rng.random() < 0.08 else set())
        body = rng.choice(TEXTS[(lang, intent)]).format(
            brand=BRANDS[brand_index][0],
            order=f"#VL-{rng.randint(10000, 99999)}",
            n=rng.randint(2, 30),
            city=rng.choice(CITIES),
            product=rng.choice(PRODUCTS),
            word=self.word_draw.draw(rng),
        )
        needs_reply = rng.random() < NEEDS_REPLY[intent]
        followers_reach = rng.random() ** 3
        urgency = URGENCY[intent] + (0.25 if sentiment == "negative" else 0) + rng.random() * 0.15
        priority = max(
            0,
            min(
                100,
                int(100 * min(urgency, 1) * (0.4 if not needs_reply else 1) * (0.6 + 0.4 * followers_reach)),
            ),
        )
        reasons = json.dumps(REASONS[intent][: rng.randint(1, len(REASONS[intent]))], ensure_ascii=False)
        source = self.s.source_ids[platform_index]
        row = (  # in MENTION_COLUMNS order
            mid,
            self.ws,
            source,
            cid,
            author or self.author_id(platform_index),
            platform,
            f"{platform[:2]}m{mid}",
            f"https://example.org/{platform}/{mid}",
            body,
            lang,
            "post" if index == 0 else "reply",
            None,
            None,
            None,
            rng.randint(0, 40),
            rng.randint(0, 5),
            0,
            at,
            at,
            "{}",
            round(rng.uniform(-1, 1), 3),
            lang,
            sentiment,
            intent,
            needs_reply,
            priority,
            reasons,
            "{}",
            False,
        )
        return row, [(mid, self.s.brand_ids[b], self.ws) for b in brands]


def seed(db: Database, mentions: int, *, seed_value: int = 11, log: Any = print) -> Seeded:
    """Create the ``bench`` workspace in an empty, migrated database and fill it."""
    started = time.perf_counter()
    seeded = _setup(db)
    generator = Generator(seeded, mentions, seed_value)
    loader = loader_for(db)
    with loader:
        loader.load("authors", list(generator.authors()))
        for chunk in generator.chunks():
            for table in ORDER:
                loader.load(table, chunk[table])
            log(
                f"  seeded {generator.next_mention - 1:>9,} mentions ({time.perf_counter() - started:,.0f} s)"
            )
    seeded.mentions = generator.next_mention - 1
    seeded.conversations = generator.next_conversation - 1
    seeded.words = generator.words
    seeded.seconds = time.perf_counter() - started
    return seeded
