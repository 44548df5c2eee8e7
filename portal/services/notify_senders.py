"""Real senders for the after-commit messages of ``portal.services.notify``, chosen by
``NOTIFY_CHANNEL`` the same way as the sign-in codes (``portal.services.delivery``):

- ``console``: development only. Prints the message, never the address, to standard error.
  In tests the in-memory ``notify.Outbox`` stays in use instead.
- ``smtp``: emails through the same SMTP settings as the codes. Text messages and letters
  cannot go by SMTP: they are dropped with a log line naming the template and channel only.
- ``notify``: GOV.UK Notify through its official client, with one email template that has
  ``((subject))`` and ``((body))`` placeholders and one text message template with
  ``((body))`` (``NOTIFY_MESSAGE_EMAIL_TEMPLATE_ID``, ``NOTIFY_MESSAGE_SMS_TEMPLATE_ID``).

The words come from ``portal.services.messages`` (no clinical detail). Every failure to hand
a message over is ``delivery.DeliveryFailed``, whose text holds no address.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from portal.services import messages
from portal.services.delivery import EMAIL, SMS, DeliveryFailed, SmtpSender
from portal.services.notify import Notification, Sender

log = logging.getLogger(__name__)


def _sent(notification: Notification) -> None:
    log.info("notification sent: %(template)s by %(channel)s",
             {"template": notification.template, "channel": notification.channel})


class NotSendable(DeliveryFailed):
    """This sender has no way to send by the notification's channel (e.g. SMS over SMTP)."""


class ConsoleNotificationSender:
    """Development only: prints what would be sent (template, channel and words)."""

    def __init__(self, place: messages.Place, stream: TextIO | None = None) -> None:
        self.place, self.stream = place, stream

    def send(self, notification: Notification) -> None:
        message = messages.render(notification.template, notification.personalisation, self.place)
        print(f"[development only] {notification.template} by {notification.channel} (not sent: "
              f"NOTIFY_CHANNEL=console)\n  {message.subject}\n  " + message.body.strip().replace("\n", "\n  "),
              file=self.stream or sys.stderr, flush=True)


class SmtpNotificationSender:
    """Emails through ``smtp`` (a ``delivery.SmtpSender``)."""

    def __init__(self, smtp: SmtpSender, place: messages.Place) -> None:
        self.smtp, self.place = smtp, place

    def send(self, notification: Notification) -> None:
        if notification.channel != EMAIL:
            raise NotSendable(f"SMTP cannot send by {notification.channel}")
        message = messages.render(notification.template, notification.personalisation, self.place)
        self.smtp.send_email(notification.to, message.subject, message.body)
        _sent(notification)


class NotifyNotificationSender:
    """GOV.UK Notify: the subject and body go into general-purpose templates."""

    def __init__(self, client: NotificationsAPIClient, email_template_id: str, sms_template_id: str,
                 place: messages.Place) -> None:
        self.client, self.place = client, place
        self.templates = {EMAIL: email_template_id, SMS: sms_template_id}

    def send(self, notification: Notification) -> None:
        template_id = self.templates.get(notification.channel)
        if not template_id:
            raise NotSendable(f"no GOV.UK Notify template for {notification.channel}")
        message = messages.render(notification.template, notification.personalisation, self.place)
        try:
            if notification.channel == EMAIL:
                self.client.send_email_notification(notification.to, template_id,
                                                    {"subject": message.subject, "body": message.body})
            else:
                self.client.send_sms_notification(notification.to, template_id, {"body": message.body})
        except (APIError, RequestException) as error:
            raise DeliveryFailed(f"GOV.UK Notify refused or did not answer: {type(error).__name__}") from None
        _sent(notification)


def build_notification_sender(settings: Mapping[str, Any]) -> Sender | None:
    """The sender ``settings["NOTIFY_CHANNEL"]`` names, or None to keep the process-wide one
    (``notify.get_sender()``: the in-memory outbox), as in tests and when nothing is set."""
    channel = settings.get("NOTIFY_CHANNEL")
    place = messages.Place(str(settings.get("SERVICE_URL") or ""), str(settings.get("HELP_PHONE") or ""))
    if channel == "console" and settings.get("PORTAL_ENV") == "development":
        return ConsoleNotificationSender(place)
    if channel == "smtp":
        return SmtpNotificationSender(SmtpSender(settings["SMTP_HOST"], settings["SMTP_PORT"], settings["SMTP_SECURITY"],
                                                 settings["SMTP_FROM"], settings["SMTP_USERNAME"],
                                                 settings["SMTP_PASSWORD"]), place)
    if channel == "notify":
        client = NotificationsAPIClient(settings["NOTIFY_API_KEY"], base_url=settings["NOTIFY_BASE_URL"], timeout=10.0)
        return NotifyNotificationSender(client, settings["NOTIFY_MESSAGE_EMAIL_TEMPLATE_ID"],
                                        settings["NOTIFY_MESSAGE_SMS_TEMPLATE_ID"], place)
    return None
