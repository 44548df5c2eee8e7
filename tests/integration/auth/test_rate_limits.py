"""Rate limits on sign-in (Flask-Limiter): per (NHS number, address), per address, and failures per NHS number; the
address is read through the configured number of proxies only; Redis storage in production."""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import select

from portal.data.audit import AuditEvent
from tests.factories import make_patient, next_nhs_number
from tests.integration.auth.pages import csrf, h1

DETAILS = "/sign-in/your-details"
REDIS_URL = "redis://127.0.0.1:6379/0"


def try_details(client, nhs_number: str, headers: dict[str, str] | None = None,  # type: ignore[no-untyped-def]
                address: str = "127.0.0.1") -> int:
    token = csrf(client, DETAILS)
    return client.post(DETAILS, headers=headers or {}, environ_base={"REMOTE_ADDR": address}, data={
        "nhs_number": nhs_number, "date_of_birth-day": "1", "date_of_birth-month": "1",
        "date_of_birth-year": "1970", "postcode": "LS1 4AP", "csrf_token": token}).status_code


def real_details(client, person, address: str) -> int:  # type: ignore[no-untyped-def]
    born = person.date_of_birth
    return client.post(DETAILS, environ_base={"REMOTE_ADDR": address}, data={
        "nhs_number": person.nhs_number, "date_of_birth-day": born.day, "date_of_birth-month": born.month,
        "date_of_birth-year": born.year, "postcode": person.postcode, "csrf_token": csrf(client, DETAILS)}).status_code


def test_ten_tries_an_hour_for_one_nhs_number_from_one_address_then_a_plain_page(make_app, db_session):
    app = make_app()
    client = app.test_client()
    number = next_nhs_number()
    assert [try_details(client, number) for _ in range(10)] == [200] * 10
    refused = client.post(DETAILS, data={"nhs_number": number, "csrf_token": csrf(client, DETAILS)})
    assert refused.status_code == 429
    assert h1(refused.get_data(as_text=True)) == "You have tried too many times"
    assert try_details(client, next_nhs_number()) == 200  # another number from the same address
    events = [e for e in db_session.execute(select(AuditEvent)).scalars() if e.action == "sign-in.rate-limited"]
    assert [e.details for e in events] == [{"endpoint": "auth.code_details"}]


def test_a_stranger_who_knows_the_nhs_number_cannot_lock_the_patient_out(make_app, db_session):
    app = make_app()
    person = make_patient(db_session)
    db_session.commit()
    stranger, patient = app.test_client(), app.test_client()
    assert [try_details(stranger, person.nhs_number, address="198.51.100.9") for _ in range(11)] == [200] * 10 + [429]
    assert real_details(patient, person, "203.0.113.20") == 302  # a code is sent: the patient can sign in


def test_guessing_spread_over_many_addresses_stops_after_100_failures_for_one_number(make_app, db_session):
    app = make_app(RATELIMIT_SIGN_IN_PER_ADDRESS="1000 per hour")
    client = app.test_client()
    person = make_patient(db_session)
    db_session.commit()
    assert real_details(client, person, "192.0.2.200") == 302  # a success is not a failure
    statuses = [try_details(client, person.nhs_number, address=f"192.0.2.{n // 10}") for n in range(100)]
    assert statuses == [200] * 100
    assert try_details(client, person.nhs_number, address="192.0.2.99") == 429
    assert try_details(client, next_nhs_number(), address="192.0.2.99") == 200  # other numbers are unaffected


def test_one_address_is_limited_across_nhs_numbers(make_app):
    app = make_app(RATELIMIT_SIGN_IN_PER_ADDRESS="3 per hour")
    client = app.test_client()
    assert [try_details(client, next_nhs_number()) for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize(("proxy_count", "separate_buckets"), [(1, True), (0, False)])
def test_forwarded_addresses_are_trusted_only_behind_the_configured_proxies(make_app, proxy_count, separate_buckets):
    app = make_app(RATELIMIT_SIGN_IN_PER_ADDRESS="2 per hour", PROXY_COUNT=str(proxy_count))
    client = app.test_client()
    first = {"X-Forwarded-For": "203.0.113.7"}
    second = {"X-Forwarded-For": "203.0.113.8"}
    assert [try_details(client, next_nhs_number(), first) for _ in range(2)] == [200, 200]
    assert try_details(client, next_nhs_number(), first) == 429
    assert try_details(client, next_nhs_number(), second) == (200 if separate_buckets else 429)


def test_code_entry_is_limited_for_the_nhs_number_being_signed_in(make_app, db_session):
    app = make_app()
    client = app.test_client()
    person = make_patient(db_session)
    db_session.commit()
    born = person.date_of_birth
    client.post(DETAILS, data={"nhs_number": person.nhs_number, "date_of_birth-day": born.day,
                               "date_of_birth-month": born.month, "date_of_birth-year": born.year,
                               "postcode": person.postcode, "csrf_token": csrf(client, DETAILS)})
    statuses = [client.post("/sign-in/enter-code", data={  # malformed codes: no tries used, still counted
        "code": "12345", "csrf_token": csrf(client, "/sign-in/enter-code")}).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_limits_are_kept_in_redis_in_production_without_nhs_numbers_in_the_keys(make_app):
    prefix = f"portal-test-{uuid.uuid4().hex[:12]}"
    store = redis.Redis.from_url(REDIS_URL)
    try:
        app = make_app(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
        client = app.test_client()
        number = next_nhs_number()
        assert [try_details(client, number) for _ in range(10)] == [200] * 10
        assert try_details(client, number) == 429
        keys = [key.decode() for key in store.scan_iter(match=f"*{prefix}*")]
        assert keys, "the counts are in Redis"
        assert not any(number in key for key in keys)
        other = make_app(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix).test_client()
        assert try_details(other, number) == 429, "a second app server sees the same counts"
    finally:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)
        store.close()
