"""A real FHIR client library (``fhirclient``, SMART on FHIR) reads a patient's Consents from
the portal running on loopback, paging through the Bundle with a small ``_count``."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.consent import Consent
from fhirclient.server import FHIRServer
from werkzeug.serving import make_server

from portal.extensions import db
from tests.factories import make_choice, make_patient, make_tool
from tests.integration.api.conftest import fetch_token, register_client


@pytest.fixture()
def live_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/fhir/r4/"
    server.shutdown()
    thread.join(5)


def test_fhirclient_pages_through_a_patients_consents(app, client, live_url):
    with app.app_context():
        tool = make_tool(db.session, "eye-scan", {"care": "opt-out", "research": "opt-in"})
        patient = make_patient(db.session)
        made = [make_choice(db.session, patient, tool, "care", decision) for decision in ("deny", "permit", "deny")]
        made.append(make_choice(db.session, patient, None, "research", "deny"))
        made.append(make_choice(db.session, patient, tool, "research", "permit"))
        db.session.commit()
    token = fetch_token(client, register_client(app))
    server = FHIRServer(None, base_uri=live_url)
    server.session.headers["Authorization"] = f"Bearer {token}"

    capability = CapabilityStatement.read_from("metadata", server)
    assert capability.fhirVersion == "4.0.1"
    search = Consent.where(struct={"patient:identifier": f"https://fhir.nhs.uk/Id/nhs-number|{patient.nhs_number}",
                                   "_count": "2"})
    pages = list(search.perform_iter(server))
    consents = [entry.resource for page in pages for entry in page.entry or []]

    assert [len(page.entry or []) for page in pages] == [2, 2, 1]
    assert all(isinstance(page, Bundle) and page.total == 5 for page in pages)
    assert [c.id for c in consents] == [str(c.id) for c in made]
    assert [(c.status, c.provision.type) for c in consents] == [
        ("inactive", "deny"), ("inactive", "permit"), ("active", "deny"), ("inactive", "deny"), ("active", "permit")]
    assert consents[0].patient.identifier.value == patient.nhs_number
    assert consents[0].provision.actor[0].reference.reference == "Device/eye-scan"
