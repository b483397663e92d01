"""Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25).

A ``client_id`` that is an https URL names a JSON document the client publishes about itself.
We fetch it through the service's SSRF-safe fetcher (public addresses only, re-checked on
redirects, size and time capped), accept it only if it names itself as ``client_id``, and
cache it in the database per its HTTP cache headers so every process shares one copy.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from domain.adapters.http.netfetch import FetchLimits, open_public_url
from domain.persistence.db import Database
from domain.core.json_text import loads_untrusted
from oauth.clients import Client, client_name_problem, narrow_scope, redirect_uri_problem
from oauth.hashing import token_hash
from oauth.models import OAuthCimdDocument

log = logging.getLogger(__name__)

MAX_BYTES = 16 * 1024  # the draft suggests ASes cap documents at a few kilobytes
DEFAULT_TTL = timedelta(minutes=5)
MAX_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class Download:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


Fetcher = Callable[[str], Awaitable[Download]]


def netfetch_fetcher(**options: Any) -> Fetcher:
    """CIMD downloads through ``domain.adapters.http.netfetch`` (public addresses only, pinned connection).

    Draft §4: no redirects are followed; small documents, short timeouts. ``options`` go to
    ``open_public_url`` (tests pass a resolver, dialer and TLS context).
    """
    limits = FetchLimits(max_bytes=MAX_BYTES, max_redirects=0, connect_timeout=5.0, read_timeout=5.0,
                         total_timeout=10.0)

    async def fetch(url: str) -> Download:
        async with open_public_url(url, field="client_id", limits=limits, **options) as got:
            body = b"".join([chunk async for chunk in got.chunks])
            return Download(200, got.headers, body)

    return fetch


def is_cimd_url(client_id: str) -> bool:
    """Draft §3: https, a path, no fragment, no credentials, no dot segments."""
    if not client_id.startswith("https://"):
        return False
    parts = urlsplit(client_id)
    segments = parts.path.split("/")
    return bool(parts.hostname) and parts.path not in ("", "/") and not parts.fragment \
        and not parts.username and not parts.password and "." not in segments and ".." not in segments


def client_from_document(url: str, doc: Any) -> Client | None:
    """The client a document describes, or None when it fails the draft's rules."""
    if not isinstance(doc, dict) or doc.get("client_id") != url:
        return None  # must name itself exactly
    if "client_secret" in doc or "client_secret_expires_at" in doc:
        return None  # a public document cannot carry a shared secret
    if doc.get("token_endpoint_auth_method", "none") != "none":
        return None  # private_key_jwt is not supported here
    uris = doc.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and not redirect_uri_problem(u)
                                                         for u in uris):
        return None
    if client_name_problem(doc.get("client_name")):
        return None
    name = doc.get("client_name")
    scope = doc.get("scope") if isinstance(doc.get("scope"), str) else None
    return Client(client_id=url, auth_method="none", redirect_uris=list(uris), scope=narrow_scope(scope),
                  client_name=name, metadata=doc, is_cimd=True)


def cache_ttl(headers: dict[str, str], now: datetime) -> timedelta:
    """How long HTTP caching rules let us keep the document (RFC 9111 §4.2.1), capped."""
    control = headers.get("cache-control", "").lower()
    if "no-store" in control or "no-cache" in control:
        return timedelta(0)
    match = re.search(r"(?:^|[,\s])max-age\s*=\s*(\d+)", control)
    if match:
        return min(timedelta(seconds=int(match.group(1))), MAX_TTL)
    if "expires" in headers:
        try:
            expires = parsedate_to_datetime(headers["expires"])
            return max(timedelta(0), min(expires - now, MAX_TTL))
        except (TypeError, ValueError):
            return timedelta(0)  # RFC 9111 §5.3: an invalid Expires means already expired
    return DEFAULT_TTL


class CimdResolver:
    def __init__(self, db: Database, fetch: Fetcher | None, now: Callable[[], datetime]) -> None:
        self.db = db
        self.fetch = fetch
        self.now = now

    async def get(self, url: str) -> Client | None:
        if not is_cimd_url(url) or self.fetch is None:
            return None
        now = self.now()
        key = token_hash(url)
        async with self.db.read() as s:
            row = await s.get(OAuthCimdDocument, key)
            if row is not None and row.expires_at > now:
                return client_from_document(url, row.document)
        doc, ttl = await self._download(url, now)
        if doc is None:
            return None
        client = client_from_document(url, doc)
        if client is not None and ttl > timedelta(0):
            try:
                async with self.db.transaction() as s:
                    await s.execute(delete(OAuthCimdDocument).where(OAuthCimdDocument.url_hash == key))
                    s.add(OAuthCimdDocument(url_hash=key, url=url, document=doc, fetched_at=now, expires_at=now + ttl))
            except IntegrityError:
                pass  # another process cached the same document at the same moment
        return client

    async def _download(self, url: str, now: datetime) -> tuple[Any, timedelta]:
        try:
            fetched = await self.fetch(url)  # type: ignore[misc]
        except Exception as exc:  # a client we cannot fetch is an unknown client, never a 500
            log.info("client metadata document fetch failed: %s (%s)", url, type(exc).__name__)
            return None, timedelta(0)
        media_type = fetched.headers.get("content-type", "").split(";")[0].strip().lower()
        if fetched.status != 200 or len(fetched.body) > MAX_BYTES or not (
                media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))):
            return None, timedelta(0)  # draft §4: anything but a 200 JSON answer is an error
        try:
            doc = loads_untrusted(fetched.body)
        except ValueError:
            return None, timedelta(0)
        return doc, cache_ttl(fetched.headers, now)
