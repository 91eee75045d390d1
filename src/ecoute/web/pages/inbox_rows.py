"""The inbox list's rows, each rendered once and reused while nothing it shows has changed.

Rendering a row (its macros, chips, avatar, dates in the reader's language) is most of what an inbox
page costs, and the same rows are asked for again and again: twenty agents on the same views, and
every open page refreshing its list when a mention arrives. A row's HTML is kept per web process
under a key made of **every value the row template reads** (the conversation's, its top mention's,
its author's, its tags and assignee, who else is on it, the deadline's state, the reader's language,
time zone and rights, the filters in its links, and the minute, since ages and waiting times are
written to the minute). Two pages that would render a row the same way share it; anything that would
change it changes the key. ``ROW_FIELDS`` lists the attributes the key covers, and a test checks that
the template reads no other.

Two things differ between readers and between seconds and are filled in on every request rather than
kept: the CSRF token of the quick "resolve" form and the deadline badge (its seconds left).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from operator import attrgetter
from typing import Any

from markupsafe import Markup

from ecoute.inbox.presence import Present
from ecoute.inbox.queries import InboxRow
from ecoute.web.i18n import Translator
from ecoute.web.pages.deadline_view import Timer, Timers, badge

# What the row template may read of each object (checked against desk/_row.html by a test).
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "c": (
        "id",
        "status",
        "priority",
        "platform",
        "mention_count",
        "sentiment",
        "intent",
        "needs_reply",
        "last_mention_at",
    ),
    "m": ("id", "text", "sentiment", "intent", "reasons", "created_at"),
    "a": ("display_name", "handle", "verified"),
    "row": ("conversation", "top_mention", "author", "tags", "assignee"),
    "row.assignee": ("name",),
    "tag": ("name",),
    "timer": ("state",),
}

CAPACITY = 4096  # rows kept per web process (a few kilobytes each)


# The conversation's and the author's attributes the key covers, read as one tuple in one call.
_CONVERSATION_KEY = attrgetter(*ROW_FIELDS["c"])
_AUTHOR_KEY = attrgetter(*ROW_FIELDS["a"])


def row_key(row: InboxRow, present: list[Present], timer: Timer | None) -> tuple[Hashable, ...]:
    """Everything the row template reads of one row, as a hashable value."""
    c, m = row.conversation, row.top_mention
    top = None
    if m is not None:
        # The reasons are a JSON list (strings, numbers, lists and objects read back in their stored
        # order): their ``repr`` is their identity, at a fraction of what writing them as JSON costs.
        reasons = repr(m.reasons or [])
        top = (m.id, m.text, m.sentiment, m.intent, reasons, m.created_at)
    author = row.author
    return (
        _CONVERSATION_KEY(c),
        top,
        _AUTHOR_KEY(author) if author is not None else None,
        tuple(tag.name for tag in row.tags),
        row.assignee.name if row.assignee is not None else None,
        tuple((p.state, p.name) for p in present),
        timer.state if timer is not None else None,
    )


class RowCache:
    """A bounded, thread-safe map from a row's key to its HTML (least recently used goes first)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._rows: OrderedDict[tuple[Hashable, ...], str] = OrderedDict()
        self._lock = threading.Lock()
        # Stand-ins for what is filled in per request: unguessable, and never produced by escaping
        # (a mention's text cannot contain a raw "<").
        marker = secrets.token_hex(8)
        self.csrf_slot = Markup(f"<!--csrf-{marker}-->")
        self.badge_slot = Markup(f"<!--badge-{marker}-->")
        self.list_slot = Markup(f"<!--list-{marker}-->")
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Hashable, ...]) -> str | None:
        with self._lock:
            html = self._rows.get(key)
            if html is None:
                self.misses += 1
                return None
            self._rows.move_to_end(key)
            self.hits += 1
            return html

    def kept(self, key: tuple[Hashable, ...], render: Callable[[], Any]) -> str:
        """The HTML kept under ``key``, rendered by ``render`` and kept if it is not there yet."""
        html = self.get(key)
        if html is None:
            html = str(render())
            self.put(key, html)
        return html

    def put(self, key: tuple[Hashable, ...], html: str) -> None:
        with self._lock:
            self._rows[key] = html
            self._rows.move_to_end(key)
            while len(self._rows) > self.capacity:
                self._rows.popitem(last=False)

    def __len__(self) -> int:
        return len(self._rows)


class PageRows:
    """Renders one page's rows through a ``RowCache``: called from the inbox template."""

    def __init__(
        self,
        cache: RowCache,
        *,
        reader: tuple[Hashable, ...],
        i18n: Translator,
        csrf_token: str,
        timers: Timers,
        present: dict[int, list[Present]],
        now: datetime,
    ) -> None:
        self.cache = cache
        # The same reader context renders a row the same way: language, zone, rights, filters.
        self.reader = (*reader, now.replace(second=0, microsecond=0))
        self.i18n = i18n
        self.csrf = Markup.escape(csrf_token)
        self.timers = timers
        self.present = present

    def render_all(self, rows: list[InboxRow], row_macro: Callable[[InboxRow], Any]) -> Markup:
        """The page's rows, one after the other: one call from the template for the whole list."""
        return Markup("".join([self._html(row, row_macro) for row in rows]))

    def _html(self, row: InboxRow, row_macro: Callable[[InboxRow], Any]) -> str:
        cid = row.conversation.id
        timer = self.timers.get(cid)
        key = (self.reader, row_key(row, self.present.get(cid, []), timer))
        html = self.cache.kept(key, lambda: row_macro(row)).replace(self.cache.csrf_slot, self.csrf)
        if timer is not None:
            html = html.replace(self.cache.badge_slot, badge(self.i18n, timer, self.timers.running))
        return html


# What the filter bar (desk/_filters.html) may read of the page: each is in its key or fixed by it
# (``t`` and ``fmt.platform`` by the language, ``options`` is the same for every page).
FILTER_BAR_NAMES = frozenset(
    {
        "params",
        "ws",
        "t",
        "fmt",
        "options",
        "lists",
        "query",
        "query_with",
        "current_view",
        "can",
        "ui",
        "csrf_token",
    }
)


class FilterBar:
    """The inbox's filter bar, rendered once per reader and filters and kept in the page's
    ``RowCache``: the same on every page of a view, for every reader with the same language and
    rights, until a member, brand or tag it offers changes. Its CSRF token goes in as a slot."""

    def __init__(
        self,
        cache: RowCache,
        *,
        reader: tuple[Hashable, ...],
        params: dict[str, str],
        current_view: str | None,
        can_share_views: bool,
        lists: Any,
        csrf_token: str,
    ) -> None:
        self.cache = cache
        self.key = (
            "filter-bar",
            reader,
            tuple(params.items()),
            current_view,
            can_share_views,
            tuple((m.id, m.name) for m in lists.members),
            tuple((b.id, b.name, b.is_competitor) for b in lists.brands),
            tuple((t.id, t.name) for t in lists.tags),
        )
        self.csrf = Markup.escape(csrf_token)
        self.csrf_slot = cache.csrf_slot
        self.html = cache.get(self.key)

    def shown(self) -> Markup:
        """The kept bar, with this reader's CSRF token."""
        return Markup((self.html or "").replace(self.csrf_slot, self.csrf))

    def keep(self, html: str) -> Markup:
        """Keep a bar rendered with ``csrf_slot`` for its token, and show it."""
        self.html = str(html)
        self.cache.put(self.key, self.html)
        return self.shown()


# What the page around the list (desk/_inbox_page.html) may read: each is in its key or fixed by it
# (``t``, ``static``, ``ui``, ``view_names`` and ``view_icons`` by the language and the process,
# ``standard_views``, ``options`` and ``heartbeat`` are the same for every page, ``heading`` follows
# from the view, the saved views and the search).
CHROME_NAMES = frozenset(
    {
        "ws",
        "t",
        "static",
        "ui",
        "heartbeat",
        "standard_views",
        "view_names",
        "view_icons",
        "counts",
        "saved_views",
        "current_view",
        "can",
        "csrf_token",
        "heading",
        "params",
        "filter_bar",
        "query",
        "lists",
        "options",
        "viewer",
        "chrome",
    }
)


class PageChrome:
    """The inbox page around its list (the views and their counts, the search, the filter bar, the
    bulk actions, the assign and shortcut dialogs), rendered once per reader and view and kept in
    the page's ``RowCache`` until something it shows changes: the counts, the saved views, the
    members and tags it offers, the reader's rights. It holds a slot for the CSRF token and one for
    the list, which is rendered on every page."""

    def __init__(
        self,
        cache: RowCache,
        *,
        filter_bar: FilterBar,
        viewer_id: int | None,
        can: dict[str, bool],
        counts: Hashable,
        saved_views: list[Any],
        csrf_token: str,
    ) -> None:
        self.cache = cache
        # The filter bar's key covers the reader (language, zone, workspace, filters, view) and
        # the members, brands and tags offered.
        self.key = (
            "inbox-chrome",
            filter_bar.key,
            viewer_id,
            tuple(sorted(can.items())),
            counts,
            tuple((v.id, v.name, v.shared, v.query, v.mine) for v in saved_views),
        )
        self.csrf = Markup.escape(csrf_token)
        self.csrf_slot = cache.csrf_slot
        self.list_slot = cache.list_slot

    def keep(self, list_html: str, caller: Callable[[], Any]) -> Markup:
        """The kept page around the list (rendered by ``caller`` if it is not kept yet), with this
        reader's CSRF token and ``list_html`` in their slots."""
        html = self.cache.kept(self.key, caller)
        return Markup(html.replace(self.csrf_slot, self.csrf).replace(self.list_slot, str(list_html)))
