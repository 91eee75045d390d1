"""Write docs/drafts.md's examples: drafts for demo mentions of each intent, in French and English.

    python tests/respond/draft_examples.py > /tmp/examples.md

Mentions are analysed with the shipped models (``ecoute.analysis``), so the intent is the one the
inbox shows, mistakes included. The brand's own posts and lines the analysis says need no reply
(spam, chatter) are skipped. Run with ``--analysed FILE`` to reuse a JSON list of demo rows with
their analysis under "an" instead of analysing again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

from ecoute.respond import draft_replies
from respond.respond_factories import TUESDAY_MORNING, catalogue, knowledge

DEMO = Path(__file__).parents[2] / "src" / "ecoute" / "demo" / "data" / "mentions.jsonl"
BRAND_HANDLES = {"cyclune_fr", "cyclune_aide", "cyclune.velos"}
PER_KIND = 20


def analysed_rows(path: str | None) -> list[dict]:
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    from ecoute.analysis import AnalysisInput, get_analyzer

    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    notes = get_analyzer().analyze(
        [AnalysisInput(r["text"], author_followers=r.get("author_followers")) for r in rows]
    )
    return [{**row, "an": note.to_dict()} for row, note in zip(rows, notes, strict=True)]


def main(argv: list[str]) -> None:
    rows = analysed_rows(argv[argv.index("--analysed") + 1] if "--analysed" in argv else None)
    for intent in ("complaint", "question", "praise", "other"):
        for lang in ("fr", "en"):
            chosen = [
                r
                for r in rows
                if r["author"] not in BRAND_HANDLES
                and r["an"]["intent"] == intent
                and r["lang"] == lang
                and r["an"]["needs_reply"]
            ][:PER_KIND]
            print(f"\n### {intent} · {lang} ({len(chosen)} mentions)\n")
            sent: list[str] = []
            for row in chosen:
                mention = SimpleNamespace(
                    text=row["text"],
                    lang=row["an"]["lang"],
                    language=row["lang"],
                    intent=intent,
                    sentiment=row["an"]["sentiment"],
                    external_id=row["id"],
                )
                drafts = draft_replies(
                    mention,
                    author=SimpleNamespace(display_name=row["author_name"]),
                    brand_name="Cyclune",
                    locale_fallback="fr",
                    knowledge=knowledge(),
                    platform=row["platform"],
                    recent_replies=sent,
                    agent_name="Chloé",
                    catalogue=catalogue(),
                    now=TUESDAY_MORNING,
                )
                quoted = row["text"].replace("\n", " ")
                print(
                    f"**{row['platform']} · {row['author_name']} · {row['an']['sentiment']}**\n> {quoted}\n"
                )
                for draft in drafts:
                    size = f"{len(draft.text)}/{draft.limit}"
                    print(f"- *{draft.strategy}* ({size}, originality {draft.originality}): {draft.text}")
                print()
                sent.append(drafts[0].text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[1]))
    main(sys.argv[1:])
