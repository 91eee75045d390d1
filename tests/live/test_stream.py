"""The workspace's event stream, served by uvicorn on a real port, over SQLite (its default bus:
an SQLite file) and PostgreSQL (LISTEN/NOTIFY): new mentions and a colleague's note arrive after
their commit; another workspace hears nothing; a reconnect is told to re-read."""

from __future__ import annotations

import pytest

import factories
import inbox_factories
from ecoute.inbox.notes import add_note
from ecoute.ingest import ingest
from ecoute.settings import Settings
from ecoute.web.app import create_app
from ecoute.web.pages import live as live_page
from live_helpers import served, session_cookie, stream


@pytest.fixture
def base(db, tmp_path):
    # The same data folder as the test's own settings (tests/conftest.py): one SQLite bus file.
    settings = Settings({"data_dir": str(tmp_path / "data"), "secret_key": "live-tests"})
    with served(create_app(db, settings)) as url:
        yield url


def test_new_mentions_and_a_colleagues_note_reach_the_stream(base, db, workspace):
    conversation = inbox_factories.conversation(db, workspace)
    cookie = session_cookie(db, workspace)
    with stream(base, f"/w/{workspace.slug}/events", cookie) as events:
        ingest(db, workspace, [factories.raw_item("live-1"), factories.raw_item("live-2")])
        assert events.next_live() == {"kind": "mentions", "conversation": None, "count": 2}

        with db.session() as session:
            add_note(session, workspace.id, conversation.id, "Je m'en occupe", user_id=None, actor="test")
        assert events.next_live() == {"kind": "changed", "conversation": conversation.id, "count": 0}


def test_a_rolled_back_change_is_never_announced(base, db, workspace):
    conversation = inbox_factories.conversation(db, workspace)
    cookie = session_cookie(db, workspace)
    with stream(base, f"/w/{workspace.slug}/events", cookie) as events:
        with pytest.raises(RuntimeError), db.session() as session:
            add_note(session, workspace.id, conversation.id, "brouillon", user_id=None, actor="test")
            raise RuntimeError("the request failed after the note")
        ingest(db, workspace, [factories.raw_item("after-rollback")])
        assert events.next_live()["kind"] == "mentions"  # the note's event never came first


def test_another_workspace_hears_nothing(base, db, workspace, other_workspace):
    ours = inbox_factories.conversation(db, other_workspace)
    cookie = session_cookie(db, other_workspace)
    with stream(base, f"/w/{other_workspace.slug}/events", cookie) as events:
        ingest(db, workspace, [factories.raw_item("theirs")])
        with db.session() as session:
            add_note(session, other_workspace.id, ours.id, "chez nous", user_id=None, actor="test")
        assert events.next_live() == {"kind": "changed", "conversation": ours.id, "count": 0}


def test_a_stream_of_a_workspace_one_is_not_member_of_is_refused(base, db, workspace, other_workspace):
    import httpx

    cookie = session_cookie(db, other_workspace)
    refused = httpx.get(f"{base}/w/{workspace.slug}/events", cookies={"ecoute_session": cookie}, timeout=10)
    anonymous = httpx.get(f"{base}/w/{workspace.slug}/events", timeout=10, follow_redirects=False)
    assert refused.status_code in (403, 404)
    assert anonymous.status_code in (303, 401)


def test_a_reconnect_is_told_to_read_everything_again(base, db, workspace):
    cookie = session_cookie(db, workspace)
    with stream(base, f"/w/{workspace.slug}/events", cookie, **{"last-event-id": "12"}) as events:
        assert events.next_live() == {"kind": "resync", "conversation": None, "count": 0}


def test_a_quiet_stream_gets_keep_alive_comments_and_ends_for_the_browser_to_reconnect(
    base, db, workspace, monkeypatch
):
    monkeypatch.setattr(live_page, "HEARTBEAT_S", 0.2)
    monkeypatch.setattr(live_page, "STREAM_S", 1.0)
    cookie = session_cookie(db, workspace)
    with stream(base, f"/w/{workspace.slug}/events", cookie) as events:
        assert events.next_frame() == {"comment": "keep-alive"}
        with pytest.raises(AssertionError, match="the stream ended"):
            while True:
                events.next_frame()
