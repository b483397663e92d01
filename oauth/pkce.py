"""PKCE (RFC 7636) with S256 only, required on every authorization request (OAuth 2.1 §4.1.1).

Authlib's ``CodeChallenge`` extension does the verifier check; it allows ``plain`` and lets a
request without ``code_challenge`` through at the authorization endpoint, so this subclass
narrows it to S256 only: a missing challenge, a missing method or ``plain`` is refused.
"""
from __future__ import annotations

import base64
import hashlib

from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge

METHOD = "S256"


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class S256Only(CodeChallenge):
    DEFAULT_CODE_CHALLENGE_METHOD = METHOD
    SUPPORTED_CODE_CHALLENGE_METHOD = [METHOD]

    def __init__(self) -> None:
        super().__init__(required=True)

    def validate_code_challenge(self, grant, redirect_uri):  # type: ignore[no-untyped-def]
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        if data.get("code_challenge_method") != METHOD:
            # RFC 7636 §4.3: a missing method means "plain", which OAuth 2.1 servers refuse.
            raise InvalidRequestError("Only code_challenge_method=S256 is supported.")
        return super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):  # type: ignore[no-untyped-def]
        # Every code here carries an S256 challenge, so every token request needs the verifier,
        # confidential clients included (RFC 9700 §2.1.1).
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'.")
        return super().validate_code_verifier(grant, result)

    def get_authorization_code_challenge(self, authorization_code):  # type: ignore[no-untyped-def]
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):  # type: ignore[no-untyped-def]
        return authorization_code.code_challenge_method
