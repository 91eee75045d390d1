"""RSS 2.0 and Atom feeds as a source: news sites, blogs, YouTube channels, subreddits.

One poll is one conditional GET through ``ecoute.http.fetch``; each feed entry becomes a
``RawItem`` (or a ``Rejected`` when its date cannot be read).

The cursor is a JSON-able dict::

    {"etag": '"abc"', "last_modified": "Wed, 05 Mar 2025 08:30:00 GMT", "seen_ids": ["id", ...]}

``etag`` and ``last_modified`` are sent back as ``If-None-Match`` / ``If-Modified-Since``.
``seen_ids`` (newest first, at least the last 500) lets a poll skip entries it already handed
over when a server ignores conditional GET and re-sends the whole feed. It is only a saving: the
ingest path dedupes on (workspace, source, external_id) anyway, so forgetting an id is harmless.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urljoin

import feedparser
import httpx

from ecoute.http import Sleep, fetch
from ecoute.settings import Settings
from ecoute.sources.base import PollResult, RawItem, Rejected, SourceError
from ecoute.sources.html_text import html_to_text

logger = logging.getLogger(__name__)

SEEN_IDS_LIMIT = 500
_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


class RssSource:
    """Polls one RSS or Atom feed. Settings: ``url`` (required), ``platform`` (default "rss")."""

    platform: ClassVar[str] = "rss"
    description: ClassVar[str] = (
        "RSS 2.0 and Atom feeds: news sites, blogs, YouTube channels, subreddits. "
        "Settings: url (required), platform (optional label such as youtube or reddit)."
    )

    def __init__(
        self,
        app_settings: Settings | None = None,
        *,
        client: httpx.Client | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._app_settings = app_settings
        self._client = client
        self._sleep = sleep

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        url = _feed_url(settings)
        platform = str(settings.get("platform") or self.platform)
        response = fetch(
            url,
            headers=_request_headers(cursor),
            settings=self._app_settings,
            client=self._client,
            sleep=self._sleep,
        )
        if response.status_code == 304:
            logger.info("rss.not_modified", extra={"url": url})
            return PollResult(items=[], cursor=dict(cursor), not_modified=True)
        parsed = _parse(url, response)
        entries = [(n, _external_id(entry), entry) for n, entry in enumerate(parsed.entries, start=1)]
        current_ids = [external_id for _, external_id, _ in entries]
        seen = set(cursor.get("seen_ids") or ())
        items = [
            _to_item(
                entry,
                parsed.feed,
                external_id=external_id,
                platform=platform,
                feed_url=str(response.url),
                location=f"{url} entry {n}",
            )
            for n, external_id, entry in entries
            if external_id not in seen
        ]
        logger.info(
            "rss.polled",
            extra={
                "url": url,
                "entries": len(current_ids),
                "new": len(items),
                "rejected": sum(isinstance(item, Rejected) for item in items),
            },
        )
        return PollResult(items=items, cursor=_next_cursor(response, current_ids, cursor))

    def check(self, settings: Mapping[str, Any]) -> str:
        """Fetch and parse the feed, storing nothing: how many entries it holds and the newest."""
        result = self.poll(settings, {})
        entries = [item for item in result.items if isinstance(item, RawItem)]
        newest = max(entries, key=lambda item: str(item.created_at or ""), default=None)
        said = f"feed read: {len(result.items)} entries"
        title = " ".join(newest.text.split())[:80] if newest else ""
        return said + (f", the newest: “{title}”" if title else "")


def _feed_url(settings: Mapping[str, Any]) -> str:
    url = settings.get("url")
    if not isinstance(url, str) or not url.strip():
        raise SourceError("rss source: setting 'url' is required (the feed's address)", retriable=False)
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise SourceError(f"rss source: 'url' must be an http(s) address, got {url!r}", retriable=False)
    return url


def _request_headers(cursor: Mapping[str, Any]) -> dict[str, str]:
    headers = {"Accept": _ACCEPT}
    if cursor.get("etag"):
        headers["If-None-Match"] = str(cursor["etag"])
    if cursor.get("last_modified"):
        headers["If-Modified-Since"] = str(cursor["last_modified"])
    return headers


def _parse(url: str, response: httpx.Response) -> feedparser.FeedParserDict:
    content_type = response.headers.get("content-type", "")
    # A stream, never bytes or a str: feedparser downloads a str that looks like a URL, and tries
    # bytes as a local *file name* first, so a body reading "/etc/passwd" would be read from disk.
    # No content-location either: feedparser would resolve Atom ids such as Reddit's "t3_1j3qk8z"
    # against it, and an id must not change when the feed moves to another address.
    parsed = feedparser.parse(io.BytesIO(response.content), response_headers={"content-type": content_type})
    if not parsed.version and not parsed.entries:
        raise SourceError(_not_a_feed(url, response, parsed), retriable=False)
    if parsed.bozo:
        # Feedparser flags minor breakage (an HTML entity undeclared in XML, a wrong charset) and
        # still recovers the entries; those are worth keeping, the warning is worth logging.
        logger.warning("rss.bozo", extra={"url": url, "problem": str(parsed.get("bozo_exception"))})
    return parsed


def _not_a_feed(url: str, response: httpx.Response, parsed: feedparser.FeedParserDict) -> str:
    content_type = response.headers.get("content-type") or "no content type"
    if "html" not in content_type and b"<html" not in response.content[:2048].lower():
        problem = parsed.get("bozo_exception") or "no RSS or Atom root element"
        return f"{url} is not an RSS or Atom feed ({content_type}: {problem})"
    # People paste a site's address rather than its feed's; the page usually names the feed.
    finder = _FeedLinkFinder()
    finder.feed(response.text)
    hint = f"; the page announces a feed at {urljoin(str(response.url), finder.href)}" if finder.href else ""
    return f"{url} is an HTML page, not an RSS or Atom feed{hint}"


class _FeedLinkFinder(HTMLParser):
    """Finds ``<link rel="alternate" type="application/rss+xml" href=...>`` in an HTML page."""

    _FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and self.href is None and found.get("type") in self._FEED_TYPES:
            self.href = found.get("href")


def _external_id(entry: Mapping[str, Any]) -> str:
    for key in ("id", "link"):
        value = (entry.get(key) or "").strip()
        if value:
            return value
    # Neither guid nor link: hash what identifies the entry to a reader, so re-polls agree.
    basis = "\n".join([entry.get("title") or "", _first_present(entry, ("published", "updated"))[1]])
    return "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _to_item(
    entry: Mapping[str, Any],
    feed: Mapping[str, Any],
    *,
    external_id: str,
    platform: str,
    feed_url: str,
    location: str,
) -> RawItem | Rejected:
    raw = _jsonable(entry) | {"feed": {"title": feed.get("title"), "link": feed.get("link")}}
    original = json.dumps(raw, ensure_ascii=False)  # what the rejects file shows for this entry
    try:
        created_at = _created_at(entry, feed)
    except ValueError as exc:
        reason = f"entry {external_id}: {exc}"
        return Rejected(location, reason, field="created_at", content=original)
    text = _entry_text(entry)
    if not text:
        reason = f"entry {external_id}: neither a title nor a summary"
        return Rejected(location, reason, field="text", content=original)
    author = _author(entry)
    return RawItem(
        platform=platform,
        external_id=external_id,
        text=text,
        created_at=created_at,
        url=urljoin(feed_url, entry["link"]) if entry.get("link") else None,
        author=author,
        author_name=author,
        kind="post",
        raw=raw,
        location=location,
        original=original,
    )


def _created_at(entry: Mapping[str, Any], feed: Mapping[str, Any]) -> datetime:
    """The entry's published (else updated) date; an undated entry takes the feed's date.

    The first date field present decides: a garbled ``published`` is reported, not papered over
    with ``updated``, so a publisher's broken dates show up in the rejects instead of silently
    shifting mentions in time.
    """
    key, value = _first_present(entry, ("published", "updated"))
    source = entry
    if not key:
        key, value = _first_present(feed, ("updated", "published"))
        source = feed
    if not key:
        raise ValueError("no published or updated date on the entry or the feed")
    parsed = source.get(f"{key}_parsed")  # feedparser's struct_time, already in UTC
    if parsed is None:
        raise ValueError(f"unreadable {key} date {value!r}")
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"out-of-range {key} date {value!r}") from None


def _first_present(mapping: Mapping[str, Any], keys: Iterable[str]) -> tuple[str, str]:
    # ``key in`` rather than ``.get``: FeedParserDict maps a missing "updated" to "published"
    # (with a DeprecationWarning), which would blur which field the date came from.
    for key in keys:
        if key in mapping and mapping[key]:
            return key, str(mapping[key])
    return "", ""


def _entry_text(entry: Mapping[str, Any]) -> str:
    title = _plain_text(entry.get("title") or "", _detail_type(entry, "title_detail"))
    summary = _plain_text(*_summary_with_type(entry))
    summary = _REDDIT_FOOTER.sub("", summary).strip()
    parts = [title] if summary in ("", title) else [title, summary]
    return "\n\n".join(part for part in parts if part)


def _summary_with_type(entry: Mapping[str, Any]) -> tuple[str, str]:
    if entry.get("summary"):
        return entry["summary"], _detail_type(entry, "summary_detail")
    for content in entry.get("content") or ():
        if content.get("value"):
            return content["value"], content.get("type") or "text/html"
    return "", "text/plain"


def _detail_type(entry: Mapping[str, Any], key: str) -> str:
    return (entry.get(key) or {}).get("type") or "text/html"


# Reddit appends "submitted by /u/name [link] [comments]" to every entry; it is chrome, not
# something the author said, and would otherwise feed every Reddit mention's topics and sentiment.
_REDDIT_FOOTER = re.compile(r"\s*submitted by\s+/u/\S+(\s*\[link\])?(\s*\[comments\])?\s*$")


def _plain_text(value: str, content_type: str) -> str:
    """Readable text from an entry field: tags dropped when it is HTML, whitespace collapsed."""
    if "html" in content_type:
        return html_to_text(value)
    return " ".join(value.split())


# "redaction@site.fr (Julien Petit)": RSS 2.0's <author> is an e-mail address with the name in a
# comment. Feedparser's own split mangles addresses with long TLDs, so the name is read here.
_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^)]+)\)\s*$")


def _author(entry: Mapping[str, Any]) -> str | None:
    value = (entry.get("author") or "").strip()
    match = _RSS_AUTHOR.match(value)
    return (match["name"].strip() if match else value) or None


# feedparser's parsed dates (struct_time) and the *_detail duplicates of plain fields add noise.
_RAW_SKIPPED = frozenset({"title_detail", "summary_detail", "guidislink"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(key): _jsonable(item)
            for key, item in value.items()
            if key not in _RAW_SKIPPED and not str(key).endswith("_parsed")
        }
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _next_cursor(
    response: httpx.Response, current_ids: list[str], cursor: Mapping[str, Any]
) -> dict[str, Any]:
    # The feed's own ids first so none of them is forgotten while it is still being served, even
    # for a feed longer than the limit; older ids fill what is left.
    previous = [str(i) for i in cursor.get("seen_ids") or ()]
    limit = max(SEEN_IDS_LIMIT, len(current_ids))
    next_cursor: dict[str, Any] = {"seen_ids": list(dict.fromkeys(current_ids + previous))[:limit]}
    # Validators come from this response only: a server that stopped sending an ETag must not
    # keep receiving the old one.
    if etag := response.headers.get("etag"):
        next_cursor["etag"] = etag
    if last_modified := response.headers.get("last-modified"):
        next_cursor["last_modified"] = last_modified
    return next_cursor
