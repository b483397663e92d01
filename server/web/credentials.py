"""Email + password checks behind every sign-in and sign-up form (OAuth pages and the site).

One place for the rules: throttling before any password is checked (``oauth.throttle``),
Argon2 off the event loop, the same answer for an unknown email and a wrong password, the
length policy for new passwords, and a test wallet for each new account.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import anyio.to_thread

from domain.core.errors import DomainError
from domain.use_cases import accounts
from domain.use_cases.system import Database
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
    account = await accounts.sign_in_record(db, email)
    # Argon2 is deliberately slow: keep it off the event loop.
    ok = await anyio.to_thread.run_sync(check_password, password, account.password_hash if account else None)
    if account is None or not ok or not account.active:
        return Outcome(None, "That email and password do not match an account.", 401)
    return Outcome(account.account_id)


async def _sign_up(db: Database, email: str, password: str) -> Outcome:
    problem = password_problem(password)
    if problem:
        return Outcome(None, problem, 400)
    password_hash = await anyio.to_thread.run_sync(hash_password, password)
    try:
        return Outcome(await accounts.sign_up(db, email, password_hash))
    except DomainError as exc:  # invalid email, or the account exists
        return Outcome(None, exc.message, 400)
