"""API keys: ``pp_test_``/``pp_live_`` + 43 url-safe random chars, stored as SHA-256 only.

A random 256-bit secret needs no slow hash: SHA-256 of it cannot be brute-forced, and the
lookup by hash is one indexed query. The compare after lookup is constant-time anyway.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.context import Caller, Mode
from domain.core.errors import AuthError, ErrorCode, InvalidRequest, NotFound
from domain.core.ids import get_by_id, new_id
from domain.persistence.models import Account, ApiKey
from domain.requests.credential_cache import revoked

PREFIXES: dict[str, Mode] = {"pp_test_": "test", "pp_live_": "live"}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def mode_of_secret(secret: str) -> Mode | None:
    for prefix, mode in PREFIXES.items():
        if secret.startswith(prefix):
            return mode
    return None


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str


async def create_key(
    session: AsyncSession, account_id: str, mode: str, name: str | None = None, *, internal: bool = False
) -> CreatedKey:
    if mode not in ("test", "live"):
        raise InvalidRequest('mode must be "test" or "live".', field="mode")
    name = (name or f"{mode} key").strip()
    if not name or len(name) > 120:
        raise InvalidRequest("name must be 1 to 120 characters.", field="name")
    secret = f"pp_{mode}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        id=new_id("key"),
        account_id=account_id,
        name=name,
        mode=mode,
        token_hash=hash_secret(secret),
        token_last4=secret[-4:],
        internal=internal,
    )
    session.add(key)
    await session.flush()
    return CreatedKey(key=key, secret=secret)


async def authenticate(session: AsyncSession, secret: str | None) -> tuple[Caller, Account, ApiKey]:
    """Resolve a bearer secret to its caller (one joined read); raises the seed's auth codes.

    Writes nothing: last use is noted by the caller (``domain.requests.last_used``)."""
    digest = digest_of(secret)
    row = (await session.execute(
        select(ApiKey, Account).join(Account, Account.id == ApiKey.account_id).where(ApiKey.token_hash == digest)
    )).first()
    key, account = (row[0], row[1]) if row is not None else (None, None)
    if key is None or not hmac.compare_digest(key.token_hash, digest) or key.internal:
        raise AuthError("This API key is not valid.", code=ErrorCode.INVALID_API_KEY)
    if key.status != "active":
        raise AuthError(f"This API key is {key.status}.", code=ErrorCode.API_KEY_INACTIVE)
    if account is None or account.status != "active":
        raise AuthError("This API account is not active.", code=ErrorCode.ACCOUNT_INACTIVE)
    # A live key of an account awaiting approval still authenticates: it reads its wallet, orders and
    # approval status, and every live send is refused by the order gates (live_order_cap_reached).
    mode = mode_of_secret(secret or "")
    assert mode is not None
    return Caller(account_id=account.id, mode=mode, api_key_id=key.id, channel="api"), account, key


def digest_of(secret: str | None) -> str:
    """The stored hash of a well-formed secret; missing or malformed secrets are refused here."""
    if not secret:
        raise AuthError("Send your API key as 'Authorization: Bearer pp_test_…'.", code=ErrorCode.MISSING_API_KEY)
    if mode_of_secret(secret) is None:
        raise AuthError("API keys start with pp_test_ or pp_live_.", code=ErrorCode.INVALID_API_KEY)
    return hash_secret(secret)


def key_tags(key_id: str, account_id: str) -> tuple[str, str]:
    """What a revocation of this key (or its account) is announced as (``credential_cache``)."""
    return f"key:{key_id}", f"account:{account_id}"


async def internal_key(session: AsyncSession, account_id: str, mode: str) -> ApiKey:
    """The MCP action key of an account (created on first use, never shown)."""
    stmt = select(ApiKey).where(ApiKey.account_id == account_id, ApiKey.mode == mode, ApiKey.internal.is_(True))
    key = (await session.execute(stmt)).scalars().first()
    if key is None:
        key = (await create_key(session, account_id, mode, f"MCP {mode} action key", internal=True)).key
    return key


async def list_keys(session: AsyncSession, account_id: str) -> list[ApiKey]:
    stmt = (
        select(ApiKey)
        .where(ApiKey.account_id == account_id, ApiKey.internal.is_(False))
        .order_by(ApiKey.created_at.desc(), ApiKey.id)
    )
    return list((await session.execute(stmt)).scalars())


async def revoke_key(session: AsyncSession, account_id: str, key_id: str) -> ApiKey:
    key = await get_by_id(session, ApiKey, key_id)
    if key is None or key.account_id != account_id or key.internal:
        raise NotFound(f"No API key {key_id}.")
    if key.status != "revoked":
        key.status = "revoked"
        key.revoked_at = utcnow()
        await revoked(session, *key_tags(key.id, key.account_id)[:1])
    return key


def key_view(key: ApiKey) -> dict[str, object]:
    return {
        "createdAt": iso(key.created_at),
        "id": key.id,
        "lastUsedAt": iso(key.last_used_at),
        "mode": key.mode,
        "name": key.name,
        "revokedAt": iso(key.revoked_at),
        "status": key.status,
        "tokenLast4": key.token_last4,
    }
