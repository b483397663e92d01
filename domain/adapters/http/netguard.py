"""Which URLs and addresses the service may fetch from on a user's behalf (SSRF guard).

docs/product.md § Assets (``fileUrl``): https only, no credentials in the URL, and every address the
name resolves to must be public. ``netfetch`` calls these checks for the first URL and
again for every redirect target, then connects only to an address checked here.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import httpx

from domain.core.errors import InvalidRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 forms that embed or translate to IPv4 (RFC 4291 2.5.5, RFC 3056, RFC 6052, RFC 8215):
# refused outright, since what they reach depends on the network's translators.
_EMBEDDING_V6 = tuple(
    ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
)
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CANONICAL_V4 = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|\d+)$")


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    host: str  # as the connection layer sees it (IDNA, lower case)
    port: int
    literal: IPAddress | None  # set when the URL names an address instead of a host


def refuse(field: str, why: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {why}", field=field)


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses (RFC 6890 special-purpose registries)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _EMBEDDING_V6) or ip.is_site_local or ip.scope_id:
            return False
    special = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
    return ip.is_global and not (special or ip.is_reserved or ip.is_unspecified)


def check_address(text: str, field: str) -> IPAddress:
    """Parse a resolved address and refuse it unless it is public."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        raise refuse(field, "the host resolved to an unusable address") from None
    if not is_public_address(ip):
        raise refuse(field, "the URL must point to a public internet address")
    return ip


def check_url(raw: str, field: str) -> Target:
    """Syntax-level checks that need no DNS: scheme, credentials, host spelling, port."""
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise refuse(field, "not a valid URL") from None
    if url.scheme != "https":
        raise refuse(field, "only https URLs are accepted")
    if url.userinfo:
        raise refuse(field, "URLs with credentials are not accepted")
    host = url.raw_host.decode("ascii").lower()
    port = 443 if url.port is None else url.port  # ":0" is refused below, not read as the default
    if not host or not 0 < port < 65536 or "%" in host:
        raise refuse(field, "the URL has no usable host")
    if ":" in host:  # httpx hands IPv6 literals over without brackets
        return Target(url, host, port, check_address(host, field))
    name = host.rstrip(".")
    labels = name.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        # Ends in a number, so WHATWG URL parsing and inet_aton read it as IPv4: only the
        # canonical dotted quad is accepted (no 2130706433, 0x7f.1, 0177.0.0.1, 127.1).
        if not _CANONICAL_V4.match(name):
            raise refuse(field, "non-standard IPv4 address spelling")
        return Target(url, host, port, check_address(name, field))
    if name == "localhost" or name.endswith(".localhost") or not all(_HOST_LABEL.match(lb) for lb in labels):
        raise refuse(field, "the URL must point to a public internet host")
    return Target(url, host, port, None)
