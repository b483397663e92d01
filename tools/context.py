"""What a tool adapter gets besides its arguments: the database, settings and who is calling.

Built by the MCP edge from the verified OAuth grant. Domain calls take a ``Caller`` made here,
acting through the account's internal MCP key for the chosen mode, never one of its public keys.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from domain.core.context import Caller
from domain.core.errors import InvalidRequest
from domain.core.settings import Settings
from domain.use_cases import keys
from domain.use_cases.system import Database

MODES = ("test", "live")
# (account_id, mode) -> internal key id. Internal keys are never revoked or replaced, so this
# cache holds facts, not state: every process would compute the same value.
_INTERNAL_KEYS: dict[tuple[str, str], str] = {}
_INTERNAL_KEYS_MAX = 10_000


def mode_of(arguments: dict[str, Any]) -> str:
    """Writable tools default to test mode; live needs ``mode: "live"`` on every call."""
    mode = arguments.get("mode", "test")
    if mode not in MODES:
        raise InvalidRequest('mode must be "test" or "live"', field="mode")
    return mode


@dataclass(frozen=True)
class ToolEnv:
    db: Database
    settings: Settings
    account_id: str
    client_id: str | None = None
    grant_id: str | None = None
    client_ip: str | None = None
    # Sources owned by other layers, handed in by the edge (tools imports neither oauth nor server):
    docs: tuple[Any, ...] = ()  # tools.docs.Section items of the MCP reference
    list_connections: Callable[[], Awaitable[list[dict[str, Any]]]] | None = None

    async def caller(self, mode: str) -> Caller:
        """The domain caller for this user in ``mode``, acting through the internal MCP key."""
        key_id = _INTERNAL_KEYS.get((self.account_id, mode))
        if key_id is None:
            key_id = await keys.internal_key_id(self.db, self.account_id, mode)
            if len(_INTERNAL_KEYS) >= _INTERNAL_KEYS_MAX:
                _INTERNAL_KEYS.clear()
            _INTERNAL_KEYS[(self.account_id, mode)] = key_id
        return Caller(account_id=self.account_id, mode=mode, api_key_id=key_id, channel="mcp",
                      grant_id=self.grant_id)
