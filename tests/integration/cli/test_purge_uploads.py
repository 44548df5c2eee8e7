"""`flask portal purge` deletes the evidence file of a carer's request rejected or withdrawn
more than RETAIN_REJECTED_UPLOADS_DAYS ago, and clears its name (issue 9 point 3). The request
and its history, choices and audit events stay; a file already missing is not an error; a
second run, or two runs at once from separate connections, deletes each file once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.data.accounts import Account
from portal.data.audit import AuditEvent
from portal.data.authorities import Authority, AuthorityEvent
from portal.data.choices import Choice
from portal.domain.authority import AuthorityBasis
from portal.domain.nhs_number import NhsNumber
from portal.extensions import db
from portal.services import audit
from portal.services import authority as authority_service
from portal.services.authority_requests import AuthorityRequest, request_authority
from portal.services.evidence import store_evidence
from tests.factories import make_patient
from tests.integration.cli.test_purge import purge_at_once

PDF = b"%PDF-1.7\nmade-up evidence\n"
STAFF = uuid.UUID(int=9)


@dataclass
class Uploads:
    directory: Path
    expired: dict[str, uuid.UUID]  # file name -> request, past the retention period
    kept: dict[str, uuid.UUID]  # file name -> request, still needed
    gone: uuid.UUID  # rejected long ago, its file already deleted by hand


def _request(session, carer: Account, directory: Path, when: datetime, *, store: bool = True):  # type: ignore[no-untyped-def]
    patient = make_patient(session)
    name, mime = store_evidence(directory, PDF) if store else (f"{uuid.uuid4().hex}.pdf", "application/pdf")
    asked = AuthorityRequest(NhsNumber(patient.nhs_number), patient.date_of_birth, patient.postcode,
                             AuthorityBasis.HEALTH_AND_WELFARE_LPA, "Son", reference="7000-1234-5678",
                             evidence_path=name, evidence_type=mime)
    return request_authority(session, carer.id, carer.patient_id, asked, when), name


def _reject(session, authority, when: datetime) -> None:  # type: ignore[no-untyped-def]
    authority_service.reject(session, authority.id, "evidence-unclear", "We could not read the copy.", STAFF, when)


@pytest.fixture()
def uploads(app, tmp_path, monkeypatch) -> Uploads:  # type: ignore[no-untyped-def]
    directory = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "EVIDENCE_UPLOAD_DIR", str(directory))
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    with app.app_context():
        session = db.session
        carer_self = make_patient(session)
        carer = Account(provider="nhs-login", subject=f"carer-{uuid.uuid4()}", patient_id=carer_self.id,
                        highest_level="P9")
        session.add(carer)
        session.flush()
        expired, kept = {}, {}
        rejected, name = _request(session, carer, directory, old - timedelta(days=2))
        _reject(session, rejected, old)
        expired[name] = rejected.id
        withdrawn, name = _request(session, carer, directory, old - timedelta(days=2))
        authority_service.withdraw(session, withdrawn.id, carer.id, old)
        expired[name] = withdrawn.id
        lately, name = _request(session, carer, directory, old)
        _reject(session, lately, recent)  # rejected 29 days ago: not yet
        kept[name] = lately.id
        waiting, name = _request(session, carer, directory, old)  # asked long ago, not checked yet
        kept[name] = waiting.id
        active, name = _request(session, carer, directory, old)
        authority_service.record_capacity_note(session, active.patient_id, lacks_capacity=True,
                                               assessed_by="Dr A Example, GP", assessed_on=date(2026, 1, 5),
                                               actor=audit.Actor("staff", str(STAFF)))
        authority_service.approve(session, active.id, authority_service.Approval(
            review_on=date(2030, 1, 1), lpa_registered=True, attorneys_act="jointly"), STAFF, old)
        kept[name] = active.id  # the evidence a verified authority rests on stays
        gone, _ = _request(session, carer, directory, old - timedelta(days=2), store=False)
        _reject(session, gone, old)
        session.add(Choice(patient_id=carer_self.id, purpose="care", decision="deny", terms_version=1,
                           recorded_at_utc=old, actor_kind="self", channel="web", reference="AB12CD34",
                           idempotency_key="k-uploads", sequence=999_998))
        session.commit()
    return Uploads(directory, expired, kept, gone.id)


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _evidence(app, authority_id: uuid.UUID) -> tuple[str, str | None, str | None]:
    with app.app_context():
        authority = db.session.get(Authority, authority_id)
        assert authority is not None
        return authority.state, authority.evidence_path, authority.evidence_type


def test_purge_deletes_expired_uploads_of_rejected_and_withdrawn_requests_only(app, uploads):
    before = {model: _count(app, model) for model in (Authority, AuthorityEvent, Choice, AuditEvent)}
    result = app.test_cli_runner().invoke(args=["portal", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 3 uploads of rejected or withdrawn requests." in result.output
    for name, authority_id in uploads.expired.items():
        assert not (uploads.directory / name).exists()
        assert _evidence(app, authority_id)[1:] == (None, None)
    assert _evidence(app, uploads.gone)[1:] == (None, None)  # a file already missing is not an error
    for name, authority_id in uploads.kept.items():
        assert (uploads.directory / name).read_bytes() == PDF
        assert _evidence(app, authority_id)[1] == name
    assert [_evidence(app, i)[0] for i in uploads.expired.values()] == ["rejected", "withdrawn"]
    after = {model: _count(app, model) for model in (Authority, AuthorityEvent, Choice, AuditEvent)}
    assert after == {**before, AuditEvent: before[AuditEvent] + 1}  # only the purge's own audit event
    with app.app_context():
        purged = db.session.execute(select(AuditEvent).where(AuditEvent.action == "retention.purged")).scalar_one()
        assert purged.details["removed"]["uploads of rejected or withdrawn requests"] == 3


def test_a_second_purge_finds_nothing_and_changes_nothing(app, uploads):
    assert app.test_cli_runner().invoke(args=["portal", "purge"]).exit_code == 0
    files = sorted(path.name for path in uploads.directory.iterdir())
    again = app.test_cli_runner().invoke(args=["portal", "purge"])
    assert again.exit_code == 0, again.output
    assert "Removed 0 uploads of rejected or withdrawn requests." in again.output
    assert sorted(path.name for path in uploads.directory.iterdir()) == files == sorted(uploads.kept)


def test_a_purged_request_offers_no_evidence_to_staff(app, client, uploads):
    from tests.helpers.staff import sign_in_staff
    sign_in_staff(client, "authority-verifier")
    rejected = next(iter(uploads.expired.values()))
    assert client.get(f"/staff/authorities/{rejected}/evidence").status_code == 200
    app.test_cli_runner().invoke(args=["portal", "purge"])
    assert client.get(f"/staff/authorities/{rejected}/evidence").status_code == 404


def test_two_purges_at_once_delete_each_upload_once(app, make_app, uploads):
    apps = [make_app(EVIDENCE_UPLOAD_DIR=str(uploads.directory)) for _ in range(2)]
    reports = purge_at_once(apps)
    assert sum(r.removed["uploads of rejected or withdrawn requests"] for r in reports) == 3
    assert sorted(path.name for path in uploads.directory.iterdir()) == sorted(uploads.kept)
    for authority_id in uploads.expired.values():
        assert _evidence(app, authority_id)[1] is None
