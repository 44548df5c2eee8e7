"""Delivering one-time codes: console (development), SMTP against a real SMTP server on
loopback (aiosmtpd), and GOV.UK Notify's official client against a loopback stand-in for the
Notify API that checks the client's signed token as Notify does."""

from __future__ import annotations

import io
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer

from portal.services import delivery
from portal.services.delivery import CodeMessage, ConsoleSender, DeliveryFailed, NotifySender, SmtpSender


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture()
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_smtp_delivers_the_code_by_email(smtp_server):
    inbox, port = smtp_server
    sender = SmtpSender("127.0.0.1", port, "none", "no-reply@ai-choices.nhs.example")
    sender.send(CodeMessage("email", "sian.obrien@example.org", "482913"))
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "no-reply@ai-choices.nhs.example"  # type: ignore[attr-defined]
    assert envelope.rcpt_tos == ["sian.obrien@example.org"]  # type: ignore[attr-defined]
    message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
    assert message["Subject"] == "Your sign-in code"
    assert "482913" in message.get_payload(decode=True).decode()
    assert sender.can_send("email") and not sender.can_send("sms")


def test_smtp_failure_is_a_delivery_failure_without_the_address():
    sender = SmtpSender("127.0.0.1", free_port(), "none", "no-reply@ai-choices.nhs.example", timeout=2)
    with pytest.raises(DeliveryFailed) as failure:
        sender.send(CodeMessage("email", "sian.obrien@example.org", "482913"))
    assert "sian" not in str(failure.value)


SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"


class NotifyStandIn(BaseHTTPRequestHandler):
    """Answers POST /v2/notifications/{email,sms} like GOV.UK Notify, after checking the
    Bearer token is signed with the service's secret."""

    received: list[tuple[str, dict]] = []
    status = 201

    def do_POST(self) -> None:  # noqa: N802
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        try:
            assert get_token_issuer(token) == SERVICE_ID
            decode_jwt_token(token, SECRET)
        except Exception:  # noqa: BLE001 - any bad token is a 403, as Notify answers
            self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}], "status_code": 403})
            return
        NotifyStandIn.received.append((self.path, body))
        self._answer(self.status, {"id": str(uuid.uuid4()), "content": {}, "template": {"id": body["template_id"]}}
                     if self.status == 201 else {"errors": [{"error": "BadRequestError", "message": "x"}],
                                                 "status_code": self.status})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def notify_api() -> Iterator[str]:
    NotifyStandIn.received, NotifyStandIn.status = [], 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotifyStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_notify_sends_email_and_text_messages_with_the_code_in_the_template(notify_api):
    sender = NotifySender(API_KEY, notify_api, "email-template-id", "sms-template-id")
    sender.send(CodeMessage("email", "sian.obrien@example.org", "482913"))
    sender.send(CodeMessage("sms", "07700 900123", "193847"))
    assert NotifyStandIn.received == [
        ("/v2/notifications/email", {"email_address": "sian.obrien@example.org", "template_id": "email-template-id",
                                     "personalisation": {"code": "482913"}}),
        ("/v2/notifications/sms", {"phone_number": "07700 900123", "template_id": "sms-template-id",
                                   "personalisation": {"code": "193847"}}),
    ]


@pytest.mark.parametrize("problem", ["refused", "wrong key"])
def test_notify_refusals_are_delivery_failures(notify_api, problem):
    if problem == "refused":
        NotifyStandIn.status = 400
        key = API_KEY
    else:
        key = f"portal_test-{SERVICE_ID}-{uuid.uuid4()}"
    with pytest.raises(DeliveryFailed):
        NotifySender(key, notify_api, "email-template-id", "").send(CodeMessage("email", "a@example.org", "1"))


def test_notify_without_a_text_template_cannot_send_texts():
    sender = NotifySender(API_KEY, "http://127.0.0.1:9", "email-template-id", "")
    assert sender.can_send("email") and not sender.can_send("sms")


def test_the_console_prints_the_code_marked_for_development_only():
    out = io.StringIO()
    ConsoleSender(out).send(CodeMessage("email", "sian.obrien@example.org", "482913"))
    printed = out.getvalue()
    assert "[development only]" in printed and "482913" in printed
    assert "sian" not in printed


@pytest.mark.parametrize(("channel", "kind"), [("console", ConsoleSender), ("smtp", SmtpSender),
                                               ("notify", NotifySender), ("", type(None))])
def test_the_setting_chooses_the_sender(channel, kind):
    settings = {"NOTIFY_CHANNEL": channel, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 25, "SMTP_SECURITY": "none",
                "SMTP_FROM": "a@example.org", "SMTP_USERNAME": "", "SMTP_PASSWORD": "", "NOTIFY_API_KEY": API_KEY,
                "NOTIFY_BASE_URL": "http://127.0.0.1:9", "NOTIFY_EMAIL_TEMPLATE_ID": "e", "NOTIFY_SMS_TEMPLATE_ID": "s"}
    assert isinstance(delivery.build_sender(settings), kind)
