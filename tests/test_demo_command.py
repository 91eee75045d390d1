"""``ecoute demo`` in a real subprocess: it loads the demo with its rules and the team's reply
history and, unless told ``--no-serve``, serves it with a demo login that works, printed next to
the URL."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from ecoute.demo import replies as history
from ecoute.inbox.counts import OPEN_STATUSES
from ecoute.inbox.queries import list_conversations
from ecoute.incidents import records as incident_records
from ecoute.incidents import updates
from ecoute.keep_time.deadlines import open_clocks
from ecoute.respond.outbox import recent_texts, variety_of
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Conversation, ConversationTag, Reply, Tag
from ecoute.store.people import Rule
from ecoute.topics.models import MentionTopic, Topic
from ecoute.web.filters import parse_filters

LOGIN = re.compile(r"Open\s+(http://\S+)\s.*?E-mail\s+(\S+)\s.*?Password\s+(\S+)", re.S)


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "120",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ecoute(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_demo_no_serve_loads_the_demo_and_its_rules_fire(db_url, tmp_path):
    done = _ecoute(["demo", "--no-serve", "--no-analysis", "--json"], _env(db_url, tmp_path))

    summary = json.loads(done.stdout)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rules = {name: hits for name, hits in connection.execute(select(Rule.name, Rule.hits))}
    engine.dispose()
    assert done.returncode == 0, done.stderr
    assert summary["stored"] == summary["mentions"] > 300
    # Without analysis there is no sentiment, so only the rule on sentiment stays silent.
    assert sorted(name for name, hits in rules.items() if hits == 0) == ["Grands comptes mécontents"]
    assert len(rules) == 5 and rules["Spam : argent facile, faux abonnés, faux cadeaux"] >= 10


def test_the_analysed_demo_has_a_reply_history_for_the_metrics_the_report_and_the_inbox(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = _env(url, tmp_path)
    loaded = _ecoute(["demo", "--no-serve", "--json"], env)
    again = _ecoute(["demo", "--no-serve", "--json"], env)
    weeks = _ecoute(["report", "-w", "demo", "--by", "week", "--json"], env)
    agents = _ecoute(["report", "-w", "demo", "--by", "agent", "--json"], env)

    first, second = json.loads(loaded.stdout), json.loads(again.stdout)
    total, *by_week = json.loads(weeks.stdout)["rows"]
    by_agent = {row["label"]: row for row in json.loads(agents.stdout)["rows"][1:]}
    db = Database.open(url)
    with db.session() as session:
        workspace = repo.require_workspace(session, "demo")
        inbox = list_conversations(
            session, workspace.id, parse_filters({}, me=None), cursor=None, limit=200, secret="test"
        ).rows
        clocks = open_clocks(session, workspace.id)
        written_again = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(
                Conversation.workspace_id == workspace.id,
                Conversation.needs_reply.is_(True),
                Conversation.status.in_(("open", "pending")),
                Conversation.id.in_(select(Reply.conversation_id)),
            )
        )
        listed = [row["conversation"] for row in first["needs_reply_first"]]
        listed_states = session.execute(
            select(Conversation.status, Conversation.needs_reply).where(Conversation.id.in_(listed))
        ).all()
        spam = session.execute(
            select(Conversation.status, Conversation.needs_reply)
            .join(ConversationTag, ConversationTag.conversation_id == Conversation.id)
            .join(Tag, Tag.id == ConversationTag.tag_id)
            .where(Conversation.workspace_id == workspace.id, Tag.name == "spam")
        ).all()
        incidents = {i.kind: i for i in incident_records.list_incidents(session, workspace.id)}
        outage, fake = incidents["outage"], incidents["impersonation"]
        outage_events = [e.kind for e in incident_records.timeline(session, workspace.id, outage.id)]
        outage_updates = updates.round_updates(session, outage)
        fake_updates = updates.round_updates(session, fake)
        topics = session.scalars(
            select(Topic).where(Topic.workspace_id == workspace.id, Topic.merged_into.is_(None))
        ).all()
        in_topics = session.scalar(
            select(func.count()).select_from(MentionTopic).where(MentionTopic.workspace_id == workspace.id)
        )
        latest = recent_texts(session, workspace.id, limit=1)[0]
        copied = variety_of(session, workspace.id, latest.replace("Lucie", "Sarah"))
    db.dispose()
    assert [p.returncode for p in (loaded, again, weeks, agents)] == [0, 0, 0, 0], loaded.stderr
    assert (first["replies_stored"], first["replies_already_there"]) == (history.count(), 0)
    assert (second["replies_stored"], second["replies_already_there"]) == (0, history.count())
    assert sum(second["replies_by_agent"].values()) == history.count()
    assert (first["needing_reply"], first["answered"]) == (total["conversations"], total["answered"])
    # "Answer these first" lists only what is still to do; spam the rule closed needs no reply.
    assert len(listed_states) == 8 and all(s in OPEN_STATUSES and needs for s, needs in listed_states)
    assert len(spam) >= 10 and set(spam) == {("resolved", False)}
    # The metrics page's headline figures are neither 0 % nor 100 %...
    assert 0.4 <= total["response_rate"] <= 0.9
    assert 0 < total["complaints_answered"] < total["complaints"]
    # (In business hours the median can be 0: the demo's posts keep their intervals but move with
    # the hour it is loaded at, and at some hours most first replies fall outside opening hours.)
    assert 0 <= total["first_response_business_median_s"] <= total["first_response_business_p90_s"]
    assert total["first_response_business_p90_s"] > 0
    assert 0 < total["first_response_wall_median_s"] <= total["first_response_wall_p90_s"]
    # ...every demo agent answered some, the weeks add up, and the rates differ from week to week.
    assert {"Chloé Ravel", "Hugo Marchal", "Élise Navarro"} <= by_agent.keys()
    assert all(by_agent[name]["answered"] > 0 for name in ("Chloé Ravel", "Hugo Marchal", "Élise Navarro"))
    assert sum(row["answered"] for row in by_agent.values()) == total["answered"]
    assert len(by_week) >= 5 and sum(row["conversations"] for row in by_week) == total["conversations"]
    assert len({round(row["response_rate"], 2) for row in by_week}) >= 3
    # The inbox still has work: conversations needing a reply, some with a running first-response clock.
    assert sum(1 for row in inbox if row.conversation.needs_reply) >= 20 and len(clocks) >= 20
    # Customers who wrote again after the team's last reply are waiting again, as on a live desk.
    assert written_again >= 5
    # The outage is an incident with a drafted statement and personal updates ready to send, not
    # sent; the impersonator's incident has its messages to those it contacted ready (run twice: once).
    assert outage.alert_id is not None and outage_events == ["opened", "statement"]
    assert len(outage_updates) >= 20 and {u.state for u in outage_updates} == {"draft"}
    assert all(u.selected and u.reply_id is None for u in outage_updates)
    assert fake.title == "Faux compte @cyclune_service_client" and len(fake_updates) >= 2
    assert all("@cyclune_service_client" in u.text and u.state == "draft" for u in fake_updates)
    # Insights and the report have topics from the start, each with a label, most posts in one.
    assert len(topics) >= 4 and all(t.label for t in topics) and in_topics >= 200
    # The composer's variety check has the team's recent replies to compare a new one with.
    assert copied.warning and copied.nearest_text == latest


def test_demo_serves_the_workspace_with_a_printed_login_that_works(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ecoute", "demo", "--no-analysis", "--port", str(port)],
        env=_env(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = ""
        deadline = time.monotonic() + 120
        while not LOGIN.search(printed) and time.monotonic() < deadline:
            printed += server.stdout.readline()  # type: ignore[union-attr]
        url, email, password = LOGIN.search(printed).groups()  # type: ignore[union-attr]
        with httpx.Client(follow_redirects=False, timeout=10) as client:
            login_page = _wait_for(client, f"http://127.0.0.1:{port}/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)  # type: ignore[union-attr]
            logged_in = client.post(
                f"http://127.0.0.1:{port}/login",
                data={"email": email, "password": password, "csrf_token": token, "next": "/w/demo/"},
            )
            inbox = client.get(url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert url == f"http://127.0.0.1:{port}/w/demo/"
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/w/demo/")
    assert inbox.status_code == 200 and "Cyclune" in inbox.text


def _wait_for(client: httpx.Client, url: str) -> httpx.Response:
    for _ in range(100):
        try:
            return client.get(url)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_a_port_in_use_is_told_before_the_demo_loads(tmp_path):
    """A newcomer whose port is taken learns it at once, with the port named, before a minute of
    loading: nothing is created, and ``--no-serve`` (which needs no port) still loads."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = _ecoute(["demo", "--port", str(port)], _env(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path))
        created = (tmp_path / "demo.db").exists()
        loaded = _ecoute(
            ["demo", "--no-analysis", "--no-serve", "--port", str(port), "--json"],
            _env(f"sqlite:///{tmp_path / 'other.db'}", tmp_path),
        )

    assert refused.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in refused.stderr + refused.stdout
    assert "Address already in use" in refused.stderr + refused.stdout
    assert not created  # refused before the database was even opened
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["workspace"] == "demo"
