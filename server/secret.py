"""The signing secret: ``PIETERPOST_SECRET_KEY``, or one generated once and kept beside the data.

CSRF tokens, payer cancel links and the shown-once key cookie are all keyed from it, so an empty
key would make them forgeable. On the embedded default the first start writes 256 random bits to
``<asset dir>/../secret_key`` (mode 0600) and every later start and process on that machine reads
the same file. Several hosts must share ``PIETERPOST_SECRET_KEY`` instead.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from domain.core.settings import Settings

log = logging.getLogger("pieterpost")


def secret_file(settings: Settings) -> Path:
    return Path(settings.asset_dir).resolve().parent / "secret_key"


def with_secret_key(settings: Settings) -> Settings:
    if settings.secret_key:
        return settings
    path = secret_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
    else:
        key = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        log.warning("PIETERPOST_SECRET_KEY is not set; generated one in %s", path)
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable secret; delete it or set PIETERPOST_SECRET_KEY")
    return settings.model_copy(update={"secret_key": key})
