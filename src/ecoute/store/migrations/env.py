"""Alembic environment: runs on the engine Écoute hands over (see ecoute.store.db.migrate)."""

from alembic import context

from ecoute.store.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
