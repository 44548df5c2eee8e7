"""The people-who-can-act-for-you page in English, Welsh and Urdu, in each of its states (a
nomination waiting, an answer given, someone who can act, a second answer refused), and the
requester's status page while the patient has not answered: valid
HTML (Nu Html Checker), one <h1>, a title that starts with it (with "Error: " on a refusal),
no duplicate ids, the page's language and direction."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

from portal.extensions import db
from portal.services import authority as authority_service
from tests.html_validation import validate_html
from tests.integration.carers.test_carer_pages_valid import DIRECTION
from tests.integration.carers.test_people_who_can_act_pages import PAGE, nomination, token  # noqa: F401
from tests.pages import LANGUAGES


def test_every_state_is_valid_in_every_language(app, client, nomination, tmp_path):  # noqa: F811
    from tests.helpers.auth import sign_in_as

    eira, gareth, authority_id = nomination
    sign_in_as(client, eira, level="P9")
    requester = sign_in_as(app.test_client(), gareth, level="P9")
    documents = {}
    for lang in LANGUAGES:
        client.get(f"/?lang={lang}")
        requester.get(f"/?lang={lang}")
        documents[f"waiting ({lang})"] = client.get(PAGE)
        documents[f"requester's status, waiting for the patient ({lang})"] = requester.get(
            f"/act-for-someone/requests/{authority_id}")
    client.post(f"{PAGE}/{authority_id}/confirm", data={"csrf_token": token(client)})
    with app.app_context():
        authority_service.approve(db.session, authority_id, authority_service.Approval(review_on=date(2030, 1, 1)),
                                  uuid.uuid4(), datetime.now(UTC))
        db.session.commit()
    for lang in LANGUAGES:
        client.get(f"/?lang={lang}")
        documents[f"confirmed ({lang})"] = client.get(f"{PAGE}?done=confirmed")
        documents[f"refused ({lang})"] = client.post(f"{PAGE}/{authority_id}/confirm",
                                                     data={"csrf_token": token(client)})
    pages = {}
    for name, response in documents.items():
        html = response.get_data(as_text=True)
        pages[name] = html
        h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        assert len(h1s) == 1, name
        assert title.removeprefix(title.split(":")[0] + ": " if name.startswith("refused") else "").startswith(
            h1s[0].strip()), name
        assert DIRECTION[name[-3:-1]] in html, name
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), name
    assert validate_html(pages, tmp_path) == []
