"""Signing a person up over HTTP and reading the hidden form fields of the pages."""
from __future__ import annotations

import re
import uuid

import httpx

PASSWORD = "correct horse battery staple"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"page has no {name} field"
    return match.group(1)


async def sign_up(http: httpx.AsyncClient, email: str | None = None) -> str:
    """A new person, signed in on ``http`` (cookies kept by the client); returns the email."""
    email = email or f"dash-{uuid.uuid4().hex[:10]}@example.com"
    form = await http.get("/signup")
    assert form.status_code == 200
    done = await http.post("/signup", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(form.text),
                                            "next": "/api/dashboard"})
    assert done.status_code == 303 and done.headers["location"] == "/api/dashboard", done.text
    return email
