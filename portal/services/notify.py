"""Telling people things after a change is saved: queue in the transaction, send after commit.

Delivery of sign-in codes (console, SMTP, GOV.UK Notify) lives in ``portal.services.delivery``.
These after-commit notifications (receipts, "someone made a choice for you") go to the sender
set with ``set_sender``: an in-memory ``Outbox`` until a deployment plugs a real one in.

A service calls ``queue(session, notification)`` inside its transaction. Nothing is sent
until that transaction commits; a rollback drops it, so nobody is told about a change that
was never saved. Messages carry a template id and plain personalisation values only: no
clinical detail, because email and text messages are not a safe place for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
_PENDING = "portal.notify.pending"


@dataclass(frozen=True)
class Notification:
    """One message: ``channel`` is ``email`` or ``sms``; ``to`` the address or number on
    record; ``template`` a stable id (for example ``choice-receipt``); ``personalisation``
    plain strings the template fills in (references, ISO 8601 UTC times)."""

    template: str
    channel: str
    to: str
    personalisation: dict[str, str] = field(default_factory=dict)


class Sender(Protocol):
    def send(self, notification: Notification) -> None: ...


class Outbox:
    """Keeps what was sent in memory (tests and development). Logs the template only."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)
        log.info("notification sent: %(template)s by %(channel)s",
                 {"template": notification.template, "channel": notification.channel})

    def clear(self) -> None:
        self.sent.clear()


_sender: Sender = Outbox()


def set_sender(sender: Sender) -> None:
    """Use ``sender`` for every message from now on (the app factory or a test sets it)."""
    global _sender
    _sender = sender


def get_sender() -> Sender:
    return _sender


def contact_for(email: str | None, mobile: str | None) -> tuple[str, str] | None:
    """(channel, address) from the contact details on record: email first, then mobile."""
    if email:
        return "email", email
    if mobile:
        return "sms", mobile
    return None


def queue(session: Session, notification: Notification) -> None:
    """Send ``notification`` when ``session``'s transaction commits (dropped on rollback)."""
    session.info.setdefault(_PENDING, []).append(notification)


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    for notification in session.info.pop(_PENDING, []):
        _sender.send(notification)


@event.listens_for(Session, "after_transaction_end")
def _drop_unsent(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_PENDING, None)
