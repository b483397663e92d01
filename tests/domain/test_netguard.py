"""The SSRF guard's own checks, without DNS or network: what ``check_url`` refuses from the
spelling alone and what ``check_address`` refuses once a name is resolved."""
from __future__ import annotations

import dataclasses
import ipaddress
import json

import pytest

from domain.adapters.http.netguard import check_address, check_url, is_public_address
from domain.core.errors import InvalidRequest


@pytest.mark.parametrize("url", [
    "http://files.example.com/a.png", "wss://files.example.com/a.png", "ws://files.example.com/",
    "ftp://files.example.com/", "file:///etc/passwd", "javascript:alert(1)", "HTTPS-ish://files.example.com/",
    "https://user:pw@files.example.com/", "https://user@files.example.com/",
    "https://files.example.com:0/", "https://files.example.com:-1/", "https://files.example.com:65536/",
    "https://files.example.com:99999/", "https://files.example.123/",
    "https://localhost/", "https://localhost./", "https://printer.localhost/", "https://a.b.localhost/",
    "https://-bad.example.com/", "https://bad-.example.com/", "https://under_score.example.com/",
    "https://2130706433/", "https://0x7f.1/", "https://127.1/", "https://0177.0.0.1/", "https://1.2.3.04/",
    "https://127.0.0.1/", "https://10.1.2.3/", "https://[::1]/", "https://[fe80::1%25eth0]/",
])
def test_refused_from_the_spelling_alone(url: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_url(url, "fileUrl")
    assert caught.value.message.startswith("fileUrl: ") and caught.value.field == "fileUrl"


@pytest.mark.parametrize(("url", "host", "port", "literal"), [
    ("https://files.example.com/a.png", "files.example.com", 443, None),
    ("https://FILES.Example.com./x", "files.example.com.", 443, None),
    ("https://files.example.com:1/", "files.example.com", 1, None),
    ("https://files.example.com:65535/", "files.example.com", 65535, None),
    ("https://1.example.com/", "1.example.com", 443, None),  # only the last label decides "this is IPv4"
    ("https://93.184.216.34/", "93.184.216.34", 443, "93.184.216.34"),
    ("https://[2606:4700::1111]:8443/", "2606:4700::1111", 8443, "2606:4700::1111"),
])
def test_accepted_urls_keep_host_port_and_literal(url: str, host: str, port: int, literal: str | None) -> None:
    target = check_url(url, "fileUrl")
    assert (target.host, target.port) == (host, port)
    assert target.literal == (ipaddress.ip_address(literal) if literal else None)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fc00::1", "fd00::1", "fe80::1", "fec0::1", "ff02::1", "::ffff:8.8.8.8", "::8.8.8.8",
    "64:ff9b::808:808", "2002:808:808::1", "2001::1", "2001:db8::1", "not-an-address", "",
    "4000::1", "fe00::1",  # IETF-reserved, not yet allocated: Python calls them global, yet nothing public lives there
])
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidRequest):
        check_address(address, "fileUrl")


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001::1"])
def test_public_addresses_pass(address: str) -> None:
    assert check_address(address, "fileUrl") == ipaddress.ip_address(address)
    assert is_public_address(ipaddress.ip_address(address))


def test_a_checked_target_cannot_be_altered_after_the_check() -> None:
    target = check_url("https://files.example.com/", "fileUrl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.host = "127.0.0.1"  # type: ignore[misc]


@pytest.mark.parametrize("url", [
    json.loads('"https://files.example.com/a\\udcff.png"'),  # a JSON escape can carry a lone surrogate
    "https://files.example.com/?q=\ud800", "https://files.example.com/#\udfff", "https://u\udcff@files.example.com/",
])
def test_text_that_cannot_be_encoded_is_refused_as_an_invalid_url(url: str) -> None:
    """httpx raises UnicodeEncodeError (a ValueError) for these, not InvalidURL: the guard must still refuse."""
    with pytest.raises(InvalidRequest) as caught:
        check_url(url, "fileUrl")
    assert caught.value.message == "fileUrl: not a valid URL"


@pytest.mark.parametrize("value", [None, 443, b"https://files.example.com/"])
def test_a_value_that_is_not_text_is_refused_as_an_invalid_url(value: object) -> None:
    """httpx raises TypeError for a non-string URL; the guard answers with the same refusal as for bad text."""
    with pytest.raises(InvalidRequest) as caught:
        check_url(value, "fileUrl")  # type: ignore[arg-type]
    assert caught.value.message == "fileUrl: not a valid URL"
