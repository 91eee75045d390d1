"""Each bus carries an event from one process's publisher (a bus object of its own) to another's
listener, only to that workspace's subscribers: Redis and PostgreSQL for real, an SQLite file,
and memory within one process."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from conftest import POSTGRES_URL, REDIS_URL, SKIP_POSTGRES
from ecoute.live.buses import BusTarget, MemoryBus, PostgresBus, RedisBus, SqliteBus
from ecoute.live.events import CHANGED, MENTIONS, LiveEvent
from ecoute.settings import Settings
from live_helpers import hear


def _settings(tmp_path, **values: str) -> Settings:
    return Settings(
        {"data_dir": str(tmp_path / "data"), "queue_prefix": f"t{uuid.uuid4().hex[:8]}", **values}
    )


def _pair(kind: str, tmp_path) -> tuple[object, object]:
    """A publishing bus and a listening bus, as two processes would hold them."""
    if kind == "memory":
        bus = MemoryBus()
        return bus, bus
    if kind == "sqlite":
        target = BusTarget.of(_settings(tmp_path), "sqlite:///unused.db")
        return SqliteBus(target), SqliteBus(target)
    if kind == "redis":
        if not REDIS_URL:
            pytest.skip("ECOUTE_TEST_REDIS_URL is not set")
        target = BusTarget.of(_settings(tmp_path, events_url=REDIS_URL), "sqlite:///unused.db")
        return RedisBus(target), RedisBus(target)
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    target = BusTarget.of(_settings(tmp_path), POSTGRES_URL + f"?application_name={uuid.uuid4().hex[:8]}")
    return PostgresBus(target), PostgresBus(target)


BUSES = ["memory", "sqlite", "redis", "postgresql"]


@pytest.mark.parametrize("kind", BUSES)
def test_an_event_reaches_the_listener_of_its_workspace(kind, tmp_path):
    publisher, listener = _pair(kind, tmp_path)
    hub = listener.listen()
    try:
        event = LiveEvent(7, MENTIONS, None, 3)
        heard = hear(hub, 7, lambda: publisher.publish([event]))
    finally:
        publisher.close()
        listener.close()
    assert heard == event


@pytest.mark.parametrize("kind", BUSES)
def test_another_workspace_hears_nothing_of_it(kind, tmp_path):
    publisher, listener = _pair(kind, tmp_path)
    hub = listener.listen()
    theirs = LiveEvent(1, CHANGED, 41)
    ours = LiveEvent(2, CHANGED, 42)
    # The other workspace's event goes first, in the same order-keeping channel: had it been
    # delivered here, it would be heard before ours.
    publish: Callable[[], None] = lambda: publisher.publish([theirs, ours])  # noqa: E731
    try:
        heard = hear(hub, 2, publish)
    finally:
        publisher.close()
        listener.close()
    assert heard == ours


def test_the_bus_follows_the_settings(tmp_path):
    sqlite_db = "sqlite:///x.db"
    pg = "postgresql+psycopg://u:p@db.example/ecoute"
    assert BusTarget.of(_settings(tmp_path), sqlite_db).kind == "sqlite"
    assert BusTarget.of(_settings(tmp_path), pg).kind == "postgresql"
    assert BusTarget.of(_settings(tmp_path, queue_url="redis://r:6379/0"), pg).kind == "redis"
    assert BusTarget.of(_settings(tmp_path, events_url="memory"), pg).kind == "memory"
    assert BusTarget.of(_settings(tmp_path), pg).url.startswith("postgresql://u:p@db.example/")
    with pytest.raises(ValueError, match="ECOUTE_EVENTS_URL='amqp://x'"):
        BusTarget.of(_settings(tmp_path, events_url="amqp://x"), pg)
