"""spam needs no reply: conversations closed as spam before a rule's "close as spam" also cleared
``needs_reply`` stop counting as unanswered

A rule that closes a conversation as spam used to leave ``needs_reply`` as the analysis read it, so
spam that reads like a complaint ("Le marché crypto explose… méthode en DM") counted in the response
metrics as a conversation that needed a reply and got none, and stayed in the "needing a reply"
lists. The rule now clears it (``ecoute.inbox.rule_engine``); this does the same for the
conversations it closed before: resolved, tagged ``spam``, never answered. One that the team
answered keeps its flag (an answered conversation counts as answered, whatever it is tagged).

The downgrade changes nothing back: which flags were set before cannot be told apart afterwards,
and an unset flag is what the rule now writes.

Revision ID: spam_needs_no_reply
Revises: oauth_choices
Create Date: 2026-12-07
"""

from alembic import op

revision = "spam_needs_no_reply"
down_revision = "oauth_choices"
branch_labels = None
depends_on = None

CLEAR = """
UPDATE conversations SET needs_reply = false
WHERE needs_reply AND status = 'resolved'
  AND EXISTS (
    SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
    WHERE ct.conversation_id = conversations.id AND ct.workspace_id = conversations.workspace_id
      AND t.workspace_id = conversations.workspace_id AND t.name = 'spam')
  AND NOT EXISTS (
    SELECT 1 FROM replies r
    WHERE r.conversation_id = conversations.id AND r.workspace_id = conversations.workspace_id
      AND r.sent_at IS NOT NULL)
"""


def upgrade() -> None:
    op.execute(CLEAR)


def downgrade() -> None:
    pass
