"""Compose links: a secure draft URL the person opens to review, edit and pay.

The token carries 256 bits of randomness, is stored only as SHA-256, serves one draft and
expires after 7 days.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.context import Caller
from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import new_id
from domain.persistence.models import ComposeLink
from domain.orders.fields import EXTERNAL_ID_MAX, LOCALES, parse_metadata
from domain.orders.recipients import parse_recipient
from domain.core.settings import Settings

TTL = timedelta(days=7)
MAX_MESSAGE = 6000
_FIELDS = {"recipient", "message", "locale", "externalId", "metadata"}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_compose_link(session: AsyncSession, caller: Caller, body: dict[str, Any],
                              settings: Settings) -> dict[str, Any]:
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise InvalidRequest(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    recipient = parse_recipient(body.get("recipient"), "recipient")
    message = body.get("message") or ""
    if not isinstance(message, str):
        raise InvalidRequest("message must be a string.", field="message")
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise InvalidRequest(f"message is {len(message)} characters; the limit is {MAX_MESSAGE}.", field="message")
    locale = body.get("locale") or "en"
    if locale not in LOCALES:
        raise InvalidRequest(f"locale must be one of {', '.join(LOCALES)}.", field="locale")
    external_id = body.get("externalId")
    if external_id is not None and (not isinstance(external_id, str) or len(external_id) > EXTERNAL_ID_MAX):
        raise InvalidRequest(f"externalId must be a string of at most {EXTERNAL_ID_MAX} characters.",
                             field="externalId")
    token = secrets.token_urlsafe(32)
    link = ComposeLink(
        id=new_id("cl"), account_id=caller.account_id, mode=caller.mode, token_hash=_hash(token),
        recipient=recipient.to_payload(), message=message, locale=locale, external_id=external_id,
        metadata_=parse_metadata(body.get("metadata"), "metadata"), expires_at=utcnow() + TTL,
    )
    session.add(link)
    await session.flush()
    return {
        "expiresAt": iso(link.expires_at),
        "id": link.id,
        "mode": "compose_link",
        "testMode": caller.mode == "test",
        "url": f"{settings.base_url}/{locale}/?draft={token}",
    }


async def open_draft(session: AsyncSession, token: str) -> ComposeLink:
    """The one draft this token opens; unknown, expired or used tokens are all just not found."""
    link = (await session.execute(select(ComposeLink).where(ComposeLink.token_hash == _hash(token))))\
        .scalar_one_or_none()
    if link is None or link.expires_at < utcnow():
        raise NotFound("This compose link is unknown or has expired.")
    return link
