"""Which endpoint URLs are accepted: the ``fileUrl`` SSRF rules, applied to webhook targets.

Live endpoints must be https; test endpoints may be http (a developer's tunnel or local
receiver). No credentials in the URL. Unless ``PIETERPOST_WEBHOOK_ALLOW_PRIVATE_TARGETS`` is
set, the host must be a public name or public address (``domain.adapters.http.netguard``);
names are resolved again at every delivery and the connection is pinned to a checked
address, so a name that later resolves to a private address is refused then.
"""
from __future__ import annotations

import httpx

from domain.adapters.http.netguard import check_url, refuse
from domain.core.settings import Settings

FIELD = "url"
MAX_URL = 2000


def check_endpoint_url(raw: object, mode: str, settings: Settings) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise refuse(FIELD, "a URL is required")
    raw = raw.strip()
    if len(raw) > MAX_URL:
        raise refuse(FIELD, f"URLs are limited to {MAX_URL} characters")
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise refuse(FIELD, "not a valid URL") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise refuse(FIELD, "an http(s) URL with a host is required")
    if url.scheme != "https" and mode == "live":
        raise refuse(FIELD, "live endpoints must use https")
    if url.userinfo:
        raise refuse(FIELD, "URLs with credentials are not accepted")
    if url.fragment:
        raise refuse(FIELD, "URLs with a #fragment are not accepted")
    if not settings.webhook_allow_private_targets:
        # the host rules do not depend on the scheme: check the same host and port as https
        check_url(str(url.copy_with(scheme="https", port=url.port or (443 if url.scheme == "https" else 80))),
                  FIELD)
    return str(url)
