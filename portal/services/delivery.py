"""Delivery of one-time sign-in codes: console (development), SMTP and GOV.UK Notify.

``build_sender(settings)`` picks the sender named by ``NOTIFY_CHANNEL``:

- ``console``: development only. Prints the code (never the NHS number) to the terminal and
  ``shows_codes`` is True, so the page shows it in a box marked "development only". The
  settings refuse it in production.
- ``smtp``: an email through an SMTP server (``smtplib``; STARTTLS, implicit TLS, or none).
  Text messages cannot go by SMTP: a mobile-only person is told how to get help.
- ``notify``: GOV.UK Notify through its official client (``notifications-python-client``),
  email or text message with templates that have a ``((code))`` placeholder.

Every failure to hand a message over becomes ``DeliveryFailed`` (no address in its message).
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol, TextIO

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

EMAIL, SMS = "email", "sms"
SUBJECT = "Your sign-in code"
BODY = ("Your code to sign in to 'Your choices about AI in your care' is {code}.\n\n"
        "It expires in 10 minutes. Do not share this code with anyone. NHS staff will never ask for it.\n\n"
        "If you did not ask for a code, you can ignore this message.\n")


class DeliveryFailed(Exception):
    """The message could not be handed to the delivery service."""


@dataclass(frozen=True)
class CodeMessage:
    """A one-time code for ``to`` (an email address or mobile number) by ``channel``."""

    channel: str  # email | sms
    to: str
    code: str


class Sender(Protocol):
    shows_codes: bool

    def can_send(self, channel: str) -> bool: ...

    def send(self, message: CodeMessage) -> None: ...


class ConsoleSender:
    """Development only: prints the code and lets the page show it."""

    shows_codes = True

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def can_send(self, channel: str) -> bool:
        return channel in (EMAIL, SMS)

    def send(self, message: CodeMessage) -> None:
        stream = self.stream or sys.stdout
        print(f"[development only] sign-in code {message.code} by {message.channel} "
              f"(not sent: NOTIFY_CHANNEL=console)", file=stream, flush=True)


class SmtpSender:
    """Email through an SMTP server. ``security``: ``starttls``, ``tls`` or ``none``."""

    shows_codes = False

    def __init__(self, host: str, port: int, security: str, sender: str, username: str = "",
                 password: str = "", timeout: float = 10.0) -> None:
        self.host, self.port, self.security, self.sender = host, port, security, sender
        self.username, self.password, self.timeout = username, password, timeout

    def can_send(self, channel: str) -> bool:
        return channel == EMAIL

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: CodeMessage) -> None:
        self.send_email(message.to, SUBJECT, BODY.format(code=message.code))

    def send_email(self, to: str, subject: str, body: str) -> None:
        """One plain-text email to ``to``. Raises ``DeliveryFailed`` (no address in it)."""
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, to, subject
        email.set_content(body)
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"SMTP delivery failed: {type(error).__name__}") from None


class NotifySender:
    """GOV.UK Notify: ``send_email_notification`` / ``send_sms_notification``."""

    shows_codes = False

    def __init__(self, api_key: str, base_url: str, email_template_id: str, sms_template_id: str,
                 timeout: float = 10.0) -> None:
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.templates = {EMAIL: email_template_id, SMS: sms_template_id}

    def can_send(self, channel: str) -> bool:
        return bool(self.templates.get(channel))

    def send(self, message: CodeMessage) -> None:
        personalisation = {"code": message.code}
        try:
            if message.channel == EMAIL:
                self.client.send_email_notification(message.to, self.templates[EMAIL], personalisation)
            else:
                self.client.send_sms_notification(message.to, self.templates[SMS], personalisation)
        except (APIError, RequestException) as error:
            raise DeliveryFailed(f"GOV.UK Notify refused or did not answer: {type(error).__name__}") from None


def build_sender(settings: Mapping[str, Any]) -> Sender | None:
    """The sender ``settings["NOTIFY_CHANNEL"]`` names, or None when codes cannot be sent."""
    channel = settings.get("NOTIFY_CHANNEL")
    if channel == "console":
        return ConsoleSender()
    if channel == "smtp":
        return SmtpSender(settings["SMTP_HOST"], settings["SMTP_PORT"], settings["SMTP_SECURITY"],
                          settings["SMTP_FROM"], settings["SMTP_USERNAME"], settings["SMTP_PASSWORD"])
    if channel == "notify":
        return NotifySender(settings["NOTIFY_API_KEY"], settings["NOTIFY_BASE_URL"],
                            settings["NOTIFY_EMAIL_TEMPLATE_ID"], settings["NOTIFY_SMS_TEMPLATE_ID"])
    return None
