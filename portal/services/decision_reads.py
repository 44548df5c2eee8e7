"""Reads of patients' decisions by clinical systems, each one audited (issue 8 points 2, 7).

The rule is ``portal.services.decisions`` (DESIGN.md section 3), never repeated here. Every
read that reveals a named patient's decision appends one AuditEvent in the caller's
transaction: actor the API client, action ``decisions.read``, the patient, and details
``endpoint`` (the route template), ``organisation`` (the client's ODS code), ``client_name``
(the clinical system's registered name, which the patient sees) and the filters.
The patient sees it in their history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from portal.data import decision_lookup
from portal.data.durability import relax_commit_durability
from portal.domain import PurposePolicy
from portal.domain.errors import DomainError
from portal.domain.nhs_number import NhsNumber
from portal.domain.values import Purpose
from portal.services import audit, decisions
from portal.services.api_clients import ClientView
from portal.services.decisions import PatientDecisions, PolicyKey

READ_ACTION = "decisions.read"
BATCH_ACTION = "decisions.batch-read"


class UnknownTool(DomainError):
    """No live tool on the register has this slug."""

    def __init__(self, slug: str) -> None:
        super().__init__("unknown tool")
        self.slug = slug


@dataclass(frozen=True)
class ReadContext:
    """Who is reading and through which endpoint (for the audit event)."""

    client: ClientView
    endpoint: str

    @property
    def actor(self) -> audit.Actor:
        return audit.Actor("api-client", self.client.client_id)

    def details(self, **extra: object) -> dict[str, object]:
        base: dict[str, object] = {"endpoint": self.endpoint, "organisation": self.client.ods_code,
                                   "client_name": self.client.name}
        base.update({k: v for k, v in extra.items() if v is not None})
        return base


def policies_for(session: Session, tool: str | None = None,
                 purpose: Purpose | None = None) -> dict[PolicyKey, PurposePolicy]:
    """The register's policies, filtered; raises ``UnknownTool`` for a slug not on it."""
    policies = decisions.load_policies(session)
    if tool is not None and all(slug != tool for slug, _ in policies):
        raise UnknownTool(tool)
    return decisions.filter_policies(policies, tool, purpose)


class LookupPath:
    """What makes single lookups quick, one per app (issue 8 point 9): a connection held by
    each thread for the one-query read (``decision_lookup.HeldConnection``) and, when
    ``flush_seconds`` > 0, the buffer that appends the reads' audit events to the chain in the
    background (``audit.ReadAuditBuffer``). With ``flush_seconds`` 0 there is no buffer and
    every read is audited in its own transaction."""

    def __init__(self, engine: Engine, flush_seconds: float) -> None:
        self.reader = decision_lookup.HeldConnection(engine)
        self.buffer = audit.ReadAuditBuffer(engine, flush_seconds) if flush_seconds > 0 else None

    def close(self) -> None:
        """Write what the buffer holds and let every thread's held connection go."""
        if self.buffer is not None:
            self.buffer.flush()
        self.reader.close_all()


def read_decisions(session: Session | Callable[[], Session], context: ReadContext, nhs_number: NhsNumber, *,
                   tool: str | None = None, purpose: Purpose | None = None,
                   path: LookupPath | None = None) -> PatientDecisions:
    """Every effective decision for the patient over the (filtered) register, audited.

    A valid NHS number the portal has never seen gets the defaults (``patient_known``
    False); that read is audited too, without a patient. Raises ``UnknownTool``.

    With a ``path`` that has a buffer, the read is one query on the held connection and its
    audit event goes to the buffer: ``session`` is not used (unless no live tool purpose
    matches the filters). Otherwise the read and its audit event share ``session``'s
    transaction, which the caller commits. ``session`` may be a callable that gives the
    session, so that the quick path does not even make one."""
    details = context.details(tool=tool, purpose=purpose and purpose.value)
    if path is not None and path.buffer is not None:
        found = path.reader.run(lambda connection: decisions.decisions_for_lookup(connection, nhs_number, tool, purpose))
        if found is not None:
            path.buffer.record(context.actor, READ_ACTION, patient_id=found.patient_id,
                               details={**details, "patient_known": found.patient_known})
            return found
    if callable(session):
        session = session()
    result = decisions.decisions_for_lookup(session.connection(), nhs_number, tool, purpose)
    if result is None:
        policies = policies_for(session, tool, purpose)  # raises UnknownTool
        result = decisions.decisions_for_nhs_number(session, nhs_number, policies)
    relax_commit_durability(session)
    audit.record(session, context.actor, READ_ACTION, patient_id=result.patient_id,
                 details={**details, "patient_known": result.patient_known})
    return result


def sorted_decisions(result: PatientDecisions) -> list[tuple[PolicyKey, object]]:
    """The decisions in a stable order: tool slug, then purpose."""
    order = {purpose: index for index, purpose in enumerate(Purpose)}
    return sorted(result.decisions.items(), key=lambda item: (item[0][0], order[item[0][1]]))

