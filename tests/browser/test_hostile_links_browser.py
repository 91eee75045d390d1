"""A conversation whose mentions carry hostile addresses (written straight into the database),
opened in a real browser: no link to them exists, and clicking through the messages runs nothing."""

from __future__ import annotations

from sqlalchemy import select, update

from ecoute.store.models import Conversation, Mention, Workspace

PAYLOADS = [
    "javascript:window.__pwned=1",
    "JaVaScRiPt:window.__pwned=2",
    "  javascript:window.__pwned=3",
    "java\tscript:window.__pwned=4",
    "data:text/html,<script>opener.__pwned=5</script>",
    "vbscript:msgbox(6)",
    "//evil.example/7",
]
GOOD = "https://x.com/velora/status/8"


def _hostile_conversation(live) -> tuple[int, dict[int, str | None]]:
    with live.db.session() as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == "demo"))
        conversation_id = session.scalar(
            select(Conversation.id)
            .where(Conversation.workspace_id == workspace_id, Conversation.mention_count >= 2)
            .order_by(Conversation.id)
        )
        mentions = session.execute(
            select(Mention.id, Mention.url).where(Mention.conversation_id == conversation_id)
        ).all()
        for index, (mention_id, _) in enumerate(mentions):
            url = GOOD if index == 0 else PAYLOADS[(index - 1) % len(PAYLOADS)]
            session.execute(update(Mention).where(Mention.id == mention_id).values(url=url))
        return conversation_id, dict(mentions)


def test_hostile_addresses_never_become_links_and_clicking_runs_nothing(page, live):
    conversation_id, before = _hostile_conversation(live)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(live.at(f"/w/demo/c/{conversation_id}"))
        page.wait_for_selector("[data-entry]")

        hrefs = page.eval_on_selector_all("[href]", "nodes => nodes.map(n => n.getAttribute('href'))")
        originals = page.eval_on_selector_all("a.original", "nodes => nodes.map(n => n.getAttribute('href'))")
        for entry in page.locator("[data-entry] .bubble").all():
            entry.click(position={"x": 5, "y": 5})
        pwned = page.evaluate("window.__pwned")
    finally:
        with live.db.session() as session:
            for mention_id, url in before.items():
                session.execute(update(Mention).where(Mention.id == mention_id).values(url=url))

    assert originals == [GOOD]
    assert not [
        h for h in hrefs if h.strip().lower().replace("\t", "").startswith(("javascript", "data", "vbscript"))
    ]
    assert not [h for h in hrefs if h.startswith("//")]
    assert pwned is None and dialogs == [] and page.js_errors == []
    assert page.url.endswith(f"/w/demo/c/{conversation_id}")
