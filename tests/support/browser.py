"""Real Debian chromium driven by Playwright, plus axe-core accessibility checks.

Never downloads a browser: Playwright launches ``/usr/bin/chromium`` (the Debian package),
and axe-core comes from ``npm ci`` (package.json at the repo root). Tests call
``require_browser()`` / ``axe_source()`` so a missing part skips with a reason (fails in CI).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.support.servers import ROOT
from tests.support.system import require_system_part

CHROMIUM = Path(os.environ.get("PIETERPOST_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
BLOCKING = ("serious", "critical")
#: every WCAG 2.0/2.1/2.2 level A and AA rule, plus axe's best practices (landmarks, headings)
STRICT_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def require_browser() -> None:
    require_system_part("chromium", CHROMIUM.exists(), f"install the Debian chromium package ({CHROMIUM})")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        require_system_part("playwright", False, "pip install -e '.[dev]' (playwright==1.65.2)")


def axe_source() -> str:
    require_system_part("axe-core", AXE.exists(), "run `npm ci` at the repo root (node + package-lock.json)")
    return AXE.read_text(encoding="utf-8")


async def launch(playwright: Any) -> Any:
    return await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)


async def axe_violations(page: Any, source: str, name: str, *, strict: bool = True) -> list[dict[str, Any]]:
    """Run axe-core on ``page``; save the full result; return the violations that fail a test:
    with ``strict`` every WCAG A/AA and best-practice violation of any impact, else only
    serious and critical ones."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(source)
    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": STRICT_TAGS}}
    result = await page.evaluate("async (options) => await axe.run(document, options)", options)
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(result["violations"], indent=2), encoding="utf-8")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if strict or v.get("impact") in BLOCKING
    ]


async def shoot(page: Any, folder: str, name: str) -> Path:
    path = ARTIFACTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=True)
    return path
