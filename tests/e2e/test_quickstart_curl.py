"""The README's quick start as a curl session against a real ``pieterpost serve``."""
from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.api.payloads import DIRECT_LETTER, TOPUP
from tests.support.servers import cli_env, run_cli, running_server
from tests.support.system import require_system_part


def curl(*args: str) -> tuple[int, dict]:
    out = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=30)
    body, _, status = out.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_curl_quick_start(database_url: str, asset_dir: Path) -> None:
    require_system_part("curl", shutil.which("curl") is not None, "install curl")
    env = cli_env(database_url, asset_dir)
    email = f"quick-{uuid.uuid4().hex[:8]}@example.com"
    created = run_cli(["accounts", "create", "--email", email, "--json"], env)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["email"] == email
    made = run_cli(["keys", "create", "--email", email, "--mode", "test", "--name", "quick start", "--json"], env)
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    assert key["secret"].startswith("pp_test_") and key["mode"] == "test" and key["id"].startswith("key_")
    assert key["tokenLast4"] == key["secret"][-4:]
    bearer = f"Authorization: Bearer {key['secret']}"
    with running_server(env) as base:
        status, topup = curl("-X", "POST", f"{base}/v1/credits/topups", "-H", bearer, "-H",
                             "Content-Type: application/json", "-H", "Idempotency-Key: first-five-minutes-topup",
                             "-d", json.dumps(TOPUP))
        assert status == 200 and topup["status"] == "paid" and topup["wallet"]["balanceCents"] == 2500
        status, order = curl("-X", "POST", f"{base}/v1/orders", "-H", bearer, "-H", "Content-Type: application/json",
                             "-H", "Idempotency-Key: first-five-minutes-direct-send", "-d", json.dumps(DIRECT_LETTER))
        assert status == 200, order
        assert order["amountCents"] == 200 and order["wallet"]["balanceCents"] == 2300
        assert order["paymentReference"].startswith("wallet:")
        status, read = curl(f"{base}/v1/orders/{order['orderId']}", "-H", bearer)
        assert status == 200 and read["orderId"] == order["orderId"] and read["status"] == "fulfilled"
        status, wallet = curl(f"{base}/v1/wallet?currency=eur", "-H", bearer)
        assert status == 200 and wallet["wallet"]["balanceCents"] == 2300
        status, health = curl(f"{base}/healthz")
        assert status == 200 and health["status"] == "ok"
    topped = run_cli(["wallet", "topup", "--email", email, "--amount-cents", "1000", "--json"], env)
    assert topped.returncode == 0 and json.loads(topped.stdout)["wallet"]["balanceCents"] == 3300
