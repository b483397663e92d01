"""``pieterpost wallet credit``: an operator's live credit with its reason, and what it refuses.

Refused (exit 2, nothing written): an unknown account, zero or negative amounts, an amount
over ``PIETERPOST_OPERATOR_CREDIT_MAX_CENTS``, a blank reason. Accepted: one ledger entry of
kind ``credit`` and one ``operator_credits`` row holding the reason and the operator's note.
"""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from domain.persistence.db import Database
from domain.persistence.mail_models import OperatorCredit
from domain.persistence.models import Wallet
from tests.support.payments import wallet_state
from tests.support.servers import cli_env, run_cli


def _credit(env: dict[str, str], email: str, cents: str, reason: str = "bank transfer INV-7") -> tuple[int, str]:
    done = run_cli(["wallet", "credit", "--email", email, "--amount-cents", cents, "--mode", "live",
                    "--reason", reason, "--note", "paid on 2026-12-01", "--json"], env)
    return done.returncode, done.stdout


async def test_wallet_credit_posts_one_ledger_entry_with_its_reason(
        database_url: str, asset_dir: Path, account: dict, db: Database) -> None:
    env = cli_env(database_url, asset_dir, PIETERPOST_OPERATOR_CREDIT_MAX_CENTS="50000")
    code, out = _credit(env, account["email"], "12500")
    assert code == 0, out
    data = json.loads(out)
    assert data["amountCents"] == 12500 and data["wallet"]["balanceCents"] == 12500
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 12500 and kinds == ["credit"]
    async with db.read() as session:
        rows = (await session.execute(select(OperatorCredit).where(OperatorCredit.account_id == account["id"])
                                      )).scalars().all()
    assert [(r.reason, r.note, r.amount_cents, r.ledger_entry_id) for r in rows] == [
        ("bank transfer INV-7", "paid on 2026-12-01", 12500, data["ledgerEntryId"])]


async def test_wallet_credit_refuses_unknown_accounts_and_bad_amounts(
        database_url: str, asset_dir: Path, account: dict, db: Database) -> None:
    env = cli_env(database_url, asset_dir, PIETERPOST_OPERATOR_CREDIT_MAX_CENTS="50000")
    cases = [("nobody-here@example.com", "1000", "bank transfer"), (account["email"], "0", "bank transfer"),
             (account["email"], "-500", "bank transfer"), (account["email"], "50001", "bank transfer"),
             (account["email"], "1000", "   ")]
    for email, cents, reason in cases:
        code, out = _credit(env, email, cents, reason)
        assert code == 2, (email, cents, out)
        assert json.loads(out)["code"] == ("not_found" if email != account["email"] else "invalid_request"), out
    async with db.read() as session:
        assert (await session.execute(select(OperatorCredit).where(OperatorCredit.account_id == account["id"])
                                      )).first() is None
        live = (await session.execute(select(Wallet).where(Wallet.account_id == account["id"],
                                                           Wallet.mode == "live"))).first()
    assert live is None  # refused before any wallet or ledger row was written
