"""The image build leaves local state out: ``./var/`` holds the secret key and the database."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dockerignore_excludes_local_state_and_environments() -> None:
    lines = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    for needed in ("var", ".venv", "node_modules", "test-artifacts"):
        assert needed in lines, needed
    assert not any(line.startswith("!") for line in lines)  # nothing re-included


def test_dockerfile_runs_unprivileged_and_keeps_state_in_a_volume() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "\nUSER " in text and "VOLUME /data" in text and "/healthz" in text
