"""The Analysis settings page, in French and English: which heads the workspace uses (shipped, or
its own version with the figures it was kept on), every retraining attempt with why it was or was
not kept, and "Retrain now", which queues the work for a worker (audited)."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.analysis.analyzer import DEFAULT_MODEL_DIR
from ecoute.analysis.heads import META_FILE, WEIGHTS_FILE
from ecoute.jobs.models import Job
from ecoute.jobs.runner import run_due
from ecoute.learning.models import HeadsVersion
from ecoute.store.models import AuditEvent
from web_helpers import post_form, session_client


def add_version(db, workspace_id, version, status, *, reason="", scores=None, corrections=60):
    with db.session() as session:
        row = HeadsVersion(
            workspace_id=workspace_id,
            version=version,
            status=status,
            reason=reason,
            corrections=corrections,
            scores=scores or {},
        )
        if status == "kept":
            row.meta = (DEFAULT_MODEL_DIR / META_FILE).read_text(encoding="utf-8")
            row.weights = (DEFAULT_MODEL_DIR / WEIGHTS_FILE).read_bytes()
        session.add(row)


def test_a_workspace_that_never_retrained_uses_the_shipped_heads(app, db, workspace):
    admin = session_client(app, db, workspace, "admin")

    english = admin.get(f"/w/{workspace.slug}/admin/analysis", headers={"accept-language": "en"})
    french = admin.get(f"/w/{workspace.slug}/admin/analysis", headers={"accept-language": "fr"})

    assert english.status_code == 200
    assert 'data-heads-version="shipped"' in english.text
    assert "The heads shipped with Écoute" in english.text
    assert "once 50 new posts are corrected" in english.text
    assert "No retraining yet." in english.text
    assert "Les modèles livrés avec Écoute" in french.text


def test_the_page_shows_the_version_in_use_and_why_a_later_attempt_was_not_kept(
    app, db, workspace, other_workspace
):
    add_version(
        db,
        workspace.id,
        1,
        "kept",
        scores={"sentiment": {"new": 0.81, "previous": 0.62, "held_out": 12}},
        corrections=60,
    )
    add_version(
        db,
        workspace.id,
        2,
        "rejected",
        reason="macro-F1 would drop: intent 0.500 < 0.600",
        scores={"intent": {"new": 0.5, "previous": 0.6, "held_out": 24}},
        corrections=120,
    )
    add_version(db, other_workspace.id, 1, "kept", reason="theirs-marker", corrections=999)
    admin = session_client(app, db, workspace, "admin")

    page = admin.get(f"/w/{workspace.slug}/admin/analysis", headers={"accept-language": "en"}).text

    assert 'data-heads-version="1"' in page
    assert "version 1" in page and "from 60 posts its agents corrected" in page
    assert 'data-attempt="2" data-status="rejected"' in page
    assert "macro-F1 would drop: intent 0.500 &lt; 0.600" in page
    assert "0.81 (was 0.62, 12 held out)" in page
    assert "theirs-marker" not in page and "999" not in page


def test_retrain_now_queues_the_work_and_a_worker_runs_it(app, db, workspace, jobs_wait, settings):
    admin = session_client(app, db, workspace, "owner")

    answer = post_form(admin, f"/w/{workspace.slug}/admin/analysis/retrain")

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/w/{workspace.slug}/admin/analysis?queued=1"
    with db.session() as session:
        job = session.scalar(select(Job).where(Job.kind == "learning.retrain_now"))
        assert (job.workspace_id, job.state) == (workspace.id, "pending")
        audited = session.scalar(select(AuditEvent).where(AuditEvent.action == "analysis.retrain_requested"))
        assert audited is not None and audited.workspace_id == workspace.id
    outcomes = run_due(db, settings, queues=("bulk",))
    assert [(o.kind, o.state) for o in outcomes if o.kind == "learning.retrain_now"] == [
        ("learning.retrain_now", "done")
    ]
    # nothing corrected yet: nothing was learnt, no version recorded
    with db.session() as session:
        assert session.scalars(select(HeadsVersion)).all() == []
    shown = admin.get(f"/w/{workspace.slug}/admin/analysis?queued=1", headers={"accept-language": "en"})
    assert "Retraining is queued" in shown.text
