"""Skip-or-fail for tests that need a system part (PostgreSQL, chromium, pdftotext)."""
from __future__ import annotations

import os

import pytest

STRICT_ENV = "PIETERPOST_CI_STRICT"


def strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false")


def require_system_part(name: str, available: bool, reason: str) -> None:
    """Skip with ``reason`` when ``name`` is missing; under CI strict mode fail instead."""
    if available:
        return
    message = f"{name} not available: {reason}"
    if strict():
        pytest.fail(f"{message} ({STRICT_ENV}=1 makes this a failure)")
    pytest.skip(message)
