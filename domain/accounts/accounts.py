"""API accounts: one per person, with the approval flags ``get_wallet`` reports."""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import new_id
from domain.persistence.db import Database
from domain.persistence.models import Account, Wallet
from domain.money.currency import DEFAULT_CURRENCY
from domain.money.wallets import empty_wallet, ensure_wallet


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_account(
    session: AsyncSession,
    email: str,
    *,
    password_hash: str | None = None,
    approve: bool = False,
) -> Account:
    """Create an account and its test wallet. ``approve`` also enables live mode and direct send."""
    try:  # the same syntax check as every other email field (no DNS, so offline installs agree)
        email = normalize_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise InvalidRequest(f"email must be a valid email address: {exc}", field="email") from None
    existing = await get_account_by_email(session, email)
    if existing is not None:
        raise InvalidRequest(f"An account for {email} already exists.", field="email")
    account = Account(id=new_id("acct"), email=email, password_hash=password_hash)
    if approve:
        set_approved(account)
    session.add(account)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise InvalidRequest(f"An account for {email} already exists.", field="email") from exc
    await ensure_wallet(session, account.id, "test", DEFAULT_CURRENCY)
    return account


def set_approved(account: Account) -> None:
    account.approval_status = "approved"
    account.approved_for_direct_send = True
    account.live_enabled = True


async def get_account(session: AsyncSession, account_id: str) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound("Account not found.")
    return account


_FLAG_COLUMNS = (Account.id, Account.approval_status, Account.approved_for_direct_send, Account.credits_enabled,
                 Account.hosted_api_enabled, Account.live_enabled)
_WALLET_COLUMNS = (Wallet.balance_cents, Wallet.currency, Wallet.mode, Wallet.updated_at)
# Built once: constructing and cache-keying a statement costs more than running it.
_FLAGS_AND_WALLET = (
    select(*_FLAG_COLUMNS, *_WALLET_COLUMNS)
    .outerjoin(Wallet, and_(Wallet.account_id == Account.id, Wallet.mode == bindparam("mode"),
                            Wallet.currency == bindparam("currency")))
    .where(Account.id == bindparam("account_id"))
)


async def flags_and_wallet(db: Database, account_id: str, mode: str, currency: str
                           ) -> tuple[dict[str, object], Any]:
    """The account's capability flags and its wallet in ``mode``/``currency``: one Core statement.

    The hot read paths (``get_wallet``, ``quote_order``) skip the ORM's identity map and
    instance loading (``Database.read_first``); the wallet comes back as a row with the
    attributes ``wallet_view`` reads.
    """
    row = await db.read_first(_FLAGS_AND_WALLET, {"account_id": account_id, "mode": mode, "currency": currency})
    if row is None:
        raise NotFound("Account not found.")
    wallet = row if row.balance_cents is not None else empty_wallet(account_id, mode, currency)
    return capability_flags(row), wallet


async def get_account_by_email(session: AsyncSession, email: str) -> Account | None:
    if "\x00" in email:  # cannot be an account's address, and PostgreSQL refuses NUL in text
        return None
    result = await session.execute(select(Account).where(func.lower(Account.email) == normalize_email(email)))
    return result.scalar_one_or_none()


def capability_flags(account: Any) -> dict[str, object]:
    """The account fields shared by ``GET /v1/wallet``, ``get_wallet`` and ``quote_order``."""
    return {
        "accountId": account.id,
        "approvalStatus": account.approval_status,
        "approvedForDirectSend": account.approved_for_direct_send,
        "creditsEnabled": account.credits_enabled,
        "hostedApiEnabled": account.hosted_api_enabled,
        "liveEnabled": account.live_enabled,
    }
