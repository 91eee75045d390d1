"""Reddit's listings, posts (``t3``) and comments (``t1``) read through typed accessors, and a
thing turned into the RawItem the ingest path takes.

Shapes follow Reddit's API as its clients document it (``Listing`` with ``children``, ``after``,
``before``; comment and submission fields). Every call asks ``raw_json=1``, so bodies arrive as
the author's markdown, not with ``&lt;``/``&amp;`` escapes. An item's ``external_id`` is the
thing's fullname (``t1_…``/``t3_…``), unique across Reddit: a post found by two searches is
stored once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecoute.sources.base import PayloadError, RawItem, Rejected
from ecoute.sources.payload_fields import rejected
from ecoute.sources.payload_fields import text_field as _text

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
GONE = frozenset({"[deleted]", "[removed]"})  # what Reddit shows for a deleted or removed body
KINDS = frozenset({"t1", "t3"})
_THREAD_IN_PATH = re.compile(r"/comments/([a-z0-9]+)(?:/|$)")


def _number(payload: Mapping[str, Any], name: str, *, where: str) -> float:
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"{where}.{name}", f"expected a number, got {value!r:.60}")
    return float(value)


def _count(payload: Mapping[str, Any], name: str) -> int:
    value = payload.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _edited(payload: Mapping[str, Any], where: str) -> float | None:
    """``edited`` is ``false`` for a thing never edited, else the epoch seconds of the last edit."""
    value = payload.get("edited", False)
    if value is False or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"{where}.edited", f"expected false or a time, got {value!r:.60}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Thing:
    kind: str  # "t1" a comment, "t3" a post
    name: str  # the fullname: t1_abc123
    author: str | None  # None once the account is deleted ("[deleted]")
    created_utc: float
    edited: float | None
    title: str
    body: str  # a comment's body, a post's selftext (empty for a link post)
    path: str | None  # the permalink (or, in the inbox, the context link) without the host
    link_id: str | None  # the post a comment belongs to (t3_…)
    parent_id: str | None  # what a comment answers: the post or another comment
    subreddit: str
    score: int
    num_comments: int
    link_url: str | None  # a link post's target
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, child: Any, *, where: str = "thing") -> Thing:
        """One child of a listing: ``{"kind": "t1", "data": {...}}``."""
        if not isinstance(child, Mapping):
            raise PayloadError(where, "expected an object")
        kind = child.get("kind")
        if kind not in KINDS:
            raise PayloadError(f"{where}.kind", f"expected t1 (comment) or t3 (post), got {kind!r:.20}")
        data = child.get("data")
        if not isinstance(data, Mapping):
            raise PayloadError(f"{where}.data", "expected an object")
        at = f"{where}.data"
        name = str(_text(data, "name", where=at))
        if not name.startswith(f"{kind}_"):
            raise PayloadError(f"{at}.name", f"expected a {kind}_ fullname, got {name!r:.40}")
        author = _text(data, "author", where=at, required=False)
        path = _text(data, "permalink", where=at, required=False)
        if path is None:  # inbox messages link to the comment through "context"
            context = _text(data, "context", where=at, required=False)
            path = context.split("?", 1)[0] if context else None
        link_id = _text(data, "link_id", where=at, required=False)
        if link_id is None and kind == "t1" and path and (found := _THREAD_IN_PATH.search(path)):
            link_id = f"t3_{found.group(1)}"
        return cls(
            kind=kind,
            name=name,
            author=None if author in (None, "", "[deleted]") else author,
            created_utc=_number(data, "created_utc", where=at),
            edited=_edited(data, at),
            title=(_text(data, "title", where=at, required=kind == "t3") or "") if kind == "t3" else "",
            body=_text(data, "body" if kind == "t1" else "selftext", where=at, required=False) or "",
            path=path,
            link_id=link_id if kind == "t1" else None,
            parent_id=_text(data, "parent_id", where=at, required=False) if kind == "t1" else None,
            subreddit=_text(data, "subreddit", where=at, required=False) or "",
            score=_count(data, "score"),
            num_comments=_count(data, "num_comments"),
            link_url=_text(data, "url", where=at, required=False) if kind == "t3" else None,
            raw=data,
        )

    @property
    def gone(self) -> bool:
        """Deleted by its author or removed by a moderator: Reddit keeps the thing, blanked."""
        if self.kind == "t1":
            return self.body.strip() in GONE
        return self.body.strip() in GONE or bool(self.raw.get("removed_by_category"))

    @property
    def text(self) -> str:
        """What was said: a comment's body; a post's title, then its text (or the link it shares)."""
        if self.kind == "t1":
            return self.body.strip()
        extra = self.body.strip() or ("" if self.link_url == self.url else self.link_url or "")
        return f"{self.title.strip()}\n\n{extra}" if extra else self.title.strip()

    @property
    def revision(self) -> str:
        """The thing's version: its last edit time, else its creation time."""
        return _epoch(self.edited if self.edited is not None else self.created_utc)

    @property
    def url(self) -> str | None:
        return SITE + self.path if self.path else None


@dataclass(frozen=True, slots=True)
class Listing:
    children: list[Any]
    after: str | None
    before: str | None

    @classmethod
    def read(cls, body: Any, *, where: str = "listing") -> Listing:
        if not isinstance(body, Mapping) or body.get("kind") != "Listing":
            raise PayloadError(f"{where}.kind", "expected a Listing")
        data = body.get("data")
        if not isinstance(data, Mapping) or not isinstance(data.get("children"), list):
            raise PayloadError(f"{where}.data.children", "expected a list")
        return cls(
            children=list(data["children"]),
            after=_text(data, "after", where=f"{where}.data", required=False),
            before=_text(data, "before", where=f"{where}.data", required=False),
        )

    def things(self, where: str) -> list[Thing | Rejected]:
        """Its comments and posts (private messages and "more" stubs skipped), or a Rejected
        naming the child's index and field."""
        out: list[Thing | Rejected] = []
        for index, child in enumerate(self.children):
            if isinstance(child, Mapping) and child.get("kind") not in KINDS and "kind" in child:
                continue  # t4 private messages, "more" stubs, t5 subreddits: not mentions
            try:
                out.append(Thing.read(child, where=f"[{index}]"))
            except PayloadError as error:
                out.append(rejected(error, location=f"{where} [{index}]", payload=child))
        return out

    def names(self) -> list[str]:
        return [
            str(c["data"]["name"])
            for c in self.children
            if isinstance(c, Mapping) and isinstance(c.get("data"), Mapping) and c["data"].get("name")
        ]


def to_item(thing: Thing, *, location: str) -> RawItem:
    comment = thing.kind == "t1"
    replying_to_comment = comment and (thing.parent_id or "").startswith("t1_")
    return RawItem(
        platform=PLATFORM,
        external_id=thing.name,
        text=thing.text,
        created_at=thing.created_utc,
        url=thing.url,
        author=thing.author,
        author_name=thing.author,
        kind=("reply" if replying_to_comment else "comment") if comment else "post",
        parent_id=thing.parent_id,
        thread_id=thing.link_id if comment else thing.name,
        likes=thing.score,
        replies=thing.num_comments,
        raw={**thing.raw},
        location=location,
        original=json.dumps(thing.raw, ensure_ascii=False)[:10_000],
        revision=thing.revision,
    )


def _epoch(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)
