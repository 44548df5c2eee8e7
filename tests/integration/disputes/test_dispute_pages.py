"""Raising and following a dispute through the pages (issue 6 points 1 to 3 and the bad
inputs): one question per page, answers kept server-side, clear messages that keep the text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import select, update

from portal.data.base import utcnow
from portal.data.disputes import Dispute
from portal.extensions import db
from portal.services.working_days import working_days_between
from tests.helpers.auth import sign_in_as


@pytest.fixture()
def signed_in(app, client, dworld, db_session):
    db_session.commit()
    return sign_in_as(client, dworld.patient, "P9")


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html).group(1) or ""


def token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, path
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    return match.group(1)


def post(client, path: str, data: dict) -> object:
    return client.post(path, data={"csrf_token": token(client, path), **data})


def start_from_event(client, dworld):
    path = f"/disputes/new?event={dworld.event.id}"
    response = post(client, path, {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/disputes/new/what-happened")


def answer_all(client):
    assert post(client, "/disputes/new/what-happened", {"day": "3", "month": "3", "year": "2026", "where": "Radiology"}).status_code == 302
    assert post(client, "/disputes/new/why", {"why": "I still had pain."}).status_code == 302
    assert post(client, "/disputes/new/outcomes", {"outcomes": ["clinician-review", "explanation"]}).status_code == 302
    assert post(client, "/disputes/new/contact", {"contact": "email"}).status_code == 302


def submit(client):
    page = client.get("/disputes/new/check").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/disputes/new/check", data={"csrf_token": token(client, "/disputes/new/check"), "submission_key": key}), key


def test_a_patient_raises_a_dispute_about_an_ai_use_and_sees_the_reference_and_dates(signed_in, dworld):
    client = signed_in
    start_from_event(client, dworld)
    answer_all(client)
    check = client.get("/disputes/new/check").get_data(as_text=True)
    assert "I still had pain." in check and "3 March 2026" in check and "A review by a clinician" in check
    response, key = submit(client)
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = re.search(r"AID-[A-Z0-9]{4}-[A-Z0-9]{4}", confirmation).group(0)
    assert "What happens next" in confirmation and "not a formal NHS complaint" in confirmation
    assert "Parliamentary and Health Service Ombudsman" in confirmation
    again = client.post("/disputes/new/check", data={"csrf_token": token(client, "/disputes"), "submission_key": key})
    assert again.headers["Location"].endswith(f"/disputes/{reference}/confirmation")
    assert reference in client.get("/disputes").get_data(as_text=True)
    status = client.get(f"/disputes/{reference}").get_data(as_text=True)
    assert "Received" in status and "It flagged your chest X-ray" in status


def test_an_event_of_another_patient_is_not_found(signed_in, dworld):
    assert signed_in.get(f"/disputes/new?event={dworld.event.id}").status_code == 200
    assert signed_in.get("/disputes/new?event=5b7f0000-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize(("step", "data", "message"), [
    ("what-happened", {"day": "", "month": "", "year": ""}, "Enter the date it happened"),
    ("what-happened", {"day": "31", "month": "2", "year": "2026"}, "The date it happened must be a real date"),
    ("why", {"why": ""}, "Tell us why you think it was wrong"),
    ("outcomes", {}, "Select what you would like to happen"),
    ("contact", {}, "Select how you would like us to contact you"),
])
def test_empty_or_impossible_answers_get_a_clear_message(signed_in, dworld, step, data, message):
    start_from_event(signed_in, dworld)
    page = post(signed_in, f"/disputes/new/{step}", data)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert "Error: " in page.get_data(as_text=True)


def test_a_date_in_the_future_is_refused_and_kept(signed_in, dworld):
    start_from_event(signed_in, dworld)
    tomorrow = (utcnow() + timedelta(days=2)).date()
    page = post(signed_in, "/disputes/new/what-happened", {"day": tomorrow.day, "month": tomorrow.month, "year": tomorrow.year})
    html = page.get_data(as_text=True)
    assert "The date it happened must be today or in the past" in html
    assert f'value="{tomorrow.year}"' in html


def test_text_over_the_limit_is_refused_and_kept_in_the_draft(signed_in, dworld):
    start_from_event(signed_in, dworld)
    long_text = "Too long. " * 501
    html = post(signed_in, "/disputes/new/why", {"why": long_text}).get_data(as_text=True)
    assert "Why you think it was wrong must be 5,000 characters or fewer" in html
    assert long_text.strip() in html
    assert long_text.strip() in signed_in.get("/disputes/new/why").get_data(as_text=True)


def test_an_expired_form_shows_the_page_again_with_what_was_typed(app, signed_in, dworld):
    start_from_event(signed_in, dworld)
    page = signed_in.post("/disputes/new/why", data={"csrf_token": "expired", "why": "My words"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "This page was open for too long. We kept what you typed." in html
    assert "My words" in html


def test_a_tool_not_used_here_needs_confirming(signed_in, dworld):
    post(signed_in, "/disputes/new", {})
    html = post(signed_in, "/disputes/new/tool", {"tool": "welsh-scribe"}).get_data(as_text=True)
    assert "Confirm you want to ask about a tool your NHS organisations do not use" in html
    confirmed = post(signed_in, "/disputes/new/tool", {"tool": "welsh-scribe", "confirm_tool": "y"})
    assert confirmed.headers["Location"].endswith("/disputes/new/what-happened")


def test_a_withdrawn_dispute_cannot_be_changed(signed_in, dworld):
    start_from_event(signed_in, dworld)
    answer_all(signed_in)
    response, _key = submit(signed_in)
    reference = response.headers["Location"].split("/")[2]
    assert post(signed_in, f"/disputes/{reference}/withdraw", {}).status_code == 302
    assert "Withdrawn" in signed_in.get(f"/disputes/{reference}").get_data(as_text=True)
    again = post(signed_in, f"/disputes/{reference}/withdraw", {})
    assert "This request is closed. You cannot change it." in again.get_data(as_text=True)
    with db.session.no_autoflush:
        assert db.session.execute(select(Dispute.status)).scalar_one() == "withdrawn"


def test_at_p5_the_status_page_shows_the_status_only(app, client, dworld, db_session):
    db_session.commit()
    p9 = sign_in_as(app, dworld.patient, "P9")
    start_from_event(p9, dworld)
    answer_all(p9)
    response, _key = submit(p9)
    reference = response.headers["Location"].split("/")[2]
    p5 = sign_in_as(app, dworld.patient, "P5")
    html = p5.get(f"/disputes/{reference}").get_data(as_text=True)
    assert "Received" in html and "Prove who you are" in html
    assert "chest X-ray" not in html


def test_someone_elses_reference_is_not_found(signed_in):
    assert signed_in.get("/disputes/AID-2222-3333").status_code == 404


def test_an_objection_to_a_tool_skips_the_date_and_is_marked_as_an_objection(signed_in, dworld):
    start = post(signed_in, "/disputes/new?tool=chest-x-ray-triage&kind=objection", {})
    assert start.headers["Location"].endswith("/disputes/new/why")
    assert post(signed_in, "/disputes/new/why", {"why": "I do not want it."}).headers["Location"].endswith("/outcomes")
    assert post(signed_in, "/disputes/new/outcomes", {"outcomes": ["explanation"]}).status_code == 302
    assert post(signed_in, "/disputes/new/contact", {"contact": "portal"}).status_code == 302
    response, _key = submit(signed_in)
    assert response.status_code == 302
    assert db.session.execute(select(Dispute.kind)).scalar_one() == "objection"


def test_the_tool_page_shows_counts_under_5_as_fewer_than_5(client, dworld, db_session):
    db_session.commit()
    html = client.get("/ai-tools/chest-x-ray-triage").get_data(as_text=True)
    assert "Requests for review in the last 12 months" in html
    assert "Asked for: fewer than 5" in html and "Upheld: fewer than 5" in html


def test_after_signing_out_and_in_again_the_saved_answers_are_still_there(app, signed_in, dworld):
    start_from_event(signed_in, dworld)
    post(signed_in, "/disputes/new/why", {"why": "Words I do not want to lose."})
    again = sign_in_as(app, dworld.patient, "P9")
    assert "You have a request you have not sent yet." in again.get("/disputes").get_data(as_text=True)
    assert "Words I do not want to lose." in again.get("/disputes/new/check").get_data(as_text=True)


def test_the_due_dates_follow_the_nations_settings(make_app, dworld, db_session):
    """DISPUTE_*_DAYS_ENGLAND from the environment set the dates the patient is shown."""
    db_session.commit()
    other = make_app(DISPUTE_ACKNOWLEDGE_DAYS_ENGLAND="5", DISPUTE_DECIDE_DAYS_ENGLAND="25")
    client = sign_in_as(other, dworld.patient, "P9")
    start_from_event(client, dworld)
    answer_all(client)
    response, _key = submit(client)
    assert response.status_code == 302
    with other.app_context():
        dispute = db.session.execute(select(Dispute)).scalar_one()
        assert working_days_between(dispute.received_on, dispute.acknowledge_due_on, "england") == 5
        assert working_days_between(dispute.received_on, dispute.decide_due_on, "england") == 25


@pytest.mark.parametrize(("tool", "ombudsman", "site"), [
    ("chest-x-ray-triage", "Parliamentary and Health Service Ombudsman", "www.ombudsman.org.uk"),
    ("welsh-scribe", "Public Services Ombudsman for Wales", "www.ombudsman.wales"),
])
def test_the_status_page_names_the_ombudsman_of_the_nation_that_used_the_tool(signed_in, dworld, tool, ombudsman, site):
    post(signed_in, f"/disputes/new?tool={tool}&kind=objection", {})
    post(signed_in, "/disputes/new/tool", {"tool": tool, "confirm_tool": "y"})
    post(signed_in, "/disputes/new/why", {"why": "I do not want it."})
    post(signed_in, "/disputes/new/outcomes", {"outcomes": ["explanation"]})
    post(signed_in, "/disputes/new/contact", {"contact": "portal"})
    response, _key = submit(signed_in)
    reference = response.headers["Location"].split("/")[2]
    for path in (f"/disputes/{reference}", f"/disputes/{reference}/confirmation"):
        html = signed_in.get(path).get_data(as_text=True)
        assert "To make a formal complaint, contact the NHS service that cared for you." in html
        assert ombudsman in html and f'href="https://{site}"' in html
        others = {"Parliamentary and Health Service Ombudsman", "Public Services Ombudsman for Wales",
                  "Scottish Public Services Ombudsman", "Northern Ireland Public Services Ombudsman"} - {ombudsman}
        assert not [name for name in others if name in html]


def test_pages_before_a_nation_is_known_name_all_four_ombudsmen(signed_in):
    html = signed_in.get("/disputes").get_data(as_text=True)
    for name in ("Parliamentary and Health Service Ombudsman", "Public Services Ombudsman for Wales",
                 "Scottish Public Services Ombudsman (SPSO)", "Northern Ireland Public Services Ombudsman (NIPSO)"):
        assert name in html


def test_the_details_and_code_route_raises_and_tracks_a_request_without_clinical_detail(app, dworld, db_session):
    """A code-route session (P5) raises a request and follows its status; the AI use and the
    reviewer's explanation stay behind NHS login P9 (DESIGN.md section 4)."""
    from datetime import UTC, datetime

    from portal.services import dispute_reviews as reviews
    from portal.services import identity, sessions
    from tests.helpers.auth import TOKEN_KEY

    db_session.commit()
    with app.app_context():
        now = datetime.now(UTC)
        account = identity.account_for_code_route(db.session, dworld.patient.id, now)
        token, _record = sessions.start_account_session(
            db.session, account_id=account.id, level="P5", route=identity.CODE_ROUTE,
            self_patient_id=dworld.patient.id, subject_patient_id=dworld.patient.id, now=now)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie[TOKEN_KEY] = token
    assert post(client, "/disputes/new", {}).headers["Location"].endswith("/disputes/new/tool")
    assert post(client, "/disputes/new/tool", {"tool": "chest-x-ray-triage"}).status_code == 302
    answer_all(client)
    response, _key = submit(client)
    reference = response.headers["Location"].split("/")[2]
    assert reference in client.get("/disputes").get_data(as_text=True)
    for step in (reviews.acknowledge, reviews.start_review):
        step(db_session, reference=reference, staff_user_id=dworld.reviewer.id)
    reviews.record_outcome(db_session, reference=reference, staff_user_id=dworld.reviewer.id, upheld=True,
                           explanation="A doctor looked again and booked a scan.")
    db_session.commit()
    status = client.get(f"/disputes/{reference}").get_data(as_text=True)
    assert "Upheld" in status and "Prove who you are" in status
    assert "A doctor looked again" not in status
    assert client.get(f"/disputes/new?event={dworld.event.id}").status_code == 200  # raising from an event works


def test_a_real_sign_out_and_an_expired_send_keep_the_answers_and_make_one_request(app, signed_in, dworld):
    start_from_event(signed_in, dworld)
    answer_all(signed_in)
    assert signed_in.post("/sign-out", data={"csrf_token": token(signed_in, "/disputes")}).status_code == 302
    assert signed_in.get("/disputes").status_code == 302  # signed out: sent to sign in
    again = sign_in_as(app, dworld.patient, "P9")
    check = again.get("/disputes/new/check").get_data(as_text=True)
    assert "I still had pain." in check
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', check).group(1)
    expired = again.post("/disputes/new/check", data={"csrf_token": "expired", "submission_key": key})
    assert "This page was open for too long. We kept what you typed." in expired.get_data(as_text=True)
    assert "I still had pain." in expired.get_data(as_text=True)
    assert db.session.execute(select(Dispute)).scalars().all() == []
    g.pop("disputes_csrf_failed", None)  # the test shares one app context (and g) across requests
    first = again.post("/disputes/new/check", data={"csrf_token": token(again, "/disputes"), "submission_key": key})
    second = again.post("/disputes/new/check", data={"csrf_token": token(again, "/disputes"), "submission_key": key})
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db.session.execute(select(Dispute)).scalars().all()) == 1


def test_the_list_shows_the_day_a_request_was_sent_as_the_status_page_does(signed_in, dworld, db_session):
    start_from_event(signed_in, dworld)
    answer_all(signed_in)
    assert submit(signed_in)[0].status_code == 302
    db_session.execute(update(Dispute).values(received_on=date(2026, 1, 5),
                                              created_at_utc=datetime(2026, 2, 9, 12, 0, tzinfo=UTC)))
    db_session.commit()
    listing = signed_in.get("/disputes").get_data(as_text=True)
    reference = db_session.execute(select(Dispute.reference)).scalar_one()
    assert "5 January 2026" in listing and "9 February 2026" not in listing
    assert "5 January 2026" in signed_in.get(f"/disputes/{reference}").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "under", "description"), [
    ("cy", "Mae gennych %{count} nod ar ôl", "Gallwch ysgrifennu hyd at 5,000 nod"),
    ("ur", "آپ کے پاس %{count} حروف باقی ہیں", "آپ زیادہ سے زیادہ 5,000 حروف لکھ سکتے ہیں"),
])
def test_the_character_counters_speak_the_pages_language(signed_in, dworld, lang, under, description):
    signed_in.get(f"/disputes?lang={lang}")  # the language cookie
    start_from_event(signed_in, dworld)
    why = signed_in.get(f"/disputes/new/why?lang={lang}").get_data(as_text=True)
    answer_all(signed_in)
    assert submit(signed_in)[0].status_code == 302
    reference = re.search(r"AID-[A-Z0-9]{4}-[A-Z0-9]{4}", signed_in.get(f"/disputes?lang={lang}").get_data(as_text=True)).group(0)
    status = signed_in.get(f"/disputes/{reference}?lang={lang}").get_data(as_text=True)
    for page in (why, status):
        assert f'data-i18n.characters-under-limit.other="{under}"' in page
        assert "data-i18n.characters-under-limit.one=" in page and "data-i18n.characters-over-limit.other=" in page
        assert "data-i18n.characters-at-limit=" in page
        assert description in page
        assert "You have" not in page and "You can enter up to" not in page and "5000 " not in page


def test_disputing_a_known_ai_use_fills_in_when_and_where_in_london_time(signed_in, dworld, db_session):
    dworld.event.used_at_utc = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London (BST)
    dworld.event.service = "Eye clinic"
    db_session.commit()
    start_from_event(signed_in, dworld)
    html = signed_in.get("/disputes/new/what-happened").get_data(as_text=True)
    for name, value in (("day", "1"), ("month", "7"), ("year", "2026"), ("where", "Eye clinic")):
        assert re.search(rf'name="{name}"[^>]*value="{value}"|value="{value}"[^>]*name="{name}"', html), name
    assert post(signed_in, "/disputes/new/what-happened", {"day": "1", "month": "7", "year": "2026",
                                                           "where": "Eye clinic"}).status_code == 302


def test_a_dispute_about_a_tool_starts_with_empty_date_fields(signed_in, dworld):
    assert post(signed_in, f"/disputes/new?tool={dworld.triage.slug}", {}).status_code == 302
    html = signed_in.get("/disputes/new/what-happened").get_data(as_text=True)
    assert not re.search(r'name="year"[^>]*value="\d+"', html)


@pytest.mark.parametrize("year", ["1899", "0020"])
def test_a_date_before_1900_is_refused_and_kept(signed_in, dworld, year):
    start_from_event(signed_in, dworld)
    page = post(signed_in, "/disputes/new/what-happened", {"day": "3", "month": "3", "year": year})
    html = page.get_data(as_text=True)
    assert "The date it happened must be in 1900 or later" in html and "Error: " in html
    assert f'value="{year}"' in html
