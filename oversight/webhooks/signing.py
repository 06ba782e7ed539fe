"""Signing deliveries the Standard Webhooks way (https://www.standardwebhooks.com/).

Headers ``webhook-id`` (the event id, the same on every retry), ``webhook-timestamp`` (Unix seconds of
this attempt) and ``webhook-signature`` (``v1,`` + base64 of HMAC-SHA256 over ``id.timestamp.body``,
keyed with the secret's bytes: the base64 after ``whsec_``). The receiver recomputes it and refuses a
timestamp too far from its clock (replays). docs/api.md shows the receiver's side in Python.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "content-type": "application/json",
    }


def verify(secret: str, message_headers: dict[str, str], body: bytes, *, now: int) -> bool:
    """True when one of the signatures (space separated) matches and the timestamp is recent."""
    try:
        message_id = message_headers["webhook-id"]
        timestamp = int(message_headers["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in message_headers.get("webhook-signature", "").split())
