"""Queries behind AI-use reports from clinical systems: a client's earlier report with the
same external reference, and a tool purpose's policy history (to know what applied when the
tool was used)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.data.ai_use import AiUseEvent
from portal.data.register import AiTool, ToolPolicyChange


def get_ai_use_event_by_reference(session: Session, client_id: uuid.UUID, reference: str) -> AiUseEvent | None:
    statement = select(AiUseEvent).where(AiUseEvent.reported_by_client_id == client_id,
                                         AiUseEvent.external_reference == reference)
    return session.execute(statement).scalar_one_or_none()


def list_policy_changes_for(session: Session, slug: str, purpose: str) -> list[ToolPolicyChange]:
    """Every recorded change to the tool purpose's consent model or terms, oldest first."""
    statement = (select(ToolPolicyChange).join(AiTool, AiTool.id == ToolPolicyChange.tool_id)
                 .where(AiTool.slug == slug, ToolPolicyChange.purpose == purpose)
                 .order_by(ToolPolicyChange.sequence))
    return list(session.execute(statement).scalars())
