"""`flask portal purge` deletes dispute drafts untouched for RETAIN_DRAFTS_DAYS, and only those."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.data.disputes import DisputeDraft
from portal.extensions import db
from portal.services import identity
from portal.domain.nhs_number import NhsNumber
from tests.factories import make_patient


def _draft(session, patient, updated):  # type: ignore[no-untyped-def]
    account = identity.link_verified_identity(session, identity.VerifiedIdentity(
        provider=identity.NHS_LOGIN, subject=f"draft-{patient.id}", level="P9",
        nhs_number=NhsNumber(patient.nhs_number), birthdate=patient.date_of_birth,
        family_name=patient.family_name, given_name=patient.given_name), datetime.now(UTC))
    draft = DisputeDraft(account_id=account.id, patient_id=patient.id, answers={"why": "kept?"})
    session.add(draft)
    session.flush()
    draft.updated_at_utc = updated
    session.flush()


def test_old_drafts_go_and_recent_ones_stay(app):
    now = datetime.now(UTC)
    with app.app_context():
        _draft(db.session, make_patient(db.session), now - timedelta(days=31))
        _draft(db.session, make_patient(db.session), now - timedelta(days=29))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(DisputeDraft)).scalar_one() == 1
    again = app.test_cli_runner().invoke(args=["portal", "purge"])
    assert again.exit_code == 0
