"""insights roll-ups: mentions counted per workspace, day, brand, platform and language (with
sentiment counts and engagement) and per topic, the days each workspace's roll-ups reach, and the
days changed since (marked by triggers on mentions, brand links and topic assignments, so no write
path can forget them)

Revision ID: insights_day_rollups
Revises: warn_alert_messages
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "insights_day_rollups"
down_revision = "warn_alert_messages"
branch_labels = None
depends_on = None

# A change to any of these columns changes some day's figures.
COUNTED = "workspace_id, created_at, platform, lang, sentiment, likes, shares, replies_count, hidden"

SQLITE_TRIGGERS = [
    """CREATE TRIGGER mention_days_insert AFTER INSERT ON mentions BEGIN
        INSERT OR IGNORE INTO mention_days_stale (workspace_id, day)
        VALUES (new.workspace_id, date(new.created_at)); END""",
    """CREATE TRIGGER mention_days_delete AFTER DELETE ON mentions BEGIN
        INSERT OR IGNORE INTO mention_days_stale (workspace_id, day)
        VALUES (old.workspace_id, date(old.created_at)); END""",
    f"""CREATE TRIGGER mention_days_update AFTER UPDATE OF {COUNTED} ON mentions BEGIN
        INSERT OR IGNORE INTO mention_days_stale (workspace_id, day)
        VALUES (old.workspace_id, date(old.created_at)), (new.workspace_id, date(new.created_at)); END""",
    """CREATE TRIGGER mention_days_brand_insert AFTER INSERT ON mention_brands BEGIN
        INSERT OR IGNORE INTO mention_days_stale (workspace_id, day)
        SELECT workspace_id, date(created_at) FROM mentions WHERE id = new.mention_id; END""",
    """CREATE TRIGGER mention_days_brand_delete AFTER DELETE ON mention_brands BEGIN
        INSERT OR IGNORE INTO mention_days_stale (workspace_id, day)
        SELECT workspace_id, date(created_at) FROM mentions WHERE id = old.mention_id; END""",
    """CREATE TRIGGER mention_days_brand_update AFTER UPDATE ON mention_brands BEGIN
        INSERT OR IGNORE INTO mention_days_stale (workspace_id, day)
        SELECT workspace_id, date(created_at) FROM mentions
        WHERE id IN (old.mention_id, new.mention_id); END""",
]
SQLITE_TRIGGERS += [
    trigger.replace("mention_days_brand_", "mention_days_topic_").replace("mention_brands", "mention_topics")
    for trigger in SQLITE_TRIGGERS[3:6]
]
SQLITE_DROP = [
    "mention_days_insert",
    "mention_days_delete",
    "mention_days_update",
    "mention_days_brand_insert",
    "mention_days_brand_delete",
    "mention_days_brand_update",
    "mention_days_topic_insert",
    "mention_days_topic_delete",
    "mention_days_topic_update",
]

_PG_DAY = "to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION mention_days_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO mention_days_stale (workspace_id, day)
            VALUES (OLD.workspace_id, {_PG_DAY.format(row="OLD")}) ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO mention_days_stale (workspace_id, day)
            VALUES (NEW.workspace_id, {_PG_DAY.format(row="NEW")}) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION mention_days_mark_link() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO mention_days_stale (workspace_id, day)
            SELECT m.workspace_id, {_PG_DAY.format(row="m")} FROM mentions m WHERE m.id = OLD.mention_id
            ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO mention_days_stale (workspace_id, day)
            SELECT m.workspace_id, {_PG_DAY.format(row="m")} FROM mentions m WHERE m.id = NEW.mention_id
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER mention_days_mark AFTER INSERT OR DELETE OR UPDATE OF {COUNTED}
        ON mentions FOR EACH ROW EXECUTE FUNCTION mention_days_mark()""",
    """CREATE TRIGGER mention_days_mark_brand AFTER INSERT OR DELETE OR UPDATE
        ON mention_brands FOR EACH ROW EXECUTE FUNCTION mention_days_mark_link()""",
    """CREATE TRIGGER mention_days_mark_topic AFTER INSERT OR DELETE OR UPDATE
        ON mention_topics FOR EACH ROW EXECUTE FUNCTION mention_days_mark_link()""",
]


def upgrade() -> None:
    op.create_table(
        "mention_days",
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("offset_minutes", sa.Integer(), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("brand_id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("lang", sa.String(8), primary_key=True),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "topic_days",
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("offset_minutes", sa.Integer(), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("topic_id", sa.Integer(), primary_key=True),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
    )
    op.create_table(
        "mention_days_built",
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("offset_minutes", sa.Integer(), primary_key=True),
        sa.Column("through", sa.String(10), nullable=False),
    )
    # No foreign key: a workspace being deleted still marks its mentions' days on the way out.
    op.create_table(
        "mention_days_stale",
        sa.Column("workspace_id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
    )
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_DROP:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS mention_days_mark ON mentions")
        op.execute("DROP TRIGGER IF EXISTS mention_days_mark_brand ON mention_brands")
        op.execute("DROP TRIGGER IF EXISTS mention_days_mark_topic ON mention_topics")
        op.execute("DROP FUNCTION IF EXISTS mention_days_mark()")
        op.execute("DROP FUNCTION IF EXISTS mention_days_mark_link()")
    op.drop_table("mention_days_stale")
    op.drop_table("mention_days_built")
    op.drop_table("topic_days")
    op.drop_table("mention_days")
