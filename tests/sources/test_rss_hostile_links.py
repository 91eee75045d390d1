"""Feed entries whose <link> is not a web address, polled from a real local feed server and
ingested on SQLite and PostgreSQL: the entry is kept, the link is dropped with a warning."""

from __future__ import annotations

from xml.sax.saxutils import escape

from sqlalchemy import select

from ecoute.ingest import ingest
from ecoute.settings import Settings
from ecoute.sources.rss import RssSource
from ecoute.store.models import Mention
from feedserver import running_feed_server

LINKS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "&#106;avascript:alert(1)",
    "https://www.lefilconso.example/2025/03/05/ok/",
]


def _feed(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Article {n}</title><link>{escape(link)}</link><guid>urn:art:{n}</guid>"
        f"<pubDate>Wed, 05 Mar 2025 08:0{n}:00 GMT</pubDate><description>Texte {n}</description></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Le Fil</title>'
        f"<link>https://www.lefilconso.example/</link><description>x</description>{items}</channel></rss>"
    ).encode()


def test_feed_links_that_are_not_web_addresses_are_dropped_and_the_entries_kept(db, workspace):
    source = RssSource(Settings(overrides={"user_agent": "EcouteTest/1.0"}, environ={}))
    with running_feed_server() as server:
        server.body, server.content_type = _feed(LINKS), "application/rss+xml"
        result = source.poll({"url": server.url}, {})
        origin = server.url.removesuffix("/feed.xml")

    report = ingest(db, workspace, result.items)

    with db.session() as session:
        urls = dict(session.execute(select(Mention.external_id, Mention.url)).all())
    assert report.rejected == [] and len(urls) == len(LINKS)
    assert [urls[f"urn:art:{n}"] for n in range(6)] == [None] * 6
    # Not a scheme at all: a path on the feed's own site, resolved like any relative link.
    assert urls["urn:art:6"] == f"{origin}/&#106;avascript:alert(1)"
    assert urls["urn:art:7"] == LINKS[-1]
    assert [(w.location, w.field) for w in report.warnings] == [
        (f"{origin}/feed.xml entry {n + 1}", "url") for n in range(6)
    ]
