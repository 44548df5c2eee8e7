"""One patient's decisions in ONE query: the hot path of ``GET .../ai-decisions`` (issue 8
point 9). SQLAlchemy Core, no ORM objects, on a connection held by the process.

For every live tool purpose matching the filters, the query gives the register's policy and
every choice of the patient that the rule can depend on (a choice about that tool, or about
all tools, for that purpose): the policy and the choices come from the same snapshot, so a
register import or a new choice is seen by the very next read, with no cache to go stale.

``HeldConnection`` keeps one autocommit connection per thread per engine: no pool checkout,
no pre-ping and no BEGIN/COMMIT round trips per lookup. Each lookup is a single SELECT, which
is its own consistent snapshot on both databases; on SQLite it takes no write lock.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Engine, and_, bindparam, or_, select
from sqlalchemy.exc import DBAPIError

from portal.data.base import driver_errors_as_sqlalchemy
from portal.data.choices import Choice
from portal.data.people import Patient
from portal.data.register import AiTool, ToolPurpose

T = TypeVar("T")


class PolicyChoiceRow(NamedTuple):
    """A live tool purpose, the patient (None if never seen) and one relevant choice (its
    fields None when the patient has none for that tool purpose)."""

    slug: str
    purpose: str
    consent_model: str
    policy_terms_version: int
    no_choice_reason: str | None
    patient_id: uuid.UUID | None
    choice_id: uuid.UUID | None
    sequence: int | None
    all_tools: bool | None
    choice_purpose: str | None
    decision: str | None
    choice_terms_version: int | None
    voided: bool | None
    recorded_at: datetime | None


_tools, _purposes = AiTool.__table__, ToolPurpose.__table__
_patients, _choices = Patient.__table__, Choice.__table__


def _statement(by_tool: bool, by_purpose: bool) -> Any:
    statement = (
        select(_tools.c.slug, _purposes.c.purpose, _purposes.c.consent_model, _purposes.c.terms_version,
               _purposes.c.no_choice_reason, _patients.c.id, _choices.c.id, _choices.c.sequence,
               _choices.c.tool_id.is_(None), _choices.c.purpose, _choices.c.decision, _choices.c.terms_version,
               _choices.c.voided_at_utc.is_not(None), _choices.c.recorded_at_utc)
        .select_from(_tools.join(_purposes, _purposes.c.tool_id == _tools.c.id)
                     .outerjoin(_patients, _patients.c.nhs_number == bindparam("nhs_number"))
                     .outerjoin(_choices, and_(_choices.c.patient_id == _patients.c.id,
                                               _choices.c.purpose == _purposes.c.purpose,
                                               or_(_choices.c.tool_id.is_(None), _choices.c.tool_id == _tools.c.id))))
        .where(_tools.c.retired_at_utc.is_(None))
        .order_by(_tools.c.slug, _purposes.c.purpose, _choices.c.sequence)
    )
    if by_tool:
        statement = statement.where(_tools.c.slug == bindparam("tool"))
    if by_purpose:
        statement = statement.where(_purposes.c.purpose == bindparam("purpose"))
    return statement


_STATEMENTS = {(t, p): _statement(t, p) for t in (False, True) for p in (False, True)}


class _DriverStatement(NamedTuple):
    """A statement compiled once for one dialect, run straight on the driver's cursor."""

    sql: str
    positions: tuple[str, ...] | None  # parameter names in order, for positional paramstyles
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, SQLAlchemy's result processor)


_driver_statements: dict[tuple[str, bool, bool], _DriverStatement] = {}


def _driver_statement(dialect: Any, by_tool: bool, by_purpose: bool) -> _DriverStatement:
    key = (dialect.name, by_tool, by_purpose)
    found = _driver_statements.get(key)
    if found is None:
        statement = _STATEMENTS[(by_tool, by_purpose)]
        compiled = statement.compile(dialect=dialect)
        converters = tuple((index, processor) for index, column in enumerate(statement.selected_columns)
                           if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None)
        found = _driver_statements[key] = _DriverStatement(
            compiled.string, tuple(compiled.positiontup) if compiled.positional else None, converters)  # type: ignore[arg-type]
    return found


def list_policy_choice_rows(connection: Connection, nhs_number: str, tool_slug: str | None,
                            purpose: str | None) -> list[PolicyChoiceRow]:
    """Every live tool purpose matching the filters (``None``: any), each with the choices of
    the patient with this 10-digit NHS number that it can depend on, ordered by slug, purpose
    and sequence. Empty when no live tool purpose matches (an unknown tool, for example).

    The statement is SQLAlchemy's, compiled once per dialect, and its rows are converted by
    the same result processors SQLAlchemy uses (UUIDs and UTC times on SQLite, for example);
    it runs on the driver's cursor because SQLAlchemy's execution machinery cost more CPU
    than the query (issue 8 point 9). A driver error is raised as SQLAlchemy's ``DBAPIError``
    (``connection_invalidated`` when the connection was lost), as SQLAlchemy would."""
    compiled = _driver_statement(connection.dialect, tool_slug is not None, purpose is not None)
    values: dict[str, Any] = {"nhs_number": nhs_number}
    if tool_slug is not None:
        values["tool"] = tool_slug
    if purpose is not None:
        values["purpose"] = purpose
    parameters: Any = values if compiled.positions is None else tuple(values[name] for name in compiled.positions)
    # As SQLAlchemy would raise them: the app answers 503 for a database error, and
    # ``HeldConnection`` retries once when the connection was lost.
    with driver_errors_as_sqlalchemy(connection, compiled.sql):
        cursor = _lookup_cursor(connection)
        cursor.execute(compiled.sql, parameters)
        rows = cursor.fetchall()
    if compiled.converters:
        converted = []
        for row in rows:
            row = list(row)
            for index, convert in compiled.converters:
                row[index] = convert(row[index])
            converted.append(PolicyChoiceRow(*row))
        return converted
    return [PolicyChoiceRow(*row) for row in rows]


_CURSOR_KEY = "portal.lookup_cursor"


def _lookup_cursor(connection: Connection) -> Any:
    """The driver cursor kept for lookups on this DBAPI connection: making and closing a
    psycopg cursor cost about a third of the lookup's client CPU. It lives in the pooled
    connection's ``info``, which SQLAlchemy clears when the DBAPI connection is closed or
    invalidated, so a new connection gets a new cursor; a connection is used by one thread
    at a time, and each lookup reads all its rows before the next executes."""
    info = connection.connection.info
    cursor = info.get(_CURSOR_KEY)
    if cursor is None:
        cursor = info[_CURSOR_KEY] = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    return cursor


class HeldConnection:
    """One autocommit connection per thread, kept open for quick single-statement reads.

    ``run(work)`` calls ``work(connection)``; if the connection was lost (the database
    restarted), it is dropped and ``work`` runs once more on a new one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._held: list[Connection] = []  # every thread's, so ``close_all`` can reach them
        self._lock = threading.Lock()

    def _connection(self) -> Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._local.connection = connection
            with self._lock:
                self._held = [c for c in self._held if not c.closed]
                self._held.append(connection)
        return connection

    def run(self, work: Callable[[Connection], T]) -> T:
        connection = self._connection()
        try:
            return work(connection)
        except DBAPIError as error:
            if not error.connection_invalidated:
                self.close()
                raise
            self.close()
            return work(self._connection())

    def close(self) -> None:
        """Let this thread's connection go."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            _close(connection)

    def close_all(self) -> None:
        """Let every thread's connection go (shutdown, tests); a thread still reading
        opens a new one."""
        with self._lock:
            held, self._held = self._held, []
        for connection in held:
            _close(connection)
        self._local.connection = None


def _close(connection: Connection) -> None:
    try:
        connection.close()
    except DBAPIError:
        pass
