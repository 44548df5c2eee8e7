"""The AI tool register (DESIGN.md section 3: AiTool), following the UK Algorithmic
Transparency Recording Standard (tier 1 overview, tier 2 detail), adapted to care.

``ToolPurpose`` holds each purpose's consent model and terms version; a material change
raises the version and is written as a ``ToolPolicyChange`` carrying a number from the
``decision-changes`` sequence, so the API's change feed tells clinical systems that many
patients' decisions changed without any new choice.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from portal.data.base import Base, IdMixin, utcnow
from portal.data.people import Organisation, PatientOrganisation


class AiTool(IdMixin, Base):
    __tablename__ = "ai_tools"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    product_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    supplier_name: Mapped[str] = mapped_column(String(300))
    supplier_url: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(40))
    phase: Mapped[str] = mapped_column(String(20))
    phase_since: Mapped[str | None] = mapped_column(String(20))
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)
    offers_choice: Mapped[bool] = mapped_column(default=True)
    no_choice_here_reason: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    how_it_works: Mapped[str] = mapped_column(Text)
    data_used: Mapped[str] = mapped_column(Text)
    human_oversight: Mapped[str] = mapped_column(Text)
    limitations: Mapped[str] = mapped_column(Text)
    groups_less_well: Mapped[str] = mapped_column(Text)
    monitoring: Mapped[str] = mapped_column(Text)
    regulatory_status: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Per-locale translations of the text fields: {"cy": {"summary": "..."}}. Missing text is
    # shown in English, marked lang="en", with a note that it is not yet translated.
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    review_status: Mapped[str] = mapped_column(String(20), default="unreviewed")
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at_utc: Mapped[datetime | None] = mapped_column()

    purposes: Mapped[list[ToolPurpose]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", order_by="ToolPurpose.purpose"
    )
    deployments: Mapped[list[ToolDeployment]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", order_by="ToolDeployment.id"
    )


class ToolPurpose(IdMixin, Base):
    """One purpose a tool serves: ``care``, ``improvement`` or ``research``."""

    __tablename__ = "tool_purposes"
    __table_args__ = (UniqueConstraint("tool_id", "purpose"),)

    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_tools.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    consent_model: Mapped[str] = mapped_column(String(20))  # opt-in | opt-out | no-choice
    terms_version: Mapped[int] = mapped_column(default=1)
    plain_terms: Mapped[str] = mapped_column(Text)
    no_choice_reason: Mapped[str | None] = mapped_column(Text)
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    updated_at_utc: Mapped[datetime] = mapped_column(default=utcnow)

    tool: Mapped[AiTool] = relationship(back_populates="purposes")


class ToolDeployment(IdMixin, Base):
    """An organisation that uses a tool, and the services there that use it."""

    __tablename__ = "tool_deployments"
    __table_args__ = (UniqueConstraint("tool_id", "organisation_id"),)

    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_tools.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)

    tool: Mapped[AiTool] = relationship(back_populates="deployments")
    organisation: Mapped[Organisation] = relationship()


class ToolPolicyChange(IdMixin, Base):
    """A change to a purpose's consent model or terms version, in the decision-change sequence."""

    __tablename__ = "tool_policy_changes"

    sequence: Mapped[int] = mapped_column(BigInteger, unique=True)
    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_tools.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    consent_model: Mapped[str] = mapped_column(String(20))
    terms_version: Mapped[int] = mapped_column()
    previous_consent_model: Mapped[str | None] = mapped_column(String(20))
    previous_terms_version: Mapped[int | None] = mapped_column()

    tool: Mapped[AiTool] = relationship()


class RegisterChange(IdMixin, Base):
    """What an import changed in a tool ("last updated" on its page)."""

    __tablename__ = "register_changes"

    tool_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_tools.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # added | updated | retired
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)


# Repositories ---------------------------------------------------------------------------------

def _with_children():  # type: ignore[no-untyped-def]
    return (selectinload(AiTool.purposes),
            selectinload(AiTool.deployments).selectinload(ToolDeployment.organisation))


def list_tools(session: Session, include_retired: bool = False) -> list[AiTool]:
    """Every tool with purposes and deployments loaded, by name."""
    statement = select(AiTool).options(*_with_children()).order_by(AiTool.name, AiTool.slug)
    if not include_retired:
        statement = statement.where(AiTool.retired_at_utc.is_(None))
    return list(session.execute(statement).scalars())


def get_tool_by_slug(session: Session, slug: str) -> AiTool | None:
    statement = select(AiTool).options(*_with_children()).where(AiTool.slug == slug)
    return session.execute(statement).scalar_one_or_none()


def list_purpose_policies(session: Session) -> list[tuple[str, str, str, int, str | None]]:
    """(slug, purpose, consent model, terms version, no-choice reason) for every live tool
    purpose, ordered by slug then purpose: what the decision rule needs, in one query."""
    statement = (
        select(AiTool.slug, ToolPurpose.purpose, ToolPurpose.consent_model,
               ToolPurpose.terms_version, ToolPurpose.no_choice_reason)
        .join(ToolPurpose, ToolPurpose.tool_id == AiTool.id)
        .where(AiTool.retired_at_utc.is_(None))
        .order_by(AiTool.slug, ToolPurpose.purpose)
    )
    return [tuple(row) for row in session.execute(statement)]  # type: ignore[misc]


def list_tool_ids_by_slug(session: Session) -> dict[str, uuid.UUID]:
    return dict(session.execute(select(AiTool.slug, AiTool.id)).all())  # type: ignore[arg-type]


def add_tool(session: Session, tool: AiTool) -> AiTool:
    session.add(tool)
    session.flush()
    return tool


def add_register_change(session: Session, change: RegisterChange) -> RegisterChange:
    session.add(change)
    session.flush()
    return change


def add_policy_change(session: Session, change: ToolPolicyChange) -> ToolPolicyChange:
    session.add(change)
    session.flush()
    return change


def list_register_changes(session: Session, tool_id: uuid.UUID) -> list[RegisterChange]:
    """What imports changed in one tool, oldest first."""
    statement = (select(RegisterChange).where(RegisterChange.tool_id == tool_id)
                 .order_by(RegisterChange.created_at_utc, RegisterChange.id))
    return list(session.execute(statement).scalars())


def last_change_times(session: Session) -> dict[uuid.UUID, datetime]:
    """When each tool was last changed by an import ("last updated" on its page)."""
    statement = (select(RegisterChange.tool_id, func.max(RegisterChange.created_at_utc))
                 .group_by(RegisterChange.tool_id).order_by(RegisterChange.tool_id))
    return dict(session.execute(statement).all())  # type: ignore[arg-type]  (max keeps UtcDateTime)


def list_policy_changes_after(session: Session, after_sequence: int, limit: int) -> list[ToolPolicyChange]:
    """Policy changes with ``sequence`` above the cursor, oldest first (the change feed)."""
    statement = (select(ToolPolicyChange).where(ToolPolicyChange.sequence > after_sequence)
                 .order_by(ToolPolicyChange.sequence).limit(limit))
    return list(session.execute(statement).scalars())


def list_tools_for_organisation(session: Session, ods_code: str) -> list[AiTool]:
    """Live tools deployed at the organisation with ``ods_code``, by name."""
    deployed = (select(ToolDeployment.tool_id).join(Organisation, Organisation.id == ToolDeployment.organisation_id)
                .where(Organisation.ods_code == ods_code))
    statement = (select(AiTool).options(*_with_children())
                 .where(AiTool.id.in_(deployed), AiTool.retired_at_utc.is_(None))
                 .order_by(AiTool.name, AiTool.slug))
    return list(session.execute(statement).scalars())


def list_tools_for_patient(session: Session, patient_id: uuid.UUID) -> list[AiTool]:
    """Live tools deployed at any organisation caring for the patient, by name."""
    deployed = (select(ToolDeployment.tool_id)
                .join(PatientOrganisation, PatientOrganisation.organisation_id == ToolDeployment.organisation_id)
                .where(PatientOrganisation.patient_id == patient_id))
    statement = (select(AiTool).options(*_with_children())
                 .where(AiTool.id.in_(deployed), AiTool.retired_at_utc.is_(None))
                 .order_by(AiTool.name, AiTool.slug))
    return list(session.execute(statement).scalars())


def patient_has_organisations(session: Session, patient_id: uuid.UUID) -> bool:
    """True when the portal knows at least one organisation caring for the patient."""
    statement = select(PatientOrganisation.id).where(PatientOrganisation.patient_id == patient_id).limit(1)
    return session.execute(statement).first() is not None


def list_deploying_organisations(session: Session) -> list[Organisation]:
    """Organisations where at least one live tool is deployed, by name."""
    deploying = (select(ToolDeployment.organisation_id).join(AiTool, AiTool.id == ToolDeployment.tool_id)
                 .where(AiTool.retired_at_utc.is_(None)))
    statement = (select(Organisation).where(Organisation.id.in_(deploying))
                 .order_by(Organisation.name, Organisation.ods_code))
    return list(session.execute(statement).scalars())
