"""server/gc_policy: once serving, start-up's objects are frozen and young collections are rarer;
0 leaves CPython's collector as it comes. Run in a child process: freezing is process-wide."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.support.servers import ROOT

PROBE = """
import gc, json, sys
from server.gc_policy import settle
before = gc.get_threshold()
settle(int(sys.argv[1]))
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def _settled(threshold: int) -> dict[str, list[int] | int]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(threshold)], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def test_settle_freezes_what_exists_and_raises_the_young_threshold() -> None:
    seen = _settled(12_345)
    assert seen["frozen"] > 1000  # the imported modules' objects, at least
    assert seen["after"] == [12_345, *seen["before"][1:]]


def test_zero_leaves_the_collector_alone() -> None:
    seen = _settled(0)
    assert seen["frozen"] == 0
    assert seen["after"] == seen["before"]


async def test_the_app_calls_on_started_once_everything_has_started(settings: object) -> None:
    from server.app import create_app

    calls: list[bool] = []
    app = create_app(settings, run_migrations=False,  # type: ignore[arg-type]
                     on_started=lambda: calls.append(app.state.db is not None))
    async with app.router.lifespan_context(app):
        assert calls == [True]
    assert calls == [True]
