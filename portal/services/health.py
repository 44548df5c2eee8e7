"""Readiness: is the database reachable and its schema at the migrations' head?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from portal import migrate


@dataclass(frozen=True)
class Readiness:
    """``ready`` is True only when the database answers and its revision is the head."""

    database: bool
    revision: str | None
    head: str | None

    @property
    def ready(self) -> bool:
        return self.database and self.revision == self.head


def check_readiness(engine: Engine) -> Readiness:
    """Ask the database for ``SELECT 1`` and its Alembic revision. Never raises."""
    head = migrate.head_revision()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = migrate.current_revision(engine)
    except SQLAlchemyError:
        return Readiness(database=False, revision=None, head=head)
    return Readiness(database=True, revision=revision, head=head)
