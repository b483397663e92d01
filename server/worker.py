"""The fulfillment and expiry loop: inside ``pieterpost serve`` by default, or ``pieterpost worker``.

Each round closes overdue checkouts, then leases and runs fulfillment jobs until none is
due, then sends due webhooks (``domain.webhooks``), then sleeps ``worker_poll_seconds``. Any number of these loops may run against one
database (jobs are leased, see ``domain.fulfillment.jobs``).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

from starlette.applications import Starlette

from domain.adapters.print_partner import FulfillmentProvider
from domain.assets.service import expire_assets
from domain.core import clock
from domain.core.settings import Settings
from domain.fulfillment.handoff import JOB_REFUNDING
from domain.fulfillment.inbound import poll_quiet
from domain.fulfillment.providers import adapter_named, provider_for
from domain.fulfillment.jobs import Claim, claim_next, mode_of_claim, process, retry_later
from domain.fulfillment.refunds import process_refund
from domain.orders.expiry import expire_due
from domain.requests.idempotency import purge_expired as purge_idempotency
from domain.use_cases import system
from domain.use_cases.system import Database
from domain.use_cases.webhooks import deliver_webhooks
from oauth.prune import prune as prune_oauth
from server.secret import with_secret_key

log = logging.getLogger("pieterpost.worker")

ProviderFactory = Callable[[str, Settings], FulfillmentProvider]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(asyncio.current_task())}"[:80]


def apply_clock_offset(settings: Settings) -> None:
    """Test hook (``PIETERPOST_CLOCK_OFFSET_SECONDS``): start this process's clock shifted."""
    if settings.clock_offset_seconds:
        clock.reset()
        clock.advance(timedelta(seconds=settings.clock_offset_seconds))


async def run_job(db: Database, settings: Settings, claim: Claim, providers: ProviderFactory,
                  stop: asyncio.Event | None = None) -> str:
    mode = await mode_of_claim(db, claim)
    try:
        if claim.status == JOB_REFUNDING:
            return await process_refund(db, settings, claim)
        return await process(db, settings, providers(mode, settings), claim, stop)
    except Exception as exc:  # noqa: BLE001 - a bug or outage in one job must not stop the loop
        log.exception("job %s crashed", claim.job_id)
        return await retry_later(db, settings, claim, f"internal error: {type(exc).__name__}")


HOUSEKEEPING_EVERY = 600.0  # seconds
_last_housekeeping = 0.0


async def housekeeping(db: Database) -> None:
    """Keep shared tables small: spent OAuth rows, old rate windows, idempotency past 24 h."""
    await prune_oauth(db)
    await system.prune_rate_windows(db)
    await purge_idempotency(db)


async def run_once(db: Database, settings: Settings, *, providers: ProviderFactory = provider_for,
                   me: str | None = None, stop: asyncio.Event | None = None) -> list[str]:
    """One round: expire, then run every due job (until ``stop``). Returns each job's outcome."""
    me = me or worker_id()
    outcomes: list[str] = []
    try:
        while await expire_due(db, settings):
            pass
    except Exception:  # noqa: BLE001
        log.exception("expiry sweep failed")
    try:
        await expire_assets(db, settings)  # uploads no order used within 7 days (docs/product.md § Assets)
    except Exception:  # noqa: BLE001
        log.exception("asset expiry sweep failed")
    global _last_housekeeping
    if time.monotonic() - _last_housekeeping > HOUSEKEEPING_EVERY:
        _last_housekeeping = time.monotonic()
        try:
            await housekeeping(db)
        except Exception:  # noqa: BLE001
            log.exception("housekeeping failed")
    opened: dict[str, FulfillmentProvider] = {}

    def provider(mode: str, settings: Settings) -> FulfillmentProvider:  # one per mode and round
        if mode not in opened:
            opened[mode] = providers(mode, settings)
        return opened[mode]

    try:
        while not (stop is not None and stop.is_set()) and (claim := await claim_next(db, settings, me)) is not None:
            outcomes.append(await run_job(db, settings, claim, provider, stop))
    finally:
        for adapter in opened.values():
            close = getattr(adapter, "aclose", None)
            if close is not None:
                await close()
    try:
        outcomes += await deliver_webhooks(db, settings, me)  # after fulfillment: its events go out this round
    except Exception:  # noqa: BLE001
        log.exception("webhook round failed")
    try:
        await poll_quiet(db, settings, adapter_named)  # pieces whose webhooks went quiet
    except Exception:  # noqa: BLE001
        log.exception("tracking poll failed")
    return outcomes


async def run_forever(settings: Settings, stop: asyncio.Event | None = None, *, migrate_first: bool = True) -> None:
    """``pieterpost worker``: loop until SIGTERM/SIGINT (or ``stop``)."""
    apply_clock_offset(settings)
    settings = with_secret_key(settings)  # webhook signing secrets are kept encrypted under it
    if migrate_first:
        await asyncio.to_thread(system.upgrade_schema, settings.database_url)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    db = system.open_database(settings)
    log.info("fulfillment worker started")
    try:
        await _loop(db, settings, stop)
    finally:
        await db.dispose()
    log.info("fulfillment worker stopped")


async def _loop(db: Database, settings: Settings, stop: asyncio.Event) -> None:
    me = worker_id()
    while not stop.is_set():
        try:
            await run_once(db, settings, me=me, stop=stop)
        except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and go on
            log.exception("worker round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """In-process worker for ``pieterpost serve`` when ``settings.run_worker`` (the default)."""
    settings: Settings = app.state.settings
    apply_clock_offset(settings)
    if not settings.run_worker:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_loop(app.state.db, settings, stop), name="pieterpost-worker")
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=10)
