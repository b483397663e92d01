"""The committed MCP App page and host bundle are what ``npm run build:mcp-app`` makes from mcp-app/src."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.servers import ROOT
from tests.support.system import require_system_part


def test_committed_build_matches_the_sources(tmp_path: Path) -> None:
    node = shutil.which("node")
    require_system_part("node", node is not None, "apt-get install nodejs npm")
    require_system_part("esbuild", (ROOT / "node_modules" / "esbuild").exists(), "run `npm ci` at the repo root")
    subprocess.run([node, str(ROOT / "mcp-app" / "build.mjs"), "--out", str(tmp_path)], check=True, cwd=ROOT,
                   capture_output=True, timeout=120)
    built = (tmp_path / "order_preview.html").read_text(encoding="utf-8")
    assert built == (ROOT / "server" / "mcp" / "apps" / "order_preview.html").read_text(encoding="utf-8"), \
        "server/mcp/apps/order_preview.html is stale: run `npm run build:mcp-app` and commit"
    assert (tmp_path / "host.js").read_bytes() == (ROOT / "tests" / "support" / "mcp_host" / "host.js").read_bytes()
    assert "PostMessageTransport" in built or "ui/initialize" in built  # the ext-apps bridge is inside
