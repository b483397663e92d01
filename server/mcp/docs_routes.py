"""``/api/docs/mcp.md`` (markdown for agents) and ``/api/docs/mcp`` (the same as an HTML page).

Both come from ``tools.docs.render_markdown`` — generated from schemas/tools.json — so the
published reference always matches tools/list. HTML via Python-Markdown (tables, fenced code,
heading anchors using the same slugs the search tool links to).
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.core.settings import Settings
from oauth.scopes import SCOPES, TOOL_SCOPES
from server.web.render import page
from tools.docs import render_markdown, sections, slugify

def docs_markdown(settings: Settings) -> str:
    return render_markdown(settings, TOOL_SCOPES, SCOPES)


def docs_sections(settings: Settings) -> tuple:
    return tuple(sections(docs_markdown(settings)))


@lru_cache(maxsize=4)
def _body(md: str) -> str:
    """The markdown as HTML for the shared page layout; wide blocks scroll and take keyboard focus."""
    body = markdown.markdown(
        md,
        extensions=["tables", "fenced_code", "toc"],
        extension_configs={"toc": {"slugify": lambda value, _sep: slugify(value)}},
        output_format="html",
    )
    body = body.replace("<pre>", '<pre tabindex="0">')
    return _label_tables(body).replace("</table>", "</table></div>")


_HEADING_OR_TABLE = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>|<table>", re.S)


def _label_tables(body: str) -> str:
    """Wrap each table in a scrollable region named after the heading above it (region
    landmarks need distinct names, so a second table under one heading is numbered)."""
    heading, used = "Table", {}

    def wrap(match: re.Match[str]) -> str:
        nonlocal heading
        if match.group(0) != "<table>":
            heading = re.sub(r"<[^>]+>", "", match.group(1)).strip() or "Table"
            return match.group(0)
        used[heading] = used.get(heading, 0) + 1
        name = heading if used[heading] == 1 else f"{heading} ({used[heading]})"
        return f'<div class="table-wrap" tabindex="0" role="region" aria-label="{html.escape(name)}"><table>'

    return _HEADING_OR_TABLE.sub(wrap, body)


def build_routes(settings: Settings) -> list[Route]:
    async def markdown_doc(request: Request) -> Response:
        return Response(docs_markdown(settings), media_type="text/markdown; charset=utf-8")

    async def html_doc(request: Request) -> Response:
        return page(request, "docs/mcp.html", body=_body(docs_markdown(settings)),
                    md_url=f"{settings.base_url}/api/docs/mcp.md")

    return [
        Route("/api/docs/mcp.md", markdown_doc, methods=["GET"]),
        Route("/api/docs/mcp", html_doc, methods=["GET"]),
    ]
