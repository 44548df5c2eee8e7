"""Reads of patients' decisions by clinical systems, each one audited (issue 8 points 2, 7).

The rule is ``portal.services.decisions`` (DESIGN.md section 3), never repeated here. Every
read that reveals a named patient's decision appends one AuditEvent in the caller's
transaction: actor the API client, action ``decisions.read``, the patient, and details
``endpoint`` (the route template), ``organisation`` (the client's ODS code) and the filters.
The patient sees it in their history.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.data.durability import relax_commit_durability
from portal.domain import PurposePolicy, decide_many
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
        base: dict[str, object] = {"endpoint": self.endpoint, "organisation": self.client.ods_code}
        base.update({k: v for k, v in extra.items() if v is not None})
        return base


def policies_for(session: Session, tool: str | None = None,
                 purpose: Purpose | None = None) -> dict[PolicyKey, PurposePolicy]:
    """The register's policies, filtered; raises ``UnknownTool`` for a slug not on it."""
    policies = decisions.load_policies(session)
    if tool is not None and all(slug != tool for slug, _ in policies):
        raise UnknownTool(tool)
    return decisions.filter_policies(policies, tool, purpose)


def read_decisions(session: Session, context: ReadContext, nhs_number: NhsNumber, *,
                   tool: str | None = None, purpose: Purpose | None = None) -> PatientDecisions:
    """Every effective decision for the patient over the (filtered) register, audited.

    A valid NHS number the portal has never seen gets the defaults (``patient_known``
    False); that read is audited too, without a patient. Raises ``UnknownTool``."""
    policies = policies_for(session, tool, purpose)
    found = decisions.decisions_for_nhs_numbers(session, [nhs_number.value], policies).get(nhs_number.value)
    if found is None:
        result = PatientDecisions(False, None, decide_many(policies, []))
    else:
        result = PatientDecisions(True, found[0], found[1])
    relax_commit_durability(session)
    audit.record(session, context.actor, READ_ACTION, patient_id=result.patient_id,
                 details=context.details(tool=tool, purpose=purpose and purpose.value,
                                         patient_known=result.patient_known))
    return result


def sorted_decisions(result: PatientDecisions) -> list[tuple[PolicyKey, object]]:
    """The decisions in a stable order: tool slug, then purpose."""
    order = {purpose: index for index, purpose in enumerate(Purpose)}
    return sorted(result.decisions.items(), key=lambda item: (item[0][0], order[item[0][1]]))

