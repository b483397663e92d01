"""Who is calling: every domain service takes a ``Caller`` instead of web or MCP objects."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["test", "live"]
Channel = Literal["api", "mcp", "web"]


@dataclass(frozen=True)
class Caller:
    account_id: str
    mode: Mode
    api_key_id: str | None = None
    channel: Channel = "api"
    grant_id: str | None = None  # the OAuth grant (MCP connection) an MCP call acts for

    @property
    def test_mode(self) -> bool:
        return self.mode == "test"
