"""Who may do what: one table of actions by role, read by ``can(role, action)``.

Roles are ordered owner > admin > agent > viewer. Pages and API routes ask ``can`` (through
``ecoute.web.deps.require``), so adding an action here and using it there is all a new feature needs.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    VIEW = "view"  # inbox, conversations, mentions, tags, rules (read)
    ASSIGN = "assign"
    CHANGE_STATUS = "change_status"
    TAG = "tag"
    NOTE = "note"
    REPLY = "reply"
    APPROVE_REPLY = "approve_reply"  # approve, edit or reject replies waiting for approval
    CORRECT_LABEL = "correct_label"
    HIDE_MENTION = "hide_mention"
    MANAGE_VIEWS = "manage_views"  # shared saved views (anyone who can view keeps personal ones)
    MANAGE_RULES = "manage_rules"
    MANAGE_TAGS = "manage_tags"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_TOKENS = "manage_tokens"
    VIEW_AUDIT = "view_audit"
    MANAGE_WEBHOOKS = "manage_webhooks"
    MANAGE_SOURCES = "manage_sources"  # sources and brands
    MANAGE_PRIVACY = "manage_privacy"  # export or erase a person's data, retention
    MANAGE_WORKSPACE = "manage_workspace"  # name, locale, time zone; transfer or delete
    MANAGE_DRAFTS = "manage_drafts"  # the drafts' sector, the business's own words and wordings
    EDIT_TOPICS = "edit_topics"  # rename and merge the topics found in the mentions
    SHARE_REPORTS = "share_reports"  # make and revoke links that open a report without logging in


ROLES: tuple[str, ...] = ("owner", "admin", "agent", "viewer")

_VIEWER = frozenset({Action.VIEW})
_AGENT = _VIEWER | {
    Action.ASSIGN,
    Action.CHANGE_STATUS,
    Action.TAG,
    Action.NOTE,
    Action.REPLY,
    Action.CORRECT_LABEL,
    Action.EDIT_TOPICS,
    Action.SHARE_REPORTS,
}
_ADMIN = _AGENT | {
    Action.APPROVE_REPLY,
    Action.HIDE_MENTION,
    Action.MANAGE_VIEWS,
    Action.MANAGE_RULES,
    Action.MANAGE_TAGS,
    Action.MANAGE_MEMBERS,
    Action.MANAGE_TOKENS,
    Action.VIEW_AUDIT,
    Action.MANAGE_WEBHOOKS,
    Action.MANAGE_SOURCES,
    Action.MANAGE_DRAFTS,
    Action.MANAGE_PRIVACY,
}
_OWNER = _ADMIN | {Action.MANAGE_WORKSPACE}

PERMISSIONS: dict[str, frozenset[Action]] = {
    "owner": frozenset(_OWNER),
    "admin": frozenset(_ADMIN),
    "agent": frozenset(_AGENT),
    "viewer": _VIEWER,
}


def can(role: str | None, action: Action | str) -> bool:
    """Whether ``role`` may perform ``action``; unknown roles and actions may do nothing."""
    if role not in PERMISSIONS:
        return False
    try:
        return Action(action) in PERMISSIONS[role]
    except ValueError:
        return False


def may_grant(granter_role: str, role: str) -> bool:
    """An admin may grant roles up to admin; only an owner may make another owner."""
    if role not in ROLES or not can(granter_role, Action.MANAGE_MEMBERS):
        return False
    return role != "owner" or granter_role == "owner"
