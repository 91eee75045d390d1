"""The role table: each role can do exactly what it should, and nothing is allowed by accident."""

import pytest

from ecoute.auth.permissions import PERMISSIONS, Action, can, may_grant

AGENT_WORK = {
    Action.VIEW,
    Action.ASSIGN,
    Action.CHANGE_STATUS,
    Action.TAG,
    Action.NOTE,
    Action.REPLY,
    Action.CORRECT_LABEL,
    Action.EDIT_TOPICS,
    Action.SHARE_REPORTS,
}


@pytest.mark.parametrize("action", list(Action))
def test_viewers_may_only_view(action):
    assert can("viewer", action) is (action == Action.VIEW)


@pytest.mark.parametrize("action", list(Action))
def test_agents_may_triage_and_answer_but_not_administer(action):
    assert can("agent", action) is (action in AGENT_WORK)


@pytest.mark.parametrize("action", list(Action))
def test_admins_may_do_everything_but_manage_the_workspace_itself(action):
    assert can("admin", action) is (action != Action.MANAGE_WORKSPACE)


@pytest.mark.parametrize("action", list(Action))
def test_owners_may_do_everything(action):
    assert can("owner", action) is True


def test_unknown_roles_and_actions_may_do_nothing():
    assert can(None, Action.VIEW) is False
    assert can("superuser", Action.VIEW) is False
    assert can("owner", "launch_rockets") is False


def test_each_role_is_a_superset_of_the_one_below():
    assert PERMISSIONS["viewer"] < PERMISSIONS["agent"] < PERMISSIONS["admin"] < PERMISSIONS["owner"]


def test_only_owners_make_owners():
    assert may_grant("owner", "owner") is True
    assert may_grant("admin", "owner") is False
    assert may_grant("admin", "agent") is True
    assert may_grant("agent", "viewer") is False
