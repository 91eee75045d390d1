"""Sending replies: through a platform's API (a Mastodon-shaped server behind a real entry point),
recorded for sources that cannot post, idempotent under retries and crashes, and the
conversation answered afterwards."""

from __future__ import annotations

import pytest

import reply_factories as rf
from ecoute.sources.base import SourceError
from reply_platform import ENTRY_POINT, FakeMastodonSource, WorkerDied, fake_mastodon


def test_a_reply_goes_out_through_the_platform_and_keeps_its_id(db, workspace, tmp_path):
    with fake_mastodon(tmp_path) as server:
        src = rf.source(db, workspace, ENTRY_POINT, instance=server.url)
        conv = rf.conversation(db, workspace, src)
        outcome = rf.submit(
            db, workspace, conv.id, "Bonjour, désolés pour ce retard : on regarde tout de suite."
        )
    [(reply, state)] = rf.replies(db, workspace, conv.id)
    assert (reply.status, state.mode, reply.platform_reply_id) == ("sent", "send", "109000000000000001")
    assert state.url == f"{server.url}/@brand/109000000000000001"
    assert outcome.replayed is False
    assert (
        server.statuses[reply.idempotency_key]["in_reply_to_id"] == f"{conv.id}-0"
        or len(server.statuses) == 1
    )


def test_retrying_a_submission_never_posts_twice(db, workspace, tmp_path):
    with fake_mastodon(tmp_path) as server:
        src = rf.source(db, workspace, ENTRY_POINT, instance=server.url)
        conv = rf.conversation(db, workspace, src)
        first = rf.submit(
            db, workspace, conv.id, "Merci pour votre message, on s'en occupe.", submission="sub-1"
        )
        again = rf.submit(
            db, workspace, conv.id, "Merci pour votre message, on s'en occupe.", submission="sub-1"
        )
    assert (len(server.statuses), server.requests) == (1, 1)
    assert (again.replayed, again.reply.id) == (True, first.reply.id)
    assert len(rf.replies(db, workspace, conv.id)) == 1


def test_a_crash_after_the_platform_accepted_is_resumed_with_the_same_key(db, workspace, tmp_path):
    with fake_mastodon(tmp_path) as server:
        src = rf.source(db, workspace, ENTRY_POINT, instance=server.url)
        conv = rf.conversation(db, workspace, src)
        FakeMastodonSource.crash_after_post = 1
        with pytest.raises(WorkerDied):
            rf.submit(db, workspace, conv.id, "On vous répond en message privé.", submission="sub-crash")
        [(stuck, _)] = rf.replies(db, workspace, conv.id)
        retried = rf.submit(
            db, workspace, conv.id, "On vous répond en message privé.", submission="sub-crash"
        )
    assert stuck.status == "sending"
    assert (server.requests, len(server.statuses)) == (2, 1)
    assert (retried.reply.status, retried.reply.platform_reply_id) == ("sent", "109000000000000001")


def test_a_refusal_is_kept_as_failed_and_a_retry_sends(db, workspace, tmp_path):
    with fake_mastodon(tmp_path) as server:
        src = rf.source(db, workspace, ENTRY_POINT, instance=server.url)
        conv = rf.conversation(db, workspace, src)
        server.refuse_next = 1
        with pytest.raises(SourceError, match="character limit"):
            rf.submit(db, workspace, conv.id, "Bonjour !", submission="sub-refused")
        [(failed, failed_state)] = rf.replies(db, workspace, conv.id)
        retried = rf.submit(db, workspace, conv.id, "Bonjour !", submission="sub-refused")
    assert (failed.status, failed_state.attempts) == ("failed", 1)
    assert "character limit" in (failed_state.last_error or "")
    assert retried.reply.status == "sent"


@pytest.mark.parametrize("kind", ["rss", "file"])
def test_rss_and_file_sources_record_the_reply_with_the_link_to_answer(db, workspace, kind):
    src = rf.source(db, workspace, kind, url="https://blog.example/feed.xml")
    conv = rf.conversation(db, workspace, src)
    rf.submit(db, workspace, conv.id, "Merci d'avoir écrit sur nous, on vous répond sous le billet.")
    [(reply, state)] = rf.replies(db, workspace, conv.id)
    assert (reply.status, state.mode, reply.platform_reply_id) == ("recorded", "record", None)
    assert state.url == f"https://example.social/@{conv.id}-0" or state.url.startswith(
        "https://example.social/@"
    )
    assert reply.sent_at is not None


def test_sending_answers_the_conversation_as_chosen(db, workspace):
    pending = rf.conversation(db, workspace)
    resolved = rf.conversation(db, workspace)
    rf.submit(db, workspace, pending.id, "Bonjour, on regarde votre commande.")
    rf.submit(db, workspace, resolved.id, "Voilà qui est réglé, bonne journée !", then_status="resolved")
    after_pending = rf.conversation_row(db, pending.id)
    after_resolved = rf.conversation_row(db, resolved.id)
    assert (after_pending.status, after_pending.needs_reply) == ("pending", False)
    assert (after_resolved.status, after_resolved.needs_reply) == ("resolved", False)
