"""The running service's own needs: open and migrate the database, check it, keep tables small.

Edges hold a ``Database`` only to hand it to use cases; they never open a transaction on it.
``DATABASE_ERRORS`` lets the REST edge recognise an outage without importing the driver.
"""
from __future__ import annotations

from domain.core.clock import utcnow
from domain.core.settings import Settings
from domain.persistence import migrate
from domain.persistence.db import DATABASE_ERRORS, Database
from domain.requests.rate_limits import prune

__all__ = ["DATABASE_ERRORS", "Database", "open_database", "ping", "prune_rate_windows", "upgrade_schema"]


def open_database(settings: Settings) -> Database:
    return Database(settings.database_url)


def upgrade_schema(database_url: str) -> None:
    """Apply every migration (``upgrade heads``); synchronous, run it off the event loop."""
    migrate.upgrade(database_url)


async def ping(db: Database) -> bool:
    return await db.ping()


async def prune_rate_windows(db: Database) -> None:
    """Drop minute windows older than two minutes: they can no longer refuse anything."""
    async with db.transaction() as session:
        await prune(session, int(utcnow().timestamp() // 60) - 2)
