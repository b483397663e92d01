"""SSRF-safe fileUrl fetching against real TLS servers on loopback (see ``tls_server``)."""
from __future__ import annotations

import pytest

from domain.core.errors import ErrorCode, InvalidRequest, PayloadTooLarge
from domain.adapters.http import netfetch
from domain.adapters.http.netfetch import FetchLimits, open_public_url
from tests.domain.tls_server import BODY, PUBLIC_IP, Net, net, secret, server, tls  # noqa: F401 (fixtures)


async def fetch(url: str, net: Net, tls, **limits) -> bytes:
    async with open_public_url(
        url, resolver=net.resolve, dialer=net.dial, ssl_context=tls[1], limits=FetchLimits(**limits)
    ) as fetched:
        return b"".join([chunk async for chunk in fetched.chunks])


DIRECT_REFUSALS = [
    "http://files.example.com/file.png",
    "ftp://files.example.com/file.png",
    "files.example.com/file.png",
    "https:///file.png",
    "https://user:secret@files.example.com/file.png",
    "https://user@files.example.com/file.png",
    "https://localhost/file.png",
    "https://printer.localhost/",
    "https://127.0.0.1/",
    "https://2130706433/",
    "https://0x7f.1/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://127.1/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://224.0.0.1/",
    "https://0.0.0.0/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[::1]/",
    "https://[::]/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[fe80::1%25eth0]/",
    "https://[ff02::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[::7f00:1]/",
    "https://[2002:7f00:1::1]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://internal.example.com/file.png",
    "https://metadata.example.com/latest/meta-data/",
    "https://mixed.example.com/file.png",
    "https://ula.example.com/file.png",
    "https://mapped.example.com/file.png",
    "https://cgnat.example.com/file.png",
    "https://unknown.example.com/file.png",
]


@pytest.mark.parametrize("url", DIRECT_REFUSALS)
async def test_refused_urls_are_never_fetched(url, net, tls, server, secret):
    with pytest.raises(InvalidRequest) as caught:
        await fetch(url, net, tls)
    assert caught.value.code is ErrorCode.INVALID_REQUEST and caught.value.field == "fileUrl"
    assert net.dialed == [] and server.hits == [] and secret[1] == []


def redirect_targets(secret_port: int) -> list[str]:
    return [
        f"https://127.0.0.1:{secret_port}/secret",
        f"https://[::ffff:127.0.0.1]:{secret_port}/secret",
        f"https://2130706433:{secret_port}/secret",
        "https://169.254.169.254/latest/meta-data/",
        "https://internal.example.com/secret",
        "https://metadata.example.com/latest/meta-data/",
        "http://files.example.com/file.png",
        "https://user:pw@files.example.com/file.png",
    ]


@pytest.mark.parametrize("index", range(8))
async def test_redirects_to_private_targets_are_refused(index, net, tls, server, secret):
    target = redirect_targets(secret[0])[index]
    with pytest.raises(InvalidRequest) as caught:
        await fetch(f"https://files.example.com/redirect?to={target}", net, tls)
    assert caught.value.field == "fileUrl"
    assert [path for path, _ in server.hits] == [f"/redirect?to={target}"]  # only the public hop
    assert {address for address, _ in net.dialed} == {PUBLIC_IP} and secret[1] == []


async def test_more_than_three_redirects_are_refused(net, tls, server):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://files.example.com/chain/4", net, tls)
    assert "redirects" in caught.value.message
    assert [path for path, _ in server.hits] == ["/chain/4", "/chain/3", "/chain/2", "/chain/1"]


async def test_public_file_is_fetched_with_host_and_sni_of_the_name(net, tls, server):
    assert await fetch("https://files.example.com/file.png", net, tls) == BODY
    assert server.hits == [("/file.png", "files.example.com")]
    assert server.sni == ["files.example.com"] and net.dialed == [(PUBLIC_IP, 443)]


async def test_three_redirects_across_public_hosts_are_followed(net, tls, server):
    assert await fetch("https://cdn.example.org/chain/3", net, tls) == b"end of chain"
    assert len(server.hits) == 4 and net.resolved == ["cdn.example.org"] * 4


async def test_connection_goes_to_the_checked_address_without_a_second_lookup(net, tls, server):
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])  # a rebinding DNS server: public, then loopback

    async def rebinding(host: str, port: int) -> list[str]:
        net.resolved.append(host)
        return next(answers)

    async with open_public_url("https://files.example.com/file.png", resolver=rebinding, dialer=net.dial,
                               ssl_context=tls[1]) as fetched:
        assert b"".join([c async for c in fetched.chunks]) == BODY
    assert net.resolved == ["files.example.com"] and net.dialed == [(PUBLIC_IP, 443)]


async def test_certificate_must_match_the_host_name(net, tls):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://wrong-cert.example.net/file.png", net, tls)
    assert "ConnectError" in caught.value.message


@pytest.fixture
def bytes_read(monkeypatch) -> list[int]:
    """The size of every body chunk netfetch hands on (the streaming cap's view of the download)."""
    read: list[int] = []
    real_body = netfetch._body

    async def counting_body(response, max_bytes, field):
        async for chunk in real_body(response, max_bytes, field):
            read.append(len(chunk))
            yield chunk

    monkeypatch.setattr(netfetch, "_body", counting_body)
    return read


async def test_announced_size_over_the_cap_is_refused_before_reading(net, tls, bytes_read):
    read = bytes_read
    with pytest.raises(PayloadTooLarge):
        await fetch("https://files.example.com/big", net, tls, max_bytes=100_000)
    assert read == []  # refused on Content-Length alone: not one body byte was read


async def test_unannounced_size_reads_at_most_the_cap(net, tls, bytes_read):
    read = bytes_read
    with pytest.raises(PayloadTooLarge):
        await fetch("https://files.example.com/big-unannounced", net, tls, max_bytes=100_000)
    assert sum(read) <= 100_000  # the chunk that crossed the cap is never handed on


async def test_unannounced_size_over_the_cap_stops_the_download(net, tls):
    with pytest.raises(PayloadTooLarge):
        await fetch("https://files.example.com/big-unannounced", net, tls, max_bytes=100_000)


async def test_error_status_is_refused(net, tls):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://files.example.com/missing.png", net, tls)
    assert "HTTP 404" in caught.value.message


async def test_total_time_is_capped(net, tls):
    with pytest.raises(InvalidRequest) as caught:
        await fetch("https://files.example.com/slow", net, tls, total_timeout=0.3)
    assert "longer than" in caught.value.message
