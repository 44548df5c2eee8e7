"""The declarative base every model uses: a UUID ``id`` and UTC timestamps.

``UtcDateTime`` stores naive UTC on SQLite and ``timestamptz`` on PostgreSQL and always gives
back an aware UTC ``datetime``; a naive value is refused (``ValueError``), so local time can
never be stored by mistake. Habit from communitiesuk/funding-service.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, MetaData, TypeDecorator, Uuid
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware-UTC datetime column (see module docstring)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    """A UUID primary key and creation time."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at_utc: Mapped[datetime] = mapped_column(default=utcnow)


@contextmanager
def driver_errors_as_sqlalchemy(connection: Connection, statement: str | None = None) -> Iterator[None]:
    """Around work done straight on the DB-API driver (``connection.connection.driver_connection``
    or its cursors): a driver error leaves as SQLAlchemy's ``DBAPIError``, as if SQLAlchemy had
    run it, so the app answers 503 ``service-unavailable`` for it like any database error.
    A lost connection is invalidated (not pooled again) and flagged ``connection_invalidated``."""
    dialect = connection.dialect
    try:
        yield
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, connection.connection.driver_connection, None)
        if lost:
            connection.invalidate()
        raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=dialect) from error
