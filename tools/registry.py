"""The 21 tools: definitions from ``schemas/tools.json`` joined to their adapter functions.

``call`` is the single path a tools/call takes: validate arguments against the input schema,
run the adapter, check the result against the output schema, and shape success or failure
(tools/results.py). Domain errors become ``isError`` results with their code; nothing raises
out of here except for an unknown tool name, which the edge turns into a JSON-RPC error.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from domain.core.errors import DomainError, ErrorCode
from schemas import accepting_schema, load_tools
from tools import assets, compose, keys, mailbook, orders, results, search, wallet
from tools.context import ToolEnv
from tools.validation import ArgumentValidator

logger = logging.getLogger(__name__)

Adapter = Callable[[ToolEnv, dict[str, Any]], Awaitable[dict[str, Any] | results.WithContent]]


class UnknownTool(LookupError):
    pass


@dataclass(frozen=True)
class Tool:
    name: str
    definition: dict[str, Any]
    adapter: Adapter
    arguments: ArgumentValidator
    output: ArgumentValidator


def _adapters() -> dict[str, Adapter]:
    found: dict[str, Adapter] = {}
    for module in (search, mailbook, compose, orders, assets, wallet, keys):
        for name, fn in module.TOOLS.items():
            assert name not in found, f"tool {name} registered twice"
            found[name] = fn
    return found


@lru_cache(maxsize=1)
def registry() -> dict[str, Tool]:
    adapters = _adapters()
    definitions = {d["name"]: d for d in load_tools()}
    if set(adapters) != set(definitions):
        raise RuntimeError(f"tools without adapter or schema: {sorted(set(adapters) ^ set(definitions))}")
    return {
        name: Tool(
            name=name,
            definition=definition,
            adapter=adapters[name],
            arguments=ArgumentValidator(accepting_schema(definition["inputSchema"])),
            output=ArgumentValidator(definition["outputSchema"]),
        )
        for name, definition in definitions.items()
    }


def list_tools() -> list[dict[str, Any]]:
    """tools/list payload, in contract order."""
    return [dict(d) for d in load_tools()]


async def call(env: ToolEnv, name: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
    tool = registry().get(name)
    if tool is None:
        raise UnknownTool(name)
    args = dict(arguments or {})
    try:
        tool.arguments.check(args)
        returned = await tool.adapter(env, args)
    except DomainError as err:
        return results.failure(err.code.value, err.message, err.details)
    except Exception:
        logger.exception("tool %s failed", name)
        return results.failure(ErrorCode.UNKNOWN_ERROR.value, "The tool failed unexpectedly.")
    extra: tuple[dict[str, Any], ...] = ()
    if isinstance(returned, results.WithContent):
        structured, extra = returned.structured, returned.extra
    else:
        structured = returned
    problems = tool.output.errors(structured)
    if problems:
        logger.error("tool %s returned data outside its output schema: %s", name, problems[:5])
        return results.failure(ErrorCode.UNKNOWN_ERROR.value, "The tool produced an invalid result.")
    return results.success(structured, extra)
