"""Alembic environment: runs synchronously; on PostgreSQL holds an advisory lock so that
several ``pieterpost serve`` processes starting together migrate once."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from domain.persistence.db import sync_url
from migrations.schema import metadata

config = context.config
_LOCK_ID = 727_114_001


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        is_pg = connection.dialect.name == "postgresql"
        if is_pg:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _LOCK_ID})
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=not is_pg)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if is_pg:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _LOCK_ID})
                connection.commit()
    engine.dispose()


run_migrations_online()
