"""Malformed multipart framing on ``POST /v1/uploads`` is a 400 naming ``file``, never a 500.

Before: a boundary longer than python-multipart's 256-byte maximum raised ``FormParserError``
(only ``MultipartParseError`` was caught) and the server answered 500.
"""
from __future__ import annotations

import httpx
import pytest

from tests.conftest import auth

FILE_PART = b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n'
CASES = {
    "boundary-over-256-bytes": ("a" * 5000, b"--" + b"a" * 5000 + b"\r\n" + FILE_PART),
    "no-closing-boundary": ("b", b"--b\r\n" + FILE_PART.rstrip(b"\r\n")),
    "headers-never-end": ("b", b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n'),
    "garbage-before-boundary": ("b", b"\x00\xff" * 100 + b"--b--\r\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_malformed_multipart_is_invalid_request(client: httpx.AsyncClient, account: dict[str, str],
                                                      case: str) -> None:
    boundary, body = CASES[case]
    response = await client.post("/v1/uploads", content=body, headers=auth(
        account["test_key"], **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request"
