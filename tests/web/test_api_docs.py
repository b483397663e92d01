"""``/api/docs`` is rendered from the OpenAPI document: every route, every error code, the
status lifecycle and the limits, with the service's real base URL."""
from __future__ import annotations

import html
import re

import httpx

from domain.core.errors import STATUS_BY_CODE
from domain.orders.status import STATUSES, TRANSITIONS
from domain.core.settings import Settings


async def test_docs_page_covers_every_route_code_and_status(client: httpx.AsyncClient, settings: Settings) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    text = html.unescape(page.text)
    spec = (await client.get("/v1/openapi.json")).json()
    for path, item in spec["paths"].items():
        for method in item:
            assert re.search(rf'<span class="badge">{method.upper()}</span> <code>{re.escape(path)}</code>', text), \
                f"{method} {path} missing"
    for code, status in STATUS_BY_CODE.items():
        row = re.search(rf'<tr data-code="{code.value}"><td><code>{code.value}</code></td>\s*<td class="num">(\d+)</td>'
                        r"<td>([^<]+)</td>", text)
        assert row and int(row.group(1)) == status and row.group(2).strip(), code
    for status in STATUSES:
        assert f"<td><code>{status}</code></td>" in text
        if not TRANSITIONS[status]:
            assert re.search(rf"<td><code>{status}</code></td><td>[^<]+</td>\s*<td>final</td>", text)
    assert 'id="docs-base-url">http://127.0.0.1:8000<' in text
    assert "curl -X POST http://127.0.0.1:8000/v1/orders" in text
    assert "letters[].recipient" in text  # nested body fields are listed by path
    assert f"{settings.rate_limit_per_minute} per minute per API account" in text  # the running limits
    assert f"{settings.daily_order_cap} per account per UTC day" in text
