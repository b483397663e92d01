"""API accounts: one per person, with the approval flags ``get_wallet`` reports."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import new_id
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


async def account_with_wallet(session: AsyncSession, account_id: str, mode: str, currency: str) -> tuple[Account, Wallet]:
    """The account and its wallet for ``mode``/``currency`` in one statement (hot read paths)."""
    on_wallet = and_(Wallet.account_id == Account.id, Wallet.mode == mode, Wallet.currency == currency)
    row = (await session.execute(select(Account, Wallet).outerjoin(Wallet, on_wallet).where(Account.id == account_id))).first()
    if row is None:
        raise NotFound("Account not found.")
    account, wallet = row
    return account, wallet if wallet is not None else empty_wallet(account_id, mode, currency)


async def get_account_by_email(session: AsyncSession, email: str) -> Account | None:
    if "\x00" in email:  # cannot be an account's address, and PostgreSQL refuses NUL in text
        return None
    result = await session.execute(select(Account).where(func.lower(Account.email) == normalize_email(email)))
    return result.scalar_one_or_none()


def capability_flags(account: Account) -> dict[str, object]:
    """The account fields shared by ``GET /v1/wallet``, ``get_wallet`` and ``quote_order``."""
    return {
        "accountId": account.id,
        "approvalStatus": account.approval_status,
        "approvedForDirectSend": account.approved_for_direct_send,
        "creditsEnabled": account.credits_enabled,
        "hostedApiEnabled": account.hosted_api_enabled,
        "liveEnabled": account.live_enabled,
    }
