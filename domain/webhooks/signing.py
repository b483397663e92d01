"""Standard Webhooks headers for one message, signed by the ``standardwebhooks`` library.

During a rotation's 24 h overlap the message carries one ``v1,`` signature per valid secret,
space-separated, as the spec allows; verifiers accept a message when any one matches.
"""
from __future__ import annotations

from datetime import datetime

from standardwebhooks.webhooks import Webhook


def sign_headers(msg_id: str, timestamp: datetime, body: str, secrets: list[str]) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``."""
    signatures = [Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
