"""Opaque page tokens for FHIR searches, so paging links never carry an NHS number.

A token is the search (NHS number, filters, offset, count) encrypted and authenticated with
a key derived from ``SECRET_KEY`` (Fernet: AES-128-CBC + HMAC-SHA256), valid for an hour.
Anyone can follow a ``next`` link; nobody can read or alter what is inside it. ``unseal``
tells a token that is not ours, altered or garbage (``MalformedPageToken``: the caller answers
400) from a genuine one older than an hour (``ExpiredPageToken``: 410 Gone).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
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


class MalformedPageToken(ValueError):
    """The ``_page`` token is not one this server made, or was altered."""


class ExpiredPageToken(ValueError):
    """The ``_page`` token is genuine but older than ``TOKEN_TTL_SECONDS``."""


def unseal(token: str) -> dict[str, Any]:
    """The search inside ``token``. Raises ``MalformedPageToken`` or ``ExpiredPageToken``."""
    fernet = _fernet()
    try:
        raw = token.encode("ascii")
        content = fernet.decrypt(raw)  # the signature only: the age is checked next
        search = json.loads(content)
    except (InvalidToken, ValueError):  # UnicodeEncodeError and JSONDecodeError are ValueErrors
        raise MalformedPageToken from None
    if not isinstance(search, dict):
        raise MalformedPageToken
    if time.time() - fernet.extract_timestamp(raw) > TOKEN_TTL_SECONDS:
        raise ExpiredPageToken
    return search
