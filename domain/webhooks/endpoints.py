"""Webhook endpoints of one account and mode: create (secret shown once), read, change, delete,
rotate the secret (the old one keeps signing for 24 h beside the new one).

A test key manages test endpoints, which receive test events only; live likewise. Another
account's endpoint, or one of the other mode, is ``not_found``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.context import Caller
from domain.core.errors import InvalidRequest, LimitExceeded, NotFound
from domain.core.ids import get_by_id, new_id
from domain.core.settings import Settings
from domain.events.catalogue import SUBSCRIBABLE
from domain.persistence.webhook_models import WebhookDelivery, WebhookEndpoint
from domain.webhooks.secrets import new_secret, seal, unseal
from domain.webhooks.urls import check_endpoint_url

ROTATION_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS = 16  # per account and mode
MAX_DESCRIPTION = 500
ALL = "*"


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def parse_events(value: object, field: str = "enabledEvents") -> list[str]:
    if not isinstance(value, list) or not value:
        raise InvalidRequest(f'{field} must be a non-empty list of event types, or ["*"] for all.', field=field)
    names: list[str] = []
    for position, name in enumerate(value):
        if not isinstance(name, str) or (name != ALL and name not in SUBSCRIBABLE):
            raise InvalidRequest(f"{field}[{position}]: unknown event type {name!r}; see GET /v1/openapi.json or "
                                 "docs/webhooks.md for the catalogue.", field=field)
        if name not in names:
            names.append(name)
    return [ALL] if ALL in names else names


def _description(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise InvalidRequest(f"description must be text of at most {MAX_DESCRIPTION} characters.",
                             field="description")
    return value.strip()


def _reject_unknown(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidRequest(f"Unknown field {unknown[0]!r}.", field=unknown[0])


async def create_endpoint(session: AsyncSession, caller: Caller, body: dict[str, Any],
                          settings: Settings) -> CreatedEndpoint:
    _reject_unknown(body, {"url", "enabledEvents", "description"})
    url = check_endpoint_url(body.get("url"), caller.mode, settings)
    events = parse_events(body.get("enabledEvents", [ALL]))
    description = _description(body.get("description"))
    count = await session.scalar(select(func.count()).select_from(WebhookEndpoint).where(
        WebhookEndpoint.account_id == caller.account_id, WebhookEndpoint.mode == caller.mode,
        WebhookEndpoint.status != "deleted"))
    if (count or 0) >= MAX_ENDPOINTS:
        raise LimitExceeded(f"At most {MAX_ENDPOINTS} webhook endpoints per mode.")
    secret = new_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(id=new_id("we"), account_id=caller.account_id, mode=caller.mode, url=url,
                               description=description, enabled_events=events, status="enabled",
                               secret_box=seal(secret, settings), created_at=now, updated_at=now)
    session.add(endpoint)
    await session.flush()
    return CreatedEndpoint(endpoint, secret)


async def get_endpoint(session: AsyncSession, caller: Caller, endpoint_id: object, *,
                       lock: bool = False) -> WebhookEndpoint:
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    row = await get_by_id(session, WebhookEndpoint, endpoint_id, **options)
    if row is None or row.account_id != caller.account_id or row.mode != caller.mode or row.status == "deleted":
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return row


async def list_endpoints(session: AsyncSession, caller: Caller) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.account_id == caller.account_id, WebhookEndpoint.mode == caller.mode,
        WebhookEndpoint.status != "deleted").order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
    return list((await session.execute(stmt)).scalars())


async def update_endpoint(session: AsyncSession, caller: Caller, endpoint_id: str, body: dict[str, Any],
                          settings: Settings) -> WebhookEndpoint:
    _reject_unknown(body, {"url", "enabledEvents", "description", "enabled"})
    endpoint = await get_endpoint(session, caller, endpoint_id, lock=True)
    if "url" in body:
        endpoint.url = check_endpoint_url(body["url"], caller.mode, settings)
    if "enabledEvents" in body:
        endpoint.enabled_events = parse_events(body["enabledEvents"])
    if "description" in body:
        endpoint.description = _description(body["description"])
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise InvalidRequest("enabled must be true or false.", field="enabled")
        endpoint.status = "enabled" if body["enabled"] else "disabled"
        endpoint.disabled_reason = None if body["enabled"] else "disabled by you"
    endpoint.updated_at = utcnow()
    return endpoint


async def delete_endpoint(session: AsyncSession, caller: Caller, endpoint_id: str) -> WebhookEndpoint:
    """Gone for the API; its pending deliveries are cancelled in the same transaction."""
    endpoint = await get_endpoint(session, caller, endpoint_id, lock=True)
    now = utcnow()
    endpoint.status, endpoint.updated_at = "deleted", now
    endpoint.secret_box, endpoint.previous_secret_box = "", None  # nothing left to sign with
    await session.execute(update(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
        .values(status="cancelled", updated_at=now, leased_until=None, leased_by=None))
    return endpoint


async def rotate_secret(session: AsyncSession, caller: Caller, endpoint_id: str,
                        settings: Settings) -> CreatedEndpoint:
    endpoint = await get_endpoint(session, caller, endpoint_id, lock=True)
    secret = new_secret()
    now = utcnow()
    endpoint.previous_secret_box = endpoint.secret_box
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret_box = seal(secret, settings)
    endpoint.updated_at = now
    return CreatedEndpoint(endpoint, secret)


def signing_secrets(endpoint: WebhookEndpoint, settings: Settings) -> list[str]:
    """The current secret, plus the previous one while its 24 h overlap lasts."""
    found = [unseal(endpoint.secret_box, settings)]
    if endpoint.previous_secret_box and endpoint.previous_secret_expires_at \
            and endpoint.previous_secret_expires_at > utcnow():
        found.append(unseal(endpoint.previous_secret_box, settings))
    return found


def subscribed(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return ALL in endpoint.enabled_events or event_type in endpoint.enabled_events


def endpoint_view(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "enabledEvents": list(endpoint.enabled_events),
        "enabled": endpoint.status == "enabled",
        "status": endpoint.status,
        "disabledReason": endpoint.disabled_reason,
        "mode": endpoint.mode,
        "testMode": endpoint.mode == "test",
        "previousSecretExpiresAt": iso(endpoint.previous_secret_expires_at)
        if endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > utcnow() else None,
        "createdAt": iso(endpoint.created_at),
        "updatedAt": iso(endpoint.updated_at),
    }
    if secret is not None:
        view["secret"] = secret
    return view
