"""The shared layout: one stylesheet served by the app, used by the sign-in pages, no CDN."""
from __future__ import annotations

import re

import httpx


async def test_stylesheet_and_script_are_served_from_the_app(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@media" in css.text  # phone layout rules live in the one stylesheet
    js = await client.get("/static/site.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]


async def test_sign_in_pages_extend_the_shared_base(client: httpx.AsyncClient) -> None:
    page = await client.get("/mcp/oauth/login?request=unknown")  # the expired-request page
    assert page.status_code == 400
    html = page.text
    assert '<link rel="stylesheet" href="/static/site.css">' in html
    assert re.search(r'<main id="main"', html) and '<html lang="en">' in html
    assert "Skip to content" in html
    # offline: nothing is loaded from another origin
    assert not re.search(r'(src|href)="(https?:)?//', html)
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
