"""``/api/docs/mcp.md`` (markdown for agents) and ``/api/docs/mcp`` (the same as an HTML page).

Both come from ``tools.docs.render_markdown`` — generated from schemas/tools.json — so the
published reference always matches tools/list. HTML via Python-Markdown (tables, fenced code,
heading anchors using the same slugs the search tool links to).
"""
from __future__ import annotations

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
    return body.replace("<table>", '<div class="table-wrap" tabindex="0" role="region" aria-label="table"><table>')\
        .replace("</table>", "</table></div>")


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
