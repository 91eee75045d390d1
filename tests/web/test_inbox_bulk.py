"""Bulk actions from the inbox: several conversations at once, all or nothing, each audited."""

import desk_helpers as desk
import inbox_factories
from web_helpers import post_form


def test_resolving_several_conversations_audits_each_and_can_be_undone(owner, db, workspace):
    first, second = (inbox_factories.conversation(db, workspace) for _ in range(2))
    ids = [str(first.id), str(second.id)]

    response = post_form(owner, "/w/acme/bulk", {"ids": ids, "action": "status:resolved", "next": "/w/acme/"})
    page = owner.get("/w/acme/", headers={"accept-language": "en"}).text
    undo = post_form(owner, "/w/acme/bulk", {"ids": ids, "action": "status:open"})

    assert response.status_code == 303
    assert "2 conversations resolved" in page
    assert len(desk.audit(db, "conversation.update")) == 4
    assert undo.status_code == 303
    assert {desk.conversation(db, first.id).status, desk.conversation(db, second.id).status} == {"open"}


def test_assigning_and_tagging_in_bulk(owner, db, workspace):
    karim = inbox_factories.user(db, workspace, "agent")
    desk.tag(db, workspace.id, "batterie")
    convs = [inbox_factories.conversation(db, workspace) for _ in range(3)]
    ids = [str(c.id) for c in convs]

    post_form(owner, "/w/acme/bulk", {"ids": ids, "action": f"assign:{karim.id}"})
    post_form(owner, "/w/acme/bulk", {"ids": ids, "action": "tag:batterie"})

    assert [desk.conversation(db, c.id).assignee_id for c in convs] == [karim.id] * 3
    assert [desk.tag_names(db, c.id) for c in convs] == [["batterie"]] * 3


def test_the_button_wins_over_the_untouched_menu(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace)

    post_form(owner, "/w/acme/bulk", {"ids": [str(conv.id)], "action": ["assign:me", ""]})

    assert desk.conversation(db, conv.id).assignee_id is not None


def test_a_batch_with_another_workspaces_id_changes_nothing(owner, db, workspace, other_workspace):
    mine = inbox_factories.conversation(db, workspace)
    theirs = inbox_factories.conversation(db, other_workspace)

    response = post_form(
        owner, "/w/acme/bulk", {"ids": [str(mine.id), str(theirs.id)], "action": "status:resolved"}
    )

    assert response.status_code == 404
    assert desk.conversation(db, mine.id).status == "new"
    assert desk.conversation(db, theirs.id).status == "new"
    assert desk.audit(db, "conversation.update") == []


def test_bad_bulk_input_is_a_clear_400(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace)
    one = [str(conv.id)]

    codes = {
        "no ids": post_form(owner, "/w/acme/bulk", {"action": "status:resolved"}).status_code,
        "bad id": post_form(owner, "/w/acme/bulk", {"ids": ["abc"], "action": "status:resolved"}).status_code,
        "no action": post_form(owner, "/w/acme/bulk", {"ids": one, "action": ""}).status_code,
        "unknown op": post_form(owner, "/w/acme/bulk", {"ids": one, "action": "delete:all"}).status_code,
        "bad status": post_form(owner, "/w/acme/bulk", {"ids": one, "action": "status:archived"}).status_code,
        "bad assignee": post_form(owner, "/w/acme/bulk", {"ids": one, "action": "assign:marie"}).status_code,
        "unknown tag": post_form(owner, "/w/acme/bulk", {"ids": one, "action": "untag:   "}).status_code,
    }

    assert codes == dict.fromkeys(codes, 400)
    assert desk.conversation(db, conv.id).status == "new"


def test_a_viewer_may_not_act_in_bulk(login_as, db, workspace):
    viewer = login_as("viewer")
    conv = inbox_factories.conversation(db, workspace)

    page = viewer.get("/w/acme/").text
    response = post_form(viewer, "/w/acme/bulk", {"ids": [str(conv.id)], "action": "status:resolved"})

    assert 'value="status:resolved"' not in page
    assert response.status_code == 403
    assert desk.conversation(db, conv.id).status == "new"
