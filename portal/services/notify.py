"""Telling people things after a change is saved: queue in the transaction, send after commit.

Delivery of sign-in codes (console, SMTP, GOV.UK Notify) lives in ``portal.services.delivery``.
These after-commit notifications (receipts, "someone made a choice for you") go to the sender
the session carries in ``session.info[SENDER_KEY]`` (the app factory puts the one
``NOTIFY_CHANNEL`` names there: ``portal.services.notify_senders``), or else to the
process-wide one set with ``set_sender``: an in-memory ``Outbox`` (tests).

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
SENDER_KEY = "portal.notify.sender"
_FAILED = "portal.notify.failed"


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


def sender_for(session: Session) -> Sender:
    """The sender this session's messages go to (see the module docstring)."""
    return session.info.get(SENDER_KEY) or _sender


def take_failures(session: Session) -> list[str]:
    """The templates of messages that could not be sent after this session's last commits
    (and forget them), so a page can say so: "We could not send your receipt"."""
    return session.info.pop(_FAILED, [])


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    """Send what the committed transaction queued. The change is saved whatever happens
    here, so a failure to send is logged (template and channel only, never the address or
    the words) and never raised into the request that saved it."""
    sender = sender_for(session)
    for notification in session.info.pop(_PENDING, []):
        try:
            sender.send(notification)
        except Exception as error:  # noqa: BLE001 - after commit nothing may undo the saved change
            session.info.setdefault(_FAILED, []).append(notification.template)
            log.warning("notification not sent: %(template)s by %(channel)s (%(problem)s)", {
                "template": notification.template, "channel": notification.channel,
                "problem": type(error).__name__})


@event.listens_for(Session, "after_transaction_end")
def _drop_unsent(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_PENDING, None)
