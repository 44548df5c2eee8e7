"""``flask portal load-demo`` seeds requests for review for the P9 demo user: one in review
with a question from the reviewer, one overdue, so the back office queue and her /disputes
page show something (issue 6 "Done means"). Running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.data.audit import AuditEvent
from portal.data.disputes import Dispute
from portal.data.people import Patient
from portal.extensions import db
from tests.helpers.auth import sign_in_as
from tests.integration.choices.pages_helpers import text_of
from tests.integration.disputes.test_staff_disputes import sign_in_staff


def test_the_demo_shows_a_request_in_review_and_an_overdue_one(app, client, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "load-demo", "--accounts-file", str(tmp_path / "a.json")])
    assert first.exit_code == 0, first.output
    assert "Added 2 demo request(s) for review for amelia.hughes@example.org (AID-DEM2-REVW, AID-DEM3-ACKS" in first.output
    again = runner.invoke(args=["portal", "load-demo", "--accounts-file", str(tmp_path / "a.json")])
    assert "Added 0 demo request(s) for review" in again.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 2
        amelia = db.session.execute(select(Patient).where(Patient.nhs_number == "9991001239")).scalar_one()
        reviewer_actions = db.session.execute(select(AuditEvent.action).where(
            AuditEvent.actor_kind == "staff", AuditEvent.action.like("dispute.%")).order_by(AuditEvent.action)).scalars().all()
        reviewer_id = db.session.execute(select(Dispute.assigned_staff_id).where(
            Dispute.reference == "AID-DEM2-REVW")).scalar_one()
    assert reviewer_actions == ["dispute.acknowledged", "dispute.assigned", "dispute.information-requested",
                                "dispute.review-started"]

    sign_in_staff(client, reviewer_id)
    queue = client.get("/staff/disputes").get_data(as_text=True)
    overdue_row = next(row for row in queue.split("<tr") if "AID-DEM3-ACKS" in row)
    assert "Overdue" in overdue_row and "Received" in overdue_row
    in_review_row = next(row for row in queue.split("<tr") if "AID-DEM2-REVW" in row)
    assert "Overdue" not in in_review_row and "In review" in in_review_row

    patient = sign_in_as(app, amelia, "P9")
    mine = text_of(patient.get("/disputes").get_data(as_text=True))
    assert "AID-DEM2-REVW" in mine and "AID-DEM3-ACKS" in mine
    status = text_of(patient.get("/disputes/AID-DEM2-REVW").get_data(as_text=True))
    assert "The reviewer wrote: Thank you. Did anyone at the hospital talk to you about the result?" in status
    assert "Add information or reply" in status
