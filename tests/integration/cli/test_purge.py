"""``flask portal purge`` applies the retention schedule (issue 9 point 3): spent one-time
codes and finished sessions go; live ones, choices and audit events stay; a second run, or
two runs at once from separate connections, removes nothing twice and raises no error."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.config import ConfigError, load
from portal.data.accounts import AccountSession, OneTimeCode
from portal.data.audit import AuditEvent
from portal.data.choices import Choice
from portal.data.staff import StaffSession
from portal.extensions import db
from portal.services import audit, retention
from tests.factories import make_patient
from tests.helpers.auth import start_session
from tests.helpers.staff import start_staff_session

def _code(session, patient, *, sent_ago: timedelta, used: bool = False) -> OneTimeCode:  # type: ignore[no-untyped-def]
    sent = datetime.now(UTC) - sent_ago
    code = OneTimeCode(patient_id=patient.id, code_hash="x" * 64, channel="email", destination_masked="a***@example.org",
                       sent_at_utc=sent, expires_at_utc=sent + timedelta(minutes=10), used_at_utc=sent if used else None)
    session.add(code)
    return code


@pytest.fixture()
def retained(app):  # type: ignore[no-untyped-def]
    """Two spent codes and one live; three finished sessions and two live; one choice."""
    patient_token = start_session(app, _patient(app))
    start_staff_session(app, "auditor")
    now = datetime.now(UTC)  # at the test, not at import: a full run takes minutes
    with app.app_context():
        session = db.session
        patient = session.execute(select(AccountSession)).scalar_one().self_patient_id
        from portal.data.people import get_patient
        person = get_patient(session, patient)
        _code(session, person, sent_ago=timedelta(minutes=11))
        _code(session, person, sent_ago=timedelta(minutes=2), used=True)
        _code(session, person, sent_ago=timedelta(minutes=2))
        live = session.execute(select(AccountSession)).scalar_one()
        for ended_ago, seen_ago, started_ago in ((timedelta(hours=25), timedelta(hours=25), timedelta(hours=26)),
                                                 (None, timedelta(hours=25), timedelta(hours=26)),
                                                 (None, timedelta(minutes=1), timedelta(hours=37))):
            session.add(AccountSession(token_hash=uuid.uuid4().hex * 2,
                                       account_id=live.account_id, level="P9", route="nhs-login",
                                       created_at_utc=now - started_ago, last_seen_at_utc=now - seen_ago,
                                       ended_at_utc=now - ended_ago if ended_ago else None))
        session.add(AccountSession(token_hash="r" * 64, account_id=live.account_id, level="P9", route="nhs-login",
                                   created_at_utc=now - timedelta(hours=2), last_seen_at_utc=now - timedelta(hours=2),
                                   ended_at_utc=now - timedelta(hours=2)))  # ended, but not a day ago yet
        session.add(Choice(patient_id=person.id, purpose="care", decision="deny", terms_version=1,
                           recorded_at_utc=now - timedelta(days=4000), actor_kind="self", channel="web",
                           reference="AB12CD34", idempotency_key="k1", sequence=999_999))
        audit.record(session, audit.SYSTEM, "old.event")
        session.commit()
    return patient_token


def _patient(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        patient = make_patient(db.session)
        db.session.commit()
        return patient


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_purge_removes_spent_codes_and_finished_sessions_and_keeps_the_rest(app, retained):
    choices, audits = _count(app, Choice), _count(app, AuditEvent)
    result = app.test_cli_runner().invoke(args=["portal", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 one-time codes." in result.output
    assert "Removed 3 sessions." in result.output
    assert "Removed 0 abandoned drafts." in result.output
    assert "Choices and audit events are never removed by purge." in result.output
    assert _count(app, OneTimeCode) == 1
    assert _count(app, AccountSession) == 2 and _count(app, StaffSession) == 1
    assert _count(app, Choice) == choices and _count(app, AuditEvent) == audits + 1  # the purge is audited
    again = app.test_cli_runner().invoke(args=["portal", "purge"])
    assert "Removed 0 one-time codes." in again.output and "Removed 0 sessions." in again.output


def purge_at_once(apps) -> list[retention.PurgeReport]:  # type: ignore[no-untyped-def]
    """Run ``retention.purge`` in each app at the same moment (one thread and connection
    each, released together by a barrier); the reports, after checking none failed."""
    barrier = threading.Barrier(len(apps))
    reports: list[retention.PurgeReport] = []
    errors: list[BaseException] = []

    def run(one) -> None:  # type: ignore[no-untyped-def]
        try:
            with one.app_context():
                barrier.wait(timeout=10)
                reports.append(retention.purge(db.session, one.config, datetime.now(UTC)))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(one,)) for one in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return reports


def test_two_purges_at_once_remove_each_row_once(app, make_app, retained):
    apps = [make_app(), make_app()]
    reports = purge_at_once(apps)
    assert sum(r.removed["one-time codes"] for r in reports) == 2
    assert sum(r.removed["sessions"] for r in reports) == 3
    assert _count(app, OneTimeCode) == 1 and _count(app, AccountSession) == 2


@pytest.mark.parametrize(("value", "message"), [
    ("0", "RETAIN_DRAFTS_DAYS must be a whole number of at least 1."),
    ("thirty", "RETAIN_DRAFTS_DAYS must be a whole number of at least 1."),
])
def test_a_retention_setting_must_be_a_positive_whole_number(value, message):
    with pytest.raises(ConfigError, match=message):
        load({"PORTAL_ENV": "test", "RETAIN_DRAFTS_DAYS": value})


def test_the_defaults_match_the_dpia():
    settings = load({"PORTAL_ENV": "test"})
    assert (settings["RETAIN_ONE_TIME_CODES_MINUTES"], settings["RETAIN_ENDED_SESSIONS_HOURS"],
            settings["RETAIN_DRAFTS_DAYS"], settings["RETAIN_REJECTED_UPLOADS_DAYS"],
            settings["RETAIN_RECORDS_YEARS"]) == (10, 24, 30, 30, 8)
