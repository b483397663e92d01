"""``/api/docs/mcp.md`` (markdown for agents) and ``/api/docs/mcp`` (the same as an HTML page).

Both come from ``tools.docs.render_markdown`` — generated from schemas/tools.json — so the
published reference always matches tools/list. HTML via Python-Markdown (tables, fenced code,
heading anchors using the same slugs the search tool links to).
"""
from __future__ import annotations

import html
from functools import lru_cache

import markdown
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from domain.settings import Settings
from oauth.scopes import SCOPES, TOOL_SCOPES
from tools.docs import render_markdown, sections, slugify

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="alternate" type="text/markdown" href="{md_url}">
<style>
body{{font:16px/1.55 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}}
code,pre{{font:14px ui-monospace,monospace;background:#f4f4f6;border-radius:4px}}
pre{{padding:1rem;overflow:auto}} table{{border-collapse:collapse;margin:1rem 0}}
td,th{{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}}
</style></head><body>
<p><a href="{md_url}">Markdown version</a></p>
{body}
</body></html>"""


def docs_markdown(settings: Settings) -> str:
    return render_markdown(settings.base_url, TOOL_SCOPES, SCOPES)


def docs_sections(settings: Settings) -> tuple:
    return tuple(sections(docs_markdown(settings)))


@lru_cache(maxsize=4)
def _page(base_url: str, md: str) -> str:
    body = markdown.markdown(
        md,
        extensions=["tables", "fenced_code", "toc"],
        extension_configs={"toc": {"slugify": lambda value, _sep: slugify(value)}},
        output_format="html",
    )
    return PAGE.format(title=html.escape("PieterPost MCP server"), md_url=f"{base_url}/api/docs/mcp.md", body=body)


def build_routes(settings: Settings) -> list[Route]:
    async def markdown_doc(request: Request) -> Response:
        return Response(docs_markdown(settings), media_type="text/markdown; charset=utf-8")

    async def html_doc(request: Request) -> Response:
        return HTMLResponse(_page(settings.base_url, docs_markdown(settings)))

    return [
        Route("/api/docs/mcp.md", markdown_doc, methods=["GET"]),
        Route("/api/docs/mcp", html_doc, methods=["GET"]),
    ]
