"""Messages after a change is saved, through a real sender chosen by ``NOTIFY_CHANNEL``
(issue 5 points 2 and 4): the receipt by email, and the patient told when NHS staff or a
carer record (or void) a choice for them. SMTP goes to a real SMTP server running as its
own process on loopback (aiosmtpd, delivering into a Maildir); GOV.UK Notify to a loopback
stand-in that checks the client's signed token. No clinical detail in any message, no
address in any log line, and a failure to send never undoes the saved change."""

from __future__ import annotations

import logging
import mailbox
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import update

from portal.data.choices import Choice
from portal.data.people import Patient
from portal.extensions import db
from portal.services import choices as choice_service
from portal.services import messages, notify, notify_senders
from portal.services.choices import ChoiceActor
from tests.helpers.auth import sign_in_as
from tests.integration.choices.conftest import hidden_fields
from tests.integration.choices.pages_helpers import choices_in_db
from tests.integration.services.test_delivery import API_KEY, NotifyStandIn, free_port, notify_api  # noqa: F401

SERVICE_URL = "https://ai-choices.example.nhs.uk"
CLINICAL_WORDS = ("Chest X-ray", "chest-x-ray", "triage", "decisions about", "permit", "deny", "said no", "said yes")


class SmtpProcess:
    """``python -m aiosmtpd`` in its own process, keeping every email in a Maildir."""

    def __init__(self, maildir: Path) -> None:
        self.maildir, self.port = maildir, free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the SMTP server did not start")

    def emails(self, expected: int = 1, wait: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + wait
        while True:
            found = list(mailbox.Maildir(self.maildir, create=False))
            if len(found) >= expected or time.monotonic() > deadline:
                return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture()
def smtp(tmp_path) -> Iterator[SmtpProcess]:  # type: ignore[no-untyped-def]
    server = SmtpProcess(tmp_path / "maildir")
    yield server
    server.stop()


@pytest.fixture()
def smtp_app(make_app, smtp):  # type: ignore[no-untyped-def]
    return make_app(NOTIFY_CHANNEL="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port),
                    SMTP_SECURITY="none", SERVICE_URL=SERVICE_URL, HELP_PHONE="0300 123 4567")


def record_for(app, world, actor: ChoiceActor, decision: str = "deny") -> Choice:  # type: ignore[no-untyped-def]
    with app.app_context():
        choice = choice_service.record_choice(
            db.session, patient_id=world.patient.id, tool_slug="chest-x-ray-triage", purpose="care",
            decision=decision, actor=actor, channel="phone", idempotency_key=None)
        db.session.commit()
        return choice


def body_of(email: EmailMessage) -> str:
    return email.get_payload(decode=True).decode()  # type: ignore[union-attr]


def assert_no_clinical_detail(text: str) -> None:
    for word in CLINICAL_WORDS:
        assert word.lower() not in text.lower(), word


def test_staff_recording_a_choice_emails_the_patient_with_no_clinical_detail(smtp_app, smtp, world, caplog):
    caplog.set_level(logging.DEBUG)
    choice = record_for(smtp_app, world, ChoiceActor.staff(uuid.uuid4()))
    [email] = smtp.emails()
    assert email["To"] == world.patient.email
    assert email["From"] == "no-reply@ai-choices.nhs.example"
    assert email["Subject"] == "A choice about AI in your care was recorded for you"
    body = body_of(email)
    assert body.startswith("NHS staff recorded a choice about AI in your care for you on ")
    assert f"Reference: {choice.reference}" in body and SERVICE_URL in body and "0300 123 4567" in body
    assert messages.london_time(choice.recorded_at_utc.isoformat()) in body
    assert_no_clinical_detail(body)
    assert "notification sent: choice-recorded-for-you by email" in caplog.text
    assert world.patient.email not in caplog.text and world.patient.nhs_number not in caplog.text


def test_the_receipt_form_sends_the_receipt_by_email(smtp_app, smtp, world):
    client = sign_in_as(smtp_app, world.patient)
    choice = record_for(smtp_app, world, ChoiceActor.patient(uuid.uuid4()))
    assert smtp.emails(expected=1, wait=0.5) == []  # the patient's own choice sends nothing by itself
    page = client.get(f"/your-choices/receipt/{choice.reference}").get_data(as_text=True)
    response = client.post(f"/your-choices/receipt/{choice.reference}/send",
                           data={"csrf_token": hidden_fields(page)["csrf_token"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("sent=1")
    [email] = smtp.emails()
    assert email["Subject"] == "Your receipt: a choice about AI in your care"
    assert f"Reference: {choice.reference}" in body_of(email)
    assert_no_clinical_detail(body_of(email))


def test_a_rolled_back_change_sends_nothing(smtp_app, smtp, world):
    with smtp_app.app_context():
        choice_service.record_choice(
            db.session, patient_id=world.patient.id, tool_slug="chest-x-ray-triage", purpose="care",
            decision="deny", actor=ChoiceActor.staff(uuid.uuid4()), channel="phone", idempotency_key=None)
        db.session.rollback()
    assert smtp.emails(expected=1, wait=1.0) == []


def test_when_the_mail_server_is_down_the_choice_is_still_saved_and_the_failure_logged(make_app, world, caplog):
    app = make_app(NOTIFY_CHANNEL="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_SECURITY="none")
    caplog.set_level(logging.INFO)
    record_for(app, world, ChoiceActor.staff(uuid.uuid4()))
    assert [c.decision for c in choices_in_db(app)] == ["deny"]
    assert "notification not sent: choice-recorded-for-you by email (DeliveryFailed)" in caplog.text
    assert world.patient.email not in caplog.text


def test_a_text_message_cannot_go_by_smtp_and_is_logged_without_the_number(smtp_app, smtp, world, caplog):
    with smtp_app.app_context():
        db.session.execute(update(Patient).where(Patient.id == world.patient.id)
                           .values(email=None, mobile="07700 900123"))
        db.session.commit()
    caplog.set_level(logging.INFO)
    record_for(smtp_app, world, ChoiceActor.staff(uuid.uuid4()))
    assert smtp.emails(expected=1, wait=0.5) == []
    assert "notification not sent: choice-recorded-for-you by sms (NotSendable)" in caplog.text
    assert "900123" not in caplog.text


def test_gov_uk_notify_gets_the_words_in_its_general_templates(make_app, notify_api, world):  # noqa: F811
    app = make_app(NOTIFY_CHANNEL="notify", NOTIFY_API_KEY=API_KEY, NOTIFY_BASE_URL=notify_api,
                   NOTIFY_MESSAGE_EMAIL_TEMPLATE_ID="message-email", NOTIFY_MESSAGE_SMS_TEMPLATE_ID="message-sms")
    choice = record_for(app, world, ChoiceActor.staff(uuid.uuid4()))
    [(path, body)] = NotifyStandIn.received
    assert path == "/v2/notifications/email"
    assert (body["email_address"], body["template_id"]) == (world.patient.email, "message-email")
    assert body["personalisation"]["subject"] == "A choice about AI in your care was recorded for you"
    assert f"Reference: {choice.reference}" in body["personalisation"]["body"]


def test_in_development_the_console_shows_the_message_but_never_the_address(make_app, world, capsys):
    app = make_app(PORTAL_ENV="development", NOTIFY_CHANNEL="console")
    choice = record_for(app, world, ChoiceActor.staff(uuid.uuid4()))
    printed = capsys.readouterr().err
    assert "choice-recorded-for-you by email" in printed and choice.reference in printed
    assert world.patient.email not in printed


def test_tests_keep_the_in_memory_outbox(app, outbox):
    assert notify_senders.build_notification_sender(app.config) is None
    assert notify.get_sender() is outbox


@pytest.mark.parametrize(("utc", "shown"), [
    (datetime(2026, 3, 3, 14, 5, tzinfo=UTC), "3 March 2026 at 2:05pm"),  # GMT
    (datetime(2026, 6, 1, 9, 0, tzinfo=UTC), "1 June 2026 at 10:00am"),  # BST
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),  # the hour before the clocks go back
])
def test_messages_give_times_in_uk_time(utc, shown):
    message = messages.render("choice-receipt", {"reference": "CHO-AAAA-BBBB", "recorded_at_utc": utc.isoformat()},
                              messages.Place())
    assert f"on {shown} (UK time)" in message.body


def test_an_unknown_kind_of_message_still_says_there_is_an_update():
    message = messages.render("dispute-update", {"reference": "DIS-1234"}, messages.Place(SERVICE_URL))
    assert "There is an update for you." in message.body and "DIS-1234" in message.body and SERVICE_URL in message.body


def test_a_void_is_told_in_plain_words_with_no_clinical_detail():
    message = messages.render("choice-voided", {"reference": "CHO-AAAA-BBBB",
                                                "voided_at_utc": datetime(2026, 7, 1, 8, 0, tzinfo=UTC).isoformat()},
                              messages.Place(SERVICE_URL, "0300 123 4567"))
    assert message.subject == "A choice about AI in your care was cancelled"
    assert message.body.startswith("NHS staff cancelled a choice on your record on 1 July 2026 at 9:00am (UK time) "
                                   "because it was made by mistake. It no longer counts.")
    assert "Reference: CHO-AAAA-BBBB" in message.body and "0300 123 4567" in message.body
    assert_no_clinical_detail(message.body)


def test_when_the_receipt_cannot_be_sent_the_page_says_so(make_app, world):
    app = make_app(NOTIFY_CHANNEL="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_SECURITY="none")
    client = sign_in_as(app, world.patient)
    choice = record_for(app, world, ChoiceActor.patient(uuid.uuid4()))
    page = client.get(f"/your-choices/receipt/{choice.reference}").get_data(as_text=True)
    response = client.post(f"/your-choices/receipt/{choice.reference}/send",
                           data={"csrf_token": hidden_fields(page)["csrf_token"]})
    assert response.headers["Location"].endswith("sent=failed")
    words = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We could not send this receipt to your email address just now. Your choice is saved." in words
    assert "We sent this receipt" not in words
