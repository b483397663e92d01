"""Streaming multipart/form-data reader for uploads: the file part flows straight to storage.

Starlette's ``request.form()`` spools every file to a temporary file before the handler
sees it; here python-multipart's push parser is fed from ``request.stream()`` and the bytes
of the one ``file`` part are yielded chunk by chunk, so the caller's staging writer enforces
the 50 MB cap while the body is still arriving. Small text fields are collected on the side.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from domain.core.errors import InvalidRequest

FILE_FIELD = "file"
MAX_FIELD_BYTES = 1024
MAX_FIELDS = 10


@dataclass
class UploadForm:
    """What the reader saw besides the file bytes; complete once the stream is exhausted."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    file_seen: bool = False


@dataclass
class _Part:
    name: str = ""
    is_file: bool = False
    value: bytearray = field(default_factory=bytearray)
    header_name: bytes = b""
    header_value: bytes = b""
    disposition: bytes = b""


def _boundary(request: Request) -> bytes:
    media_type, params = parse_options_header(request.headers.get("content-type"))
    if media_type != b"multipart/form-data" or b"boundary" not in params:
        raise InvalidRequest("send multipart/form-data with the fields kind and file", field="file")
    return params[b"boundary"]


def stream_file_part(request: Request, form: UploadForm) -> AsyncIterator[bytes]:
    """Yield the ``file`` part's bytes; fill ``form`` with the other fields as they pass."""
    boundary = _boundary(request)
    part = _Part()
    pending: list[bytes] = []

    def on_part_begin() -> None:
        nonlocal part
        part = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part.header_value += data[start:end]

    def on_header_end() -> None:
        if part.header_name.strip().lower() == b"content-disposition":
            part.disposition = part.header_value
        part.header_name, part.header_value = b"", b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(part.disposition)
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        part.is_file = b"filename" in options
        if part.is_file:
            if part.name != FILE_FIELD or form.file_seen:
                raise InvalidRequest("send exactly one file, in the field named file", field="file")
            form.file_seen = True
            form.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part.is_file:
            pending.append(data[start:end])
            return
        part.value += data[start:end]
        if len(part.value) > MAX_FIELD_BYTES:
            raise InvalidRequest(f"form field {part.name or '?'} is too long", field=part.name or "form")

    def on_part_end() -> None:
        if not part.is_file:
            if len(form.fields) >= MAX_FIELDS:
                raise InvalidRequest("too many form fields", field="form")
            form.fields[part.name] = part.value.decode("utf-8", "replace")

    callbacks = {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data, "on_part_end": on_part_end,
    }

    async def chunks() -> AsyncIterator[bytes]:
        try:  # FormParserError is the library's base error: bad framing, and a boundary over 256 bytes
            parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
            async for chunk in request.stream():
                parser.write(chunk)
                if pending:
                    data = b"".join(pending)
                    pending.clear()
                    yield data
            parser.finalize()
        except FormParserError:
            raise InvalidRequest("the multipart body is malformed", field="file") from None

    return chunks()
