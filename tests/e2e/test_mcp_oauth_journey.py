"""Issue 3, Must show 1: the SDK's own client signs a person in and runs the whole journey.

Against a real ``pieterpost serve`` subprocess on a temp SQLite database: ``OAuthClientProvider``
starts from a bare 401, discovers the protected resource and authorization server metadata,
registers itself (DCR), the person signs up through the real forms and approves the consent
page, the provider exchanges the code, and the session lists the tools and runs create contact →
list contacts → quote → top-up → direct send → get_order (fulfilled) → wallet debit → payment
link → API key that works on /v1. Repeated for every protocol version and once over /mcp/sse.
"""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from mcp.client.session import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from tests.support.mcp_client import ALL_VERSIONS, handshake, structured
from tests.support.mcp_oauth import Browser, oauth_http_client, oauth_provider
from tests.support.servers import cli_env, running_server
from tests.tools.test_tools_contract import assert_matches_seed

RECIPIENT_CONTACT = {"displayName": "Bart Example", "street": "Keizersgracht", "houseNumber": "1",
                     "postalCode": "1012 AB", "city": "Amsterdam", "country": "NL"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("mcp-e2e")
    url = database_url  # both databases: several processes on one PostgreSQL act as one service
    # journeys make many calls inside a minute: lift the per-account rate limit (tested elsewhere)
    env = cli_env(url, tmp / "assets", PIETERPOST_RATE_LIMIT_PER_MINUTE="10000")
    with running_server(env) as base:
        yield base


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A new person per connect: each run signs up through the forms, then consents."""
    person = Browser()
    yield person
    await person.http.aclose()


async def journey(session: ClientSession, base: str, tag: str) -> None:
    listed = await session.list_tools()
    assert_matches_seed([t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools], key_order=False)

    contact = structured(await session.call_tool("create_mailbook_contact",
                                                 {**RECIPIENT_CONTACT, "displayName": f"Bart {tag}"}))
    found = structured(await session.call_tool("list_mailbook_contacts", {"query": f"bart {tag}"}))
    assert [c["id"] for c in found["contacts"]] == [contact["id"]]
    payload = {"requestType": "postcard",
               "postcard": {"message": "Hi Bart,\nA card from the e2e test.", "recipient": found["contacts"][0]["recipient"]}}

    before = structured(await session.call_tool("get_wallet", {}))["wallet"]["balanceCents"]
    quote = structured(await session.call_tool("quote_order", payload))
    assert quote["amountCents"] == 250 and quote["mode"] == "test"
    topup = structured(await session.call_tool("create_credit_topup",
                                               {"amountCents": 500, "idempotencyKey": f"topup-{tag}"}))
    assert topup["status"] == "paid"
    order = structured(await session.call_tool("create_direct_order", {**payload, "idempotencyKey": f"send-{tag}"}))
    assert order["billingMode"] == "credits" and order["testMode"] is True
    for _ in range(100):  # test mode fulfils in-process; wait for the state, not for a time
        fetched = structured(await session.call_tool("get_order", {"orderId": order["orderId"]}))
        if fetched["status"] == "fulfilled":
            break
        await asyncio.sleep(0.1)
    assert fetched["status"] == "fulfilled"
    wallet = structured(await session.call_tool("get_wallet", {}))
    assert wallet["wallet"]["balanceCents"] == before + 500 - 250

    link = structured(await session.call_tool("create_payment_link", {**payload, "idempotencyKey": f"link-{tag}"}))
    assert link["status"] == "checkout_open" and link["paymentLinkUrl"]

    key = structured(await session.call_tool("create_api_key", {"name": f"e2e {tag}"}))
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{base}/v1/wallet", headers={"Authorization": f"Bearer {key['secret']}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["wallet"]["balanceCents"] == wallet["wallet"]["balanceCents"]


async def test_bare_request_gets_the_discovery_challenge(served: str) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{served}/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "initialize"})
        prm_url = f"{served}/.well-known/oauth-protected-resource/mcp/"  # the location describing /mcp/
        assert answer.status_code == 401 and f'resource_metadata="{prm_url}"' in answer.headers["www-authenticate"]
        prm = (await http.get(prm_url)).json()
        assert prm["resource"] == f"{served}/mcp/" and prm["authorization_servers"] == [f"{served}/mcp/oauth"]


@pytest.mark.parametrize("version", ALL_VERSIONS)
async def test_sdk_client_signs_in_and_runs_the_journey(served: str, browser: Browser, version: str) -> None:
    provider = oauth_provider(f"{served}/mcp/", browser)
    async with oauth_http_client(provider) as http, streamable_http_client(f"{served}/mcp/", http_client=http) as (
            read, write), ClientSession(read, write) as session:
        assert await handshake(session, version) == version
        await journey(session, served, f"{version}-{uuid.uuid4().hex[:6]}")
    assert provider.context.client_info is not None  # registered dynamically
    assert browser.pages_seen == ["signin", "signup", "consent"]


async def test_sdk_client_over_legacy_sse(served: str, browser: Browser) -> None:
    provider = oauth_provider(f"{served}/mcp/sse", browser)
    async with sse_client(f"{served}/mcp/sse", auth=provider, timeout=30) as (read, write), ClientSession(
            read, write) as session:
        assert await handshake(session, "2024-11-05") == "2024-11-05"
        await journey(session, served, f"sse-{uuid.uuid4().hex[:6]}")
    assert browser.pages_seen == ["signin", "signup", "consent"]


async def test_signed_in_person_only_sees_consent_on_the_next_connect(served: str, browser: Browser) -> None:
    for expected in (["signin", "signup", "consent"], ["signin", "signup", "consent", "consent"]):
        provider = oauth_provider(f"{served}/mcp/", browser)
        async with oauth_http_client(provider) as http, streamable_http_client(f"{served}/mcp/", http_client=http) as (
                read, write), ClientSession(read, write) as session:
            await handshake(session, "2025-11-25")
            assert len((await session.list_tools()).tools) == 21
        assert browser.pages_seen == expected
