"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), the app, servers.

``PIETERPOST_TEST_DATABASE_URL`` points at a PostgreSQL server; each test session creates its own
database there and drops it afterwards. A test needing a missing system part skips with a
reason, except under ``PIETERPOST_CI_STRICT=1`` where the skip becomes a failure.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from domain.persistence import migrate
from domain.persistence.db import Database, sync_url
from domain.core.settings import Settings
from tests.support import servers
from tests.support.apps import asgi_client, running_app
from tests.support.system import require_system_part

PG_ENV = "PIETERPOST_TEST_DATABASE_URL"


def _create_pg_database(base_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(sync_url(base_url))
    name = f"pp_test_{uuid.uuid4().hex[:12]}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(base_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(sync_url(base_url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_url(tmp: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp / 'pieterpost.db'}"


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    require_system_part("PostgreSQL", bool(base), f"set {PG_ENV} to a PostgreSQL URL to run this test")
    assert base
    url, name = _create_pg_database(base)
    migrate.upgrade(url)
    yield url
    _drop_pg_database(base, name)


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _sqlite_url(tmp_path_factory.mktemp("sqlite"))
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every database test runs on both backends."""
    name = "sqlite_database_url" if request.param == "sqlite" else "pg_database_url"
    return request.getfixturevalue(name)


@pytest.fixture(scope="session")
def asset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("assets")


def make_settings(database_url: str, asset_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url, "asset_dir": asset_dir, "base_url": "http://127.0.0.1:8000",
        "rate_limit_per_minute": 100_000, "rate_limit_ip_per_minute": 1_000_000, "daily_order_cap": 100_000, "run_worker": False,
        "preview_renders_per_minute": 100_000,
        "secret_key": "test-secret-key-not-for-production",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(database_url: str, asset_dir: Path) -> Settings:
    return make_settings(database_url, asset_dir)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    async with running_app(settings) as application:
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def account(db: Database) -> dict[str, str]:
    """A fresh approved account with a test key: tests isolate by account, not by database."""
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key

    async with db.transaction() as session:
        acct = await create_account(session, f"user-{uuid.uuid4().hex[:10]}@example.com", approve=True)
        test_key = await create_key(session, acct.id, "test", "tests")
        live_key = await create_key(session, acct.id, "live", "tests live")
    return {"id": acct.id, "email": acct.email, "test_key": test_key.secret, "live_key": live_key.secret}


def auth(secret: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **extra}


__all__ = ["auth", "make_settings", "require_system_part", "servers"]
