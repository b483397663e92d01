"""Email + password checks behind every sign-in and sign-up form (OAuth pages and the site).

One place for the rules: throttling before any password is checked (``oauth.throttle``),
Argon2 off the event loop, the same answer for an unknown email and a wrong password, the
length policy for new passwords, and a test wallet for each new account.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import anyio.to_thread

from domain.accounts.accounts import create_account, get_account_by_email
from domain.persistence.db import Database
from domain.core.errors import DomainError
from oauth import throttle
from oauth.passwords import check_password, hash_password, password_problem

Kind = Literal["login", "signup"]


@dataclass(frozen=True)
class Outcome:
    account_id: str | None
    problem: str = ""
    status: int = 200
    retry_after: int | None = None  # seconds, when throttled


async def attempt(db: Database, kind: Kind, email: str, password: str, address: str | None) -> Outcome:
    """Sign in or sign up; a failure is counted towards the throttle."""
    wait = await throttle.retry_after(db, email, address)
    if wait is not None:
        return Outcome(None, f"Too many attempts. Try again in {wait // 60 + 1} minutes.", 429, wait)
    outcome = await (_sign_in(db, email, password) if kind == "login" else _sign_up(db, email, password))
    if outcome.account_id is None:
        await throttle.record_failure(db, email, address)
    return outcome


async def _sign_in(db: Database, email: str, password: str) -> Outcome:
    async with db.read() as s:
        account = await get_account_by_email(s, email) if email else None
    # Argon2 is deliberately slow: keep it off the event loop.
    ok = await anyio.to_thread.run_sync(check_password, password, account.password_hash if account else None)
    if account is None or not ok or account.status != "active":
        return Outcome(None, "That email and password do not match an account.", 401)
    return Outcome(account.id)


async def _sign_up(db: Database, email: str, password: str) -> Outcome:
    problem = password_problem(password)
    if problem:
        return Outcome(None, problem, 400)
    password_hash = await anyio.to_thread.run_sync(hash_password, password)
    try:
        async with db.transaction() as s:
            account = await create_account(s, email, password_hash=password_hash)
            return Outcome(account.id)
    except DomainError as exc:  # invalid email, or the account exists
        return Outcome(None, exc.message, 400)
