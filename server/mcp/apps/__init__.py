"""The MCP App (MCP Apps extension, ``io.modelcontextprotocol/ui``): one ``ui://`` HTML resource.

``order_preview.html`` is built from ``mcp-app/`` by ``npm run build:mcp-app`` (esbuild bundles the
extension's app-side bridge, ``App`` from ``@modelcontextprotocol/ext-apps``, into the page) and
committed, so the server needs no Node at run time. The page is self-contained: no network
fetches, no CDN, so its CSP domain lists are empty. Tools link to it through
``_meta.ui.resourceUri`` in ``schemas/tools.json``; hosts without the extension never read it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

APP_URI = "ui://pieterpost/order-preview.html"
APP_MIME_TYPE = "text/html;profile=mcp-app"
APP_FILE = Path(__file__).with_name("order_preview.html")
# Empty lists: the page loads nothing from anywhere (images arrive as data: URLs in the tool result).
RESOURCE_META: dict[str, Any] = {"ui": {"csp": {"connectDomains": [], "resourceDomains": [], "frameDomains": [],
                                                "baseUriDomains": []},
                                        "prefersBorder": True}}


@lru_cache(maxsize=1)
def app_html() -> str:
    return APP_FILE.read_text(encoding="utf-8")


def listing() -> list[dict[str, Any]]:
    """resources/list entries."""
    return [{"uri": APP_URI, "name": "order-preview", "title": "PieterPost order preview",
             "description": "Shows a letter or postcard preview, its recipients and price, and opens checkout "
                            "or compose links.", "mimeType": APP_MIME_TYPE, "_meta": RESOURCE_META}]


def read(uri: str) -> dict[str, Any] | None:
    """resources/read contents for ``uri``, or ``None`` when there is no such resource."""
    if uri != APP_URI:
        return None
    return {"contents": [{"uri": APP_URI, "mimeType": APP_MIME_TYPE, "text": app_html(), "_meta": RESOURCE_META}]}
