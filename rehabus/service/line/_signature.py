"""The signature LINE puts on each webhook request (``x-line-signature``): the Base64 of the
HMAC-SHA256 of the raw request body, keyed with the channel secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["signature", "verify_signature"]


def signature(channel_secret: str, body: bytes) -> str:
    """What LINE sends as ``x-line-signature`` with ``body``."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(channel_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of the raw ``body`` (compared in constant time);
    ``False`` without a header."""
    if not header:
        return False
    return hmac.compare_digest(signature(channel_secret, body).encode(), header.encode())
