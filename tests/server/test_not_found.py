"""A wrong address answers a person with a page and a program with the JSON error."""
from __future__ import annotations

import httpx

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_browser_gets_a_not_found_page(client: httpx.AsyncClient) -> None:
    answer = await client.get("/no-such-page", headers=BROWSER)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in answer.text and 'lang="en"' in answer.text


async def test_programs_and_api_paths_keep_the_json_error(client: httpx.AsyncClient) -> None:
    for path, headers in (("/no-such-page", {}), ("/v1/no-such-route", BROWSER), ("/.well-known/nothing", BROWSER)):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 404, path
        assert answer.json() == {"code": "not_found", "error": "Not found."}, path
