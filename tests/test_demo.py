"""The bundled demo: a realistic workspace that loads offline through the one ingest path."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ecoute import demo
from ecoute.analysis.language import get_language_detector
from ecoute.auth import users
from ecoute.demo import replies as history
from ecoute.ingest import ingest
from ecoute.jobs.models import Job
from ecoute.normalise import parse_datetime
from ecoute.respond.types import limit_for
from ecoute.sources.base import RawItem
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Brand, Conversation, Mention, MentionBrand, Reply, User
from ecoute.store.reply_models import ReplyState

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_demo_set_is_large_varied_and_written_for_the_demo():
    items = [i for i in demo.demo_items(NOW) if isinstance(i, RawItem)]
    languages = Counter(i.language for i in items)
    platforms = Counter(i.platform for i in items)
    dates = sorted(datetime.fromisoformat(str(i.created_at)) for i in items)

    assert len(items) == demo.count() >= 300
    assert languages["fr"] > languages["en"] > 50
    assert len(platforms) >= 6
    assert dates[-1] == NOW - demo.NEWEST_AGE
    assert dates[-1] - dates[0] > timedelta(weeks=4)
    assert sum(1 for i in items if i.parent_id) >= 20


def test_demo_loads_brand_competitors_threads_and_a_burst(db):
    setup = demo.setup_workspace(db)
    again = demo.setup_workspace(db)

    report = ingest(db, setup.workspace, demo.demo_items(NOW))
    rerun = ingest(db, setup.workspace, demo.demo_items(NOW))

    with db.session() as session:
        ws = setup.workspace.id
        rows = session.execute(
            select(Brand.name, func.count())
            .join(MentionBrand, MentionBrand.brand_id == Brand.id)
            .where(Brand.workspace_id == ws)
            .group_by(Brand.name)
        )
        per_brand = {name: count for name, count in rows}
        threads = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.workspace_id == ws, Conversation.mention_count >= 3)
        )
        days = Counter(
            d.date() for d in session.scalars(select(Mention.created_at).where(Mention.workspace_id == ws))
        )
        brands = repo.list_brands(session, ws)
    assert (again.created, setup.created) == (False, True)
    assert (report.stored, report.rejected, rerun.stored, rerun.duplicates) == (
        demo.count(),
        [],
        0,
        demo.count(),
    )
    assert [b.name for b in brands if b.competitor_of_id is None] == setup.brands
    assert all(per_brand[name] > 10 for name in setup.brands + setup.competitors)
    assert threads >= 6
    assert max(days.values()) >= 3 * (sum(days.values()) / len(days))  # the burst of complaints


def _written_mentions() -> dict[str, dict]:
    lines = (demo.DATA / "mentions.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, filter(str.strip, lines))}


def test_every_demo_reply_answers_a_demo_mention_in_its_language_before_the_last_days():
    mentions = _written_mentions()
    own = {h for b in demo.load_config()["brands"] for h in b["handles"]}
    newest = max(parse_datetime(m["created_at"]) for m in mentions.values())
    team = {agent.key: agent for agent in history.agents()}
    detector = get_language_detector()
    lines = history.read_replies()

    assert len(lines) >= 100 and len({(r.mention, r.at) for r in lines}) == len(lines)
    assert len(team) == 3 and {a.role for a in team.values()} <= {"agent", "admin"}
    for reply in lines:
        mention = mentions[reply.mention]
        written_at = parse_datetime(mention["created_at"])
        assert mention["author"] not in own, reply.line
        assert reply.lang == mention["lang"] == detector.detect(reply.text).code, reply.text
        assert reply.agent in team and reply.then in ("pending", "resolved"), reply.line
        assert written_at < reply.at < newest - timedelta(hours=10), reply.line
        assert 0 < len(reply.text) <= limit_for(mention["platform"]), reply.text
        signed = re.search(r"— (\w+)$", reply.text)
        assert signed is None or team[reply.agent].name.startswith(signed.group(1)), reply.text
        if reply.posted_as is None:  # the last two days are the inbox's work, not history
            assert written_at < newest - timedelta(days=2), reply.text
        else:  # the brand's own post of this very reply, X putting the handles answered in front
            post = mentions[reply.posted_as]
            assert (post["author"] in own, post["parent_id"]) == (True, reply.mention)
            assert re.sub(r"^(@[\w.]+\s+)+", "", post["text"]) == reply.text
            assert timedelta(0) < parse_datetime(post["created_at"]) - reply.at <= timedelta(minutes=5)
    brand_answers = {
        m["id"] for m in mentions.values() if m["author"] in own and m.get("parent_id") in mentions
    }
    assert brand_answers == {r.posted_as for r in lines if r.posted_as}


def test_the_reply_history_goes_through_the_composer_once_dated_with_its_mentions(db):
    setup = demo.setup_workspace(db)
    ingest(db, setup.workspace, demo.demo_items(NOW))
    first = history.load_history(db, setup.workspace, now=NOW)
    again = history.load_history(db, setup.workspace, now=NOW)

    lines = history.read_replies()
    written = {m["id"]: parse_datetime(m["created_at"]) for m in _written_mentions().values()}
    team = {agent.email: agent for agent in history.agents()}
    ws = setup.workspace.id
    with db.session() as session:
        rows = session.execute(
            select(Reply, ReplyState, Mention, User)
            .join(ReplyState, ReplyState.reply_id == Reply.id)
            .join(Mention, Mention.id == Reply.in_reply_to_id)
            .join(User, User.id == Reply.author_user_id)
            .where(Reply.workspace_id == ws)
        ).all()
        members = {user.email: role for user, role in users.list_members(session, ws)}
        events = session.scalars(select(AuditEvent).where(AuditEvent.workspace_id == ws)).all()
        found = select(Conversation.id, Conversation.status).where(Conversation.workspace_id == ws)
        statuses = {cid: status for cid, status in session.execute(found)}
    shifted = {
        (mention.external_id, line.at + (mention.created_at - written[mention.external_id])): line
        for _, _, mention, _ in rows
        for line in lines
        if line.mention == mention.external_id
    }
    sent_at = {reply.id: reply.sent_at for reply, *_ in rows}
    last_then: dict[int, tuple[datetime, str]] = {}
    assert (first.stored, first.already_there, first.not_yet) == (len(lines), 0, 0)
    assert (again.stored, again.already_there) == (0, len(lines))
    assert len(rows) == len(lines)
    assert {email: members.get(email) for email in team} == {e: a.role for e, a in team.items()}
    for reply, state, mention, user in rows:
        line = shifted[(mention.external_id, reply.sent_at)]
        assert (reply.status, state.mode, state.url) == ("recorded", "record", mention.url)
        assert (reply.text, reply.created_at, state.created_at) == (line.text, reply.sent_at, reply.sent_at)
        assert team[user.email].key == line.agent
        if reply.sent_at >= last_then.get(reply.conversation_id, (reply.sent_at, ""))[0]:
            last_then[reply.conversation_id] = (reply.sent_at, line.then)
    actions = Counter(e.action for e in events if e.target_type == "reply")
    assert actions == {"reply.submit": len(lines), "reply.record": len(lines)}
    assert all(e.created_at == sent_at[int(e.target_id)] for e in events if e.target_type == "reply")
    assert not any(
        e.after["similar_confirmed"] or e.after["collision_confirmed_with"]
        for e in events
        if e.action == "reply.submit"
    )
    # Without the analysis no mention needs a reply, so none reopens a conversation.
    assert {cid: statuses[cid] for cid in last_then} == {cid: then for cid, (_, then) in last_then.items()}


def test_the_history_sends_its_replies_itself_before_any_worker_runs(db, jobs_wait):
    """``ecoute demo`` loads the history before ``serve`` starts the workers: each reply's job runs
    right after it is written, rather than each reply waiting for a worker that is not there."""
    setup = demo.setup_workspace(db)
    ingest(db, setup.workspace, demo.demo_items(NOW))

    report = history.load_history(db, setup.workspace, now=NOW)

    with db.session() as session:
        statuses = Counter(
            session.scalars(select(Reply.status).where(Reply.workspace_id == setup.workspace.id))
        )
        jobs = Counter(session.scalars(select(Job.state).where(Job.kind == "reply.send")))
    assert report.stored == len(history.read_replies())
    assert statuses == {"recorded": report.stored}
    assert jobs == {"done": report.stored}
