"""search / fetch in the ChatGPT connector shape (docs/product.md § MCP server).

search -> ``{"results": [{"id", "title", "url"}]}``; fetch -> ``{"id", "title", "text", "url",
"metadata"}``. Both index the MCP reference (docs sections) and the caller's own account objects:
account summary, wallets, orders, top-ups, API key metadata (never secrets), Mailbook contacts and
connected MCP clients. Every ``url`` is non-empty. Ids carry their kind (``order:…``) so fetch
loads the object directly and checks ownership through the same domain calls as the other tools.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from domain.core.errors import DomainError, InvalidRequest, NotFound
from domain.money.currency import CURRENCIES
from domain.use_cases import commands, contacts, keys
from tools.context import ToolEnv

MAX_RESULTS = 10
ACCOUNT_SCAN = 50  # newest orders / top-ups / contacts looked at per search
DASHBOARD_PATH = "/api/dashboard"  # the web dashboard's pages (server/web/dashboard)


@dataclass
class Doc:
    id: str
    title: str
    url: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def fetched(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "text": self.text, "url": self.url, "metadata": self.metadata}


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False)


def _docs(env: ToolEnv) -> list[Doc]:
    base = env.settings.base_url
    return [
        Doc(f"docs:{s.slug}", f"PieterPost MCP docs: {s.title}", f"{base}/api/docs/mcp#{s.slug}", s.text,
            {"type": "docs"})
        for s in env.docs if s.text
    ]


def _order_doc(env: ToolEnv, order: dict[str, Any]) -> Doc:
    kind = "Postcard" if order.get("requestType") == "postcard" else "Letter"
    mode = "test" if order.get("testMode") else "live"
    title = f"{kind} order {order['orderId']} ({order.get('status')}, {mode})"
    return Doc(f"order:{order['orderId']}", title, f"{env.settings.base_url}{DASHBOARD_PATH}/orders/{order['orderId']}",
               _json(order), {"type": "order", "status": order.get("status"), "mode": mode})


def _topup_doc(env: ToolEnv, topup: dict[str, Any]) -> Doc:
    mode = "test" if topup.get("testMode") else "live"
    title = f"Wallet top-up {topup['topupId']} of {topup['amountCents']} {topup['currency']} cents ({topup['status']}, {mode})"
    return Doc(f"topup:{topup['topupId']}", title, f"{env.settings.base_url}{DASHBOARD_PATH}/wallet",
               _json(topup), {"type": "topup", "status": topup["status"], "mode": mode})


def _wallet_doc(env: ToolEnv, mode: str, view: dict[str, Any]) -> Doc:
    wallet = view["wallet"]
    title = f"{mode.capitalize()} wallet ({wallet['currency'].upper()}): {wallet['balanceCents']} cents"
    return Doc(f"wallet:{mode}:{wallet['currency']}", title,
               f"{env.settings.base_url}{DASHBOARD_PATH}/wallet", _json(view),
               {"type": "wallet", "mode": mode})


def _key_doc(env: ToolEnv, key: dict[str, Any]) -> Doc:
    title = f"API key {key['name']} ({key['mode']}, {key['status']}, …{key['tokenLast4']})"
    return Doc(f"key:{key['id']}", title, f"{env.settings.base_url}{DASHBOARD_PATH}/keys", _json(key),
               {"type": "api_key", "status": key["status"]})


def _contact_doc(env: ToolEnv, contact: dict[str, Any]) -> Doc:
    title = f"Mailbook contact {contact['displayName']} ({contact['city']}, {contact['country']})"
    return Doc(f"contact:{contact['id']}", title, f"{env.settings.base_url}{DASHBOARD_PATH}",
               _json(contact), {"type": "contact"})


def _connection_doc(env: ToolEnv, conn: dict[str, Any]) -> Doc:
    title = f"Connected MCP client {conn.get('clientName') or conn.get('clientId')}"
    return Doc(f"connection:{conn.get('grantId')}", title, f"{env.settings.base_url}{DASHBOARD_PATH}/mcp",
               _json(conn), {"type": "mcp_connection"})


async def _wallet_views(env: ToolEnv) -> list[Doc]:
    out = []
    for mode in ("test", "live"):
        caller = await env.caller(mode)
        for currency in CURRENCIES:
            out.append(_wallet_doc(env, mode, await commands.get_wallet(env.db, caller, currency)))
    return out


async def _account_docs(env: ToolEnv) -> list[Doc]:
    caller = await env.caller("test")
    wallets = await _wallet_views(env)
    orders = (await commands.list_orders(env.db, env.settings, caller, limit=ACCOUNT_SCAN))["data"]
    topups = (await commands.list_topups(env.db, caller, limit=ACCOUNT_SCAN))["data"]
    api_keys = await keys.list_keys(env.db, env.account_id)
    people = await contacts.search(env.db, env.account_id, None, ACCOUNT_SCAN)
    connections = await env.list_connections() if env.list_connections else []
    flags = {k: v for k, v in json.loads(wallets[0].text).items() if k != "wallet"}
    summary = {
        **flags,
        "wallets": [json.loads(w.text)["wallet"] for w in wallets],
        "recentOrders": len(orders), "recentTopups": len(topups), "apiKeys": len(api_keys),
        "mailbookContacts": len(people), "mcpConnections": len(connections),
        "recentActivity": [f"{o['createdAt']} order {o['orderId']} {o['status']}" for o in orders[:10]],
    }
    account = Doc("account", "Your PieterPost account summary and recent activity",
                  f"{env.settings.base_url}{DASHBOARD_PATH}", _json(summary), {"type": "account"})
    return [account, *wallets, *(_order_doc(env, o) for o in orders), *(_topup_doc(env, t) for t in topups),
            *(_key_doc(env, k) for k in api_keys), *(_contact_doc(env, c) for c in people),
            *(_connection_doc(env, c) for c in connections)]


def _score(doc: Doc, words: list[str], query: str) -> int:
    if doc.id.lower() == query or doc.id.split(":", 1)[-1].lower() == query:
        return 1000
    title, text = doc.title.lower(), doc.text.lower()
    return sum(3 * title.count(w) + min(text.count(w), 5) for w in words)


async def search(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    query = args["query"].strip().lower()
    words = [w for w in query.replace(",", " ").split() if len(w) > 1] or ([query] if query else [])
    docs = [*(await _account_docs(env)), *_docs(env)]
    if not words:
        ranked = docs[:MAX_RESULTS]
    else:
        scored = [(s, i, d) for i, d in enumerate(docs) if (s := _score(d, words, query)) > 0]
        ranked = [d for _, _, d in sorted(scored, key=lambda x: (-x[0], x[1]))[:MAX_RESULTS]]
    return {"results": [{"id": d.id, "title": d.title, "url": d.url} for d in ranked]}


async def _fetch_doc(env: ToolEnv, doc_id: str) -> Doc:
    kind, _, rest = doc_id.partition(":")
    if kind == "docs":
        for doc in _docs(env):
            if doc.id == doc_id:
                return doc
    elif kind == "account":
        return (await _account_docs(env))[0]
    elif kind == "order" and rest:
        return _order_doc(env, await commands.get_order(env.db, env.settings, await env.caller("test"), rest))
    elif kind == "topup" and rest:
        return _topup_doc(env, await commands.get_topup(env.db, await env.caller("test"), rest))
    elif kind == "wallet" and rest.count(":") == 1:
        mode, currency = rest.split(":")
        if mode in ("test", "live"):
            return _wallet_doc(env, mode, await commands.get_wallet(env.db, await env.caller(mode), currency))
    elif kind == "key" and rest:
        return _key_doc(env, await keys.get_key(env.db, env.account_id, rest))
    elif kind == "contact" and rest:
        return _contact_doc(env, await contacts.get(env.db, env.account_id, rest))
    elif kind == "connection" and rest and env.list_connections:
        for conn in await env.list_connections():
            if conn.get("grantId") == rest:
                return _connection_doc(env, conn)
    raise NotFound(f"Nothing found for id {doc_id!r}; use an id returned by search.", field="id")


async def fetch(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    doc_id = args["id"].strip()
    if not doc_id:
        raise InvalidRequest("id is required", field="id")
    try:
        return (await _fetch_doc(env, doc_id)).fetched()
    except DomainError as err:
        if err.code.value in ("not_found", "invalid_request"):
            raise NotFound(f"Nothing found for id {doc_id!r}; use an id returned by search.", field="id") from None
        raise


TOOLS = {"search": search, "fetch": fetch}
