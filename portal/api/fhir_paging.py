"""Opaque page tokens for FHIR searches, so paging links never carry an NHS number.

A token is the search (NHS number, filters, offset, count) encrypted and authenticated with
a key derived from ``SECRET_KEY`` (Fernet: AES-128-CBC + HMAC-SHA256), valid for an hour.
Anyone can follow a ``next`` link; nobody can read or alter what is inside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

TOKEN_TTL_SECONDS = 3600


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(b"fhir-page-token:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(search: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(search, separators=(",", ":")).encode()).decode()


def unseal(token: str) -> dict[str, Any] | None:
    """The search inside ``token``, or None if it is not ours, was altered or has expired."""
    try:
        return json.loads(_fernet().decrypt(token.encode(), ttl=TOKEN_TTL_SECONDS))
    except (InvalidToken, ValueError):
        return None
