"""What a live update says, and the hub that hands updates to this process's open streams.

An event carries no content — only that something changed in a workspace (and on which
conversation, when known): a page re-reads what it shows, through the same permission checks as
any request, so nothing reaches a page that its reader may not see.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass

MENTIONS = "mentions"  # new mentions stored (ingest, push, polling)
CHANGED = "changed"  # someone acted: assignment, status, tags, note, reply…
RESYNC = "resync"  # a stream reconnected: re-read everything


@dataclass(frozen=True)
class LiveEvent:
    workspace_id: int
    kind: str
    conversation_id: int | None = None
    count: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "w": self.workspace_id,
                "kind": self.kind,
                "conversation": self.conversation_id,
                "count": self.count,
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> LiveEvent:
        data = json.loads(text)
        return cls(int(data["w"]), str(data["kind"]), data.get("conversation"), int(data.get("count") or 0))

    def for_browser(self) -> str:
        """The event as the page sees it: no workspace id (the stream is already the workspace's)."""
        return json.dumps({"kind": self.kind, "conversation": self.conversation_id, "count": self.count})


class Subscription:
    """One open stream's inbox of events, filled from any thread, read on the stream's loop."""

    def __init__(self, workspace_id: int, loop: asyncio.AbstractEventLoop):
        self.workspace_id = workspace_id
        self.loop = loop
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=1000)

    def offer(self, event: LiveEvent) -> None:
        self.loop.call_soon_threadsafe(self._put, event)

    def _put(self, event: LiveEvent) -> None:
        if not self.queue.full():  # a page that stopped reading only needs to know "something changed"
            self.queue.put_nowait(event)


class Hub:
    """This process's open streams, by workspace; ``deliver`` hands an event to that workspace's only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[Subscription]] = {}

    def subscribe(self, workspace_id: int) -> Subscription:
        subscription = Subscription(workspace_id, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.setdefault(workspace_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            found = self._subscribers.get(subscription.workspace_id, set())
            found.discard(subscription)
            if not found:
                self._subscribers.pop(subscription.workspace_id, None)

    def deliver(self, event: LiveEvent) -> None:
        with self._lock:
            targets = list(self._subscribers.get(event.workspace_id, ()))
        for subscription in targets:
            try:
                subscription.offer(event)
            except RuntimeError:  # its loop has closed: the stream is gone
                self.unsubscribe(subscription)

    def listening(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscribers.values())
