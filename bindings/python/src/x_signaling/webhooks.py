"""Verifying the x SFU's webhooks.

The server POSTs each event as JSON with an ``X-Sfu-Signature`` header:
``t=<unix seconds>,v1=<hex>``, the HMAC-SHA256 keyed with the server's API
secret of ``<t>.<body>`` (the exact bytes sent). Verify before parsing::

    event = verify_webhook(request.body, request.headers["X-Sfu-Signature"], SECRET)
    print(event["event"], event["room"]["id"])
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Dict, Optional, Union

#: The header that carries the signature.
SIGNATURE_HEADER = "X-Sfu-Signature"
#: How old (or far ahead) a webhook may be, in seconds, by default.
DEFAULT_TOLERANCE = 300


class WebhookVerificationError(Exception):
    """A webhook that is not the server's, or too old: ``code`` is MISSING_SIGNATURE, BAD_SIGNATURE or EXPIRED."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def sign_webhook(body: Union[bytes, str], secret: str, timestamp: Optional[int] = None) -> str:
    """The signature header of ``body`` (what the server sends; for tests of a receiver)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    data = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + data, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_webhook(
    body: Union[bytes, str],
    header: Optional[str],
    secret: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Optional[int] = None,
) -> Dict[str, Any]:
    """The event of a webhook whose signature is the server's; raises WebhookVerificationError otherwise."""
    if not header:
        raise WebhookVerificationError("MISSING_SIGNATURE", "no X-Sfu-Signature header")
    parts = dict(part.strip().split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise WebhookVerificationError("BAD_SIGNATURE", "the X-Sfu-Signature header is malformed") from None
    signature = parts.get("v1", "")
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    expected = sign_webhook(data, secret, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, signature):
        raise WebhookVerificationError("BAD_SIGNATURE", "the signature does not match the body")
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        raise WebhookVerificationError("EXPIRED", f"signed {now - timestamp} s ago: more than {tolerance} s (a replay?)")
    return json.loads(data.decode("utf-8"))
