"""Clinical systems that call the API (DESIGN.md section 3: ApiClient), their access tokens,
the client-assertion ids already used, and idempotent replies.

Access tokens are stored only as SHA-256 hashes (habit from Authlib's example server and
Indico): a copy of this table gives nobody a working token. A used ``jti`` is kept until the
assertion it came in expires, so a replayed assertion is refused (SMART Backend Services).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.data.base import Base, IdMixin


class ApiClient(IdMixin, Base):
    """A registered clinical system. ``client_id`` is what it puts in ``iss``/``sub``.

    Keys come from ``jwks_url`` (fetched, cached) or ``jwks`` (a JWKS read from a file when
    the client was registered). ``secret_hash`` is set only for development clients."""

    __tablename__ = "api_clients"

    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    ods_code: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    jwks_url: Mapped[str | None] = mapped_column(String(500))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    development: Mapped[bool] = mapped_column(default=False)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    disabled_at_utc: Mapped[datetime | None] = mapped_column()


class AccessToken(Base):
    """An issued access token, by the SHA-256 hex digest of its value."""

    __tablename__ = "api_access_tokens"
    __table_args__ = (Index("ix_api_access_tokens_expires", "expires_at_utc"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"))
    scope: Mapped[str] = mapped_column(Text)
    issued_at_utc: Mapped[datetime] = mapped_column()
    expires_at_utc: Mapped[datetime] = mapped_column()


class UsedAssertion(Base):
    """A client assertion's ``jti``, kept until the assertion expires."""

    __tablename__ = "api_used_assertions"
    __table_args__ = (Index("ix_api_used_assertions_expires", "expires_at_utc"),)

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at_utc: Mapped[datetime] = mapped_column()


class IdempotentReply(IdMixin, Base):
    """The first answer to a request sent with an ``Idempotency-Key``, to replay it."""

    __tablename__ = "api_idempotent_replies"
    __table_args__ = (UniqueConstraint("client_id", "key"),)

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column()
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


# Repositories ---------------------------------------------------------------------------------

def add_api_client(session: Session, client: ApiClient) -> ApiClient:
    session.add(client)
    session.flush()
    return client


def get_api_client_by_client_id(session: Session, client_id: str) -> ApiClient | None:
    return session.execute(select(ApiClient).where(ApiClient.client_id == client_id)).scalar_one_or_none()


def get_api_client(session: Session, id_: uuid.UUID) -> ApiClient | None:
    return session.get(ApiClient, id_)


def add_access_token(session: Session, token: AccessToken) -> AccessToken:
    session.add(token)
    session.flush()
    return token


def get_access_token_with_client(session: Session, token_hash: str) -> tuple[AccessToken, ApiClient] | None:
    """The token with this hash and its client, in one query; None if there is none."""
    statement = (select(AccessToken, ApiClient).join(ApiClient, ApiClient.id == AccessToken.client_id)
                 .where(AccessToken.token_hash == token_hash))
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def delete_expired_access_tokens(session: Session, now: datetime) -> int:
    result = session.execute(delete(AccessToken).where(AccessToken.expires_at_utc < now))
    return result.rowcount or 0  # type: ignore[attr-defined]


def add_used_assertion(session: Session, client_id: uuid.UUID, jti: str, expires_at: datetime) -> bool:
    """Record ``jti`` for the client; False if it was already recorded (a replay)."""
    try:
        with session.begin_nested():
            session.add(UsedAssertion(client_id=client_id, jti=jti, expires_at_utc=expires_at))
    except IntegrityError:
        return False
    return True


def delete_expired_assertions(session: Session, now: datetime) -> int:
    result = session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at_utc < now))
    return result.rowcount or 0  # type: ignore[attr-defined]


def get_idempotent_reply(session: Session, client_id: uuid.UUID, key: str) -> IdempotentReply | None:
    statement = select(IdempotentReply).where(IdempotentReply.client_id == client_id, IdempotentReply.key == key)
    return session.execute(statement).scalar_one_or_none()


def add_idempotent_reply(session: Session, reply: IdempotentReply) -> bool:
    """Store the reply; False if another request stored one for the same key first."""
    try:
        with session.begin_nested():
            session.add(reply)
    except IntegrityError:
        return False
    return True
