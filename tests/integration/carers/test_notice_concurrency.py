"""The notice before 13 goes once even when the daily sweep runs twice at the same time (two
cron hosts, or a retry overlapping a slow run): separate connections, real commits. Runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from portal.data.accounts import Account
from portal.domain.authority import AuthorityBasis
from portal.extensions import db
from portal.services import authority_children
from tests.factories import make_patient
from tests.helpers.carers import make_active_authority
from tests.integration.choices.test_concurrency import run_together

SWEEPS = 6
IN_THE_WINDOW = datetime(2026, 7, 1, tzinfo=UTC)  # 14 days before a 15 July 2026 13th birthday


def test_sweeps_at_the_same_time_tell_the_family_once(app, outbox):
    with app.app_context():
        parent = make_patient(db.session, given_name="Gareth", family_name="Jones", email="gareth@example.org")
        account = Account(provider="nhs-login", subject=f"parent-{uuid.uuid4()}", patient_id=parent.id,
                          email="gareth@example.org", highest_level="P9")
        db.session.add(account)
        child = make_patient(db.session, date_of_birth=date(2013, 7, 15), postcode="SA1 1AA",
                             email="young@example.org")
        db.session.flush()
        make_active_authority(db.session, account.id, parent.id, child, AuthorityBasis.PARENTAL_RESPONSIBILITY)
        db.session.commit()
    outbox.clear()

    def sweep(_index: int) -> int:
        sent = authority_children.send_review_notices(db.session, IN_THE_WINDOW)
        db.session.commit()
        return sent

    results, errors = run_together(app, SWEEPS, sweep)
    assert errors == []
    assert sorted(results) == [0] * (SWEEPS - 1) + [1]
    assert sorted((n.template, n.to) for n in outbox.sent) == [
        ("authority-review-coming", "gareth@example.org"),
        ("authority-review-coming-young-person", "young@example.org")]
