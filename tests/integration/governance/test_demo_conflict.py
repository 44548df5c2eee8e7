"""``flask portal load-demo`` seeds AI use for the NHS login P9 demo user, one report a
conflict, so the auditors' queue and her timeline show it (issue 9 "Done means")."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.data.ai_use import AiUseEvent
from portal.data.people import Patient
from portal.extensions import db
from tests.helpers.auth import sign_in_as
from tests.helpers.staff import sign_in_staff
from tests.integration.choices.pages_helpers import text_of


def test_the_demo_shows_a_conflict_in_the_queue_and_on_the_timeline(app, client, tmp_path):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["portal", "load-demo", "--accounts-file", str(tmp_path / "a.json")])
        assert result.exit_code == 0, result.output
    assert "Added 0 demo report(s) of AI use" in result.output  # the second run adds nothing
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(AiUseEvent)).scalar_one() == 3
        amelia = db.session.execute(select(Patient).where(Patient.nhs_number == "9991001239")).scalar_one()
    sign_in_staff(client, "auditor")
    queue = text_of(client.get("/staff/conflicts").get_data(as_text=True))
    assert "Somerset" in queue and queue.count("Look into it") == 1
    timeline = text_of(sign_in_as(app, amelia).get("/ai-used-in-your-care").get_data(as_text=True))
    assert timeline.count("Used although you said no") == 1
    assert "It checked your chest X-ray and found nothing urgent." in timeline
