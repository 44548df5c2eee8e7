"""Evidence a carer uploads with a request: a PDF, JPEG or PNG up to 10 MB (issue 7 point 3).

The type is decided from the file's first bytes (its "magic number"), never from its name or
the browser's claim: ``%PDF-`` (PDF, ISO 32000), ``FF D8 FF`` (JPEG, ISO/IEC 10918) and
``89 50 4E 47 0D 0A 1A 0A`` (PNG, RFC 2083). Files are stored under a directory outside
``static/`` (setting ``EVIDENCE_UPLOAD_DIR``) with a random name, and read back only through
``read_evidence``; the edge decides who may (the requester and verifiers). ``delete_evidence``
removes one when the retention schedule says so (``portal.services.retention``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portal.config import INSTANCE_DIR
from portal.domain.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = ((b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
               (b"\x89PNG\r\n\x1a\n", "image/png", "png"))


class EvidenceRefused(DomainError):
    """``code`` is ``too-big`` or ``wrong-type``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def upload_directory(settings: Mapping[str, Any]) -> Path:
    """Where evidence is stored: the ``EVIDENCE_UPLOAD_DIR`` setting, or ``instance/uploads``."""
    return Path(settings.get("EVIDENCE_UPLOAD_DIR") or INSTANCE_DIR / "uploads")


def content_type_of(data: bytes) -> tuple[str, str] | None:
    """(MIME type, extension) from the first bytes, or None if not a PDF, JPEG or PNG."""
    for signature, mime, extension in _SIGNATURES:
        if data.startswith(signature):
            return mime, extension
    return None


def store_evidence(directory: Path, data: bytes) -> tuple[str, str]:
    """Check and store ``data``; returns (file name, MIME type). Raises ``EvidenceRefused``."""
    if len(data) > MAX_BYTES:
        raise EvidenceRefused("too-big", "The file must be smaller than 10 MB")
    kind = content_type_of(data)
    if kind is None:
        raise EvidenceRefused("wrong-type", "The file must be a PDF, JPG or PNG")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{kind[1]}"
    (directory / name).write_bytes(data)
    return name, kind[0]


def read_evidence(directory: Path, name: str) -> bytes | None:
    """The stored file's bytes, or None. ``name`` must be a bare stored name (no paths)."""
    if not name or Path(name).name != name:
        return None
    path = directory / name
    return path.read_bytes() if path.is_file() else None


def delete_evidence(directory: Path, name: str) -> bool:
    """Delete the stored file ``name`` (a bare stored name: anything with a path is refused and
    nothing is touched). True if a file was deleted; False if it was already gone or refused."""
    if not name or Path(name).name != name or name in (".", ".."):
        return False
    try:
        (directory / name).unlink()
    except FileNotFoundError:
        return False
    return True
