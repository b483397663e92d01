"""Without PIETERPOST_SECRET_KEY the service generates one secret, keeps it, and reuses it."""
from __future__ import annotations

import stat
from pathlib import Path

from domain.core.settings import Settings
from server.secret import secret_file, with_secret_key


def test_generated_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(asset_dir=tmp_path / "var" / "assets", secret_key="")
    first = with_secret_key(settings)
    assert len(first.secret_key) >= 32 and settings.secret_key == ""
    path = secret_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert with_secret_key(settings).secret_key == first.secret_key  # a second process reads the same


def test_configured_key_wins(tmp_path: Path) -> None:
    settings = Settings(asset_dir=tmp_path / "assets", secret_key="configured-secret-value-0123456789")
    assert with_secret_key(settings) is settings
    assert not secret_file(settings).exists()
