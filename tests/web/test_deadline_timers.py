"""First-response deadlines in the inbox and on the conversation page: each waiting row shows its
state and the business time left (right without JavaScript, with what the script needs to count
down), and the deadline filter shows the breached or due-soon ones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

import deadline_world
from deadline_world import NOW, SATURDAY_NOON
from ecoute.web.i18n import translator
from ecoute.web.pages import deadline_view

FR = {"accept-language": "fr"}
EN = {"accept-language": "en"}


@pytest.fixture
def ids(db, workspace, monkeypatch):
    monkeypatch.setattr(deadline_view, "utcnow", lambda: NOW)
    return deadline_world.build(db, workspace)


def rows(html: str) -> dict[int, str]:
    """Each inbox row's markup, by conversation id."""
    found = re.findall(r'(<li class="row[^"]*" data-id="(\d+)">.*?</li>)', html, flags=re.S)
    return {int(cid): markup for markup, cid in found}


def badge(markup: str) -> dict[str, str] | None:
    match = re.search(
        r'<span class="deadline ([^"]*)" data-deadline ([^>]*)>(.*?)</span>\s*</span>', markup, re.S
    )
    if match is None:
        return None
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(2)))
    text = " ".join(re.sub(r"<[^>]+>", " ", match.group(3)).split())
    return {"class": match.group(1), **attributes, "text": text}


def test_each_waiting_row_shows_its_deadline_in_business_time(owner, ids):
    page = rows(owner.get("/w/acme/", headers=FR).text)

    late, soon, fine = badge(page[ids["late"]]), badge(page[ids["soon"]]), badge(page[ids["fine"]])
    assert (late["class"], late["remaining"], late["text"]) == (
        "k-breached",
        "-1800",
        "En retard · en retard de 30 min",
    )
    assert (soon["class"], soon["remaining"], soon["text"]) == (
        "k-due_soon",
        "600",
        "Bientôt dû · reste 10 min",
    )
    assert (fine["class"], fine["remaining"], fine["text"]) == (
        "k-ok",
        "13800",
        "Dans les temps · reste 3 h 50",
    )
    assert (late["soon"], fine["soon"]) == ("900", "3600")  # a quarter of 1 h, of 4 h
    assert late["due"] == "2026-10-19T07:30:00+00:00"
    assert badge(page[ids["answered"]]) is None  # answered: no clock
    assert 'class="row tier-high deadline-breached"' in page[ids["late"]]
    assert "deadline-" not in page[ids["answered"]].split(">")[0]


def test_the_words_follow_the_readers_language(owner, ids):
    page = rows(owner.get("/w/acme/", headers=EN).text)

    assert badge(page[ids["late"]])["text"] == "Overdue · overdue by 30 min"
    assert badge(page[ids["soon"]])["text"] == "Due soon · 10 min left"
    assert badge(page[ids["fine"]])["text"] == "On time · 3 h 50 left"
    assert 'title="First answer due by Mon, Oct 19, 9:30\u202fAM"' in page[ids["late"]]


def test_the_page_tells_the_script_when_the_business_clock_runs(owner, ids, monkeypatch):
    open_now = owner.get("/w/acme/", headers=EN).text
    monkeypatch.setattr(deadline_view, "utcnow", lambda: SATURDAY_NOON)
    weekend = owner.get("/w/acme/", headers=EN).text

    clock = dict(re.findall(r'data-(open-from|open-until|left|overdue)="([^"]*)"', open_now))
    assert clock == {
        "open-from": "0",
        "open-until": str(8 * 3600),
        "left": "{time} left",
        "overdue": "overdue by {time}",
    }
    # On Saturday the clock stands still until Monday 09:00 (45 h later), then runs until 18:00.
    paused = dict(re.findall(r'data-(open-from|open-until)="([^"]*)"', weekend))
    assert paused == {"open-from": str(45 * 3600), "open-until": str(54 * 3600)}
    late = badge(rows(weekend)[ids["late"]])
    assert (late["class"], late["text"]) == ("k-ok paused", "On time · 30 min left")
    assert "the clock stands still outside business hours" in rows(weekend)[ids["late"]]
    assert '<script src="/static/keep_time.js' in open_now


def test_the_deadline_filter_shows_breached_or_due_soon_conversations(owner, ids):
    def shown(query: str) -> set[int]:
        return set(rows(owner.get(f"/w/acme/?{query}", headers=FR).text))

    assert shown("deadline=breached") == {ids["late"]}
    assert shown("deadline=due_soon") == {ids["soon"]}
    assert shown("deadline=at_risk") == {ids["late"], ids["soon"]}
    page = owner.get("/w/acme/?deadline=breached", headers=FR).text
    assert '<option value="breached" selected>En retard</option>' in page
    assert owner.get("/w/acme/?deadline=someday", headers=FR).status_code == 400


def test_the_conversation_page_shows_the_same_timer(owner, ids):
    html = owner.get(f"/w/acme/c/{ids['late']}", headers=FR).text
    answered = owner.get(f"/w/acme/c/{ids['answered']}", headers=FR).text

    assert badge(html)["text"] == "En retard · en retard de 30 min"
    assert "data-kt-clock" in html
    assert "Première réponse attendue avant le lun. 19 oct., 09:30" in html
    assert "data-deadline " not in answered


@pytest.mark.parametrize(
    ("seconds", "english", "french"),
    [
        (1, "1 min left", "reste 1 min"),
        (59 * 60 + 1, "1 h left", "reste 1 h"),
        (2 * 3600 + 10 * 60, "2 h 10 left", "reste 2 h 10"),
        (27 * 3600 + 5 * 60, "27 h 05 left", "reste 27 h 05"),
        (0, "overdue by 1 min", "en retard de 1 min"),
        (-15 * 60, "overdue by 15 min", "en retard de 15 min"),
        (-1234 * 3600, "overdue by 1,234 h", "en retard de 1\u202f234 h"),
    ],
)
def test_business_time_is_written_in_hours_and_minutes(seconds, english, french):
    assert deadline_view.left_text(translator("en"), seconds) == english
    assert deadline_view.left_text(translator("fr"), seconds) == french


def test_a_page_of_the_inbox_computes_the_deadlines_of_its_rows_only(db, workspace, ids):
    from ecoute.store.models import Workspace

    with db.session() as session:
        ws = session.get(Workspace, workspace.id)
        timers = deadline_view.page_timers(session, ws, [ids["late"], ids["answered"]], translator("fr"), NOW)

    assert set(timers.by_id) == {ids["late"]}
    assert timers.running and (timers.open_from, timers.open_until) == (0, 8 * 3600)
    assert timers.get(ids["late"]).due_at == NOW - timedelta(minutes=30)


def test_durations_kept_per_language_read_as_freshly_written():
    """Durations are written once per language and number of minutes, then kept: each reads as a
    fresh one, and neither language's leaks into the other's."""
    fresh = deadline_view._duration_text.__wrapped__
    for minutes in (1, 2, 59, 60, 61, 130, 1440, 1234 * 60, 1234 * 60 + 7):
        for locale in ("en", "fr", "en"):  # kept after its first call, whichever language came first
            kept = deadline_view.duration_text(translator(locale), -minutes * 60)
            assert kept == fresh(locale, minutes)
    assert deadline_view.duration_text(translator("fr"), 1234 * 3600) == "1\u202f234 h"
    assert deadline_view.duration_text(translator("en"), 1234 * 3600) == "1,234 h"
