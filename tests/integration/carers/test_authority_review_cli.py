"""`flask portal authority-review` ends an authority whose court order has run out."""

from datetime import date

from portal.data.authorities import Authority
from portal.domain.authority import AuthorityBasis
from tests.integration.carers.conftest import active_authority


def test_it_ends_a_deputyship_past_its_end_date_and_says_how_many_changed(app, db_session, family):
    authority = active_authority(db_session, family, basis=AuthorityBasis.PERSONAL_WELFARE_DEPUTY,
                                 reference=None, court_order_number="12345678", ends_on=date(2020, 1, 1))
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "authority-review"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["Authorities changed: 1.", "Families told a review at 13 is coming: 0."]
    db_session.expire_all()
    assert db_session.get(Authority, authority.id).state == "ended"
    again = app.test_cli_runner().invoke(args=["portal", "authority-review"])
    assert again.output.splitlines()[0] == "Authorities changed: 0."


def test_load_demo_gives_a_carer_with_an_active_lpa_who_can_act(app, db_session, tmp_path):
    import json

    from portal.data.accounts import Account
    from portal.services import identity

    target = tmp_path / "demo-accounts.json"
    result = app.test_cli_runner().invoke(args=["portal", "load-demo", "--accounts-file", str(target)])
    assert result.exit_code == 0, result.output
    carer = json.loads(target.read_text(encoding="utf-8"))["carer"]
    assert carer["login"] == "carer.evans@example.org" and carer["level"] == "P9"
    assert carer["acts_for"]["name"] and carer["ask_to_act_for"]["name"] != carer["acts_for"]["name"]
    account = db_session.execute(db_session.query(Account).filter_by(subject="5d7f9b1c-6e8a-4c0d-8f2b-6c8d0e2f4a56")
                                 .statement).scalar_one()
    subjects = identity.subjects_for(db_session, account.id, account.patient_id)
    assert [s.relationship for s in subjects] == ["self", "health-and-welfare-lpa"]
    again = app.test_cli_runner().invoke(args=["portal", "load-demo", "--accounts-file", str(target)])
    assert again.exit_code == 0
    assert len(identity.subjects_for(db_session, account.id, account.patient_id)) == 2
