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
    assert result.output.strip() == "Authorities changed: 1."
    db_session.expire_all()
    assert db_session.get(Authority, authority.id).state == "ended"
    again = app.test_cli_runner().invoke(args=["portal", "authority-review"])
    assert again.output.strip() == "Authorities changed: 0."
