"""The sidebar's counts stop at a cap and say so."""

from ecoute.inbox.counts import ViewCounts


def test_counts_past_their_cap_read_as_many():
    counts = ViewCounts(todo=1000, needs_reply=100, mine=3, unassigned=99)

    shown = {view: counts.shown(view) for view in ("todo", "needs_reply", "mine", "unassigned", "resolved")}

    assert shown == {"todo": "999+", "needs_reply": "99+", "mine": "3", "unassigned": "99", "resolved": None}
