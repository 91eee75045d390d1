"""The audit log page: admins only; who, what, when, before/after; newest first, in pages."""

from datetime import timedelta

from ecoute.store.models import AuditEvent
from ecoute.store.types import utcnow


def add_events(db, workspace, count, action="member.role_change"):
    start = utcnow() - timedelta(hours=1)
    with db.session() as session:
        for n in range(count):
            session.add(
                AuditEvent(
                    workspace_id=workspace.id,
                    actor=f"user:{n}:person{n}@example.org",
                    action=action,
                    target_type="user",
                    target_id=str(n),
                    before={"role": "agent"},
                    after={"role": f"admin{n}"},
                    created_at=start + timedelta(seconds=n),
                )
            )


def test_events_show_who_what_and_the_change_newest_first(login_as, db, workspace):
    admin = login_as("admin")
    add_events(db, workspace, 2)

    page = admin.get("/w/acme/admin/audit").text

    assert page.index("person1@example.org") < page.index("person0@example.org")
    assert "member.role_change" in page
    assert "&#34;admin1&#34;" in page or '"admin1"' in page


def test_the_log_pages_through_a_signed_cursor(login_as, db, workspace):
    admin = login_as("admin")
    add_events(db, workspace, 55)

    first = admin.get("/w/acme/admin/audit").text
    cursor = first.split('<p class="more"><a href="?cursor=')[1].split('"')[0]
    second = admin.get(f"/w/acme/admin/audit?cursor={cursor}").text

    assert "person54@" in first
    assert "person5@" in first
    assert "person4@" not in first
    assert "person4@" in second
    assert "person0@" in second
    assert '<p class="more">' not in second


def test_the_log_filters_by_action(login_as, db, workspace):
    admin = login_as("admin")
    add_events(db, workspace, 1, action="tag.delete")
    add_events(db, workspace, 1, action="mention.hide")

    page = admin.get("/w/acme/admin/audit?action=tag.delete").text

    assert "tag.delete" in page
    assert "mention.hide" not in page.replace('placeholder="member.role_change"', "")


def test_a_forged_cursor_is_a_400(login_as):
    admin = login_as("admin")

    assert admin.get("/w/acme/admin/audit?cursor=forged").status_code == 400
