"""The API's per-client limit taken in leases (portal/api/rate.py): never more than the
limit in a window, however many processes share it, and exact for small limits."""

from __future__ import annotations

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from portal.api import rate


def test_a_small_limit_is_counted_exactly_one_hit_at_a_time():
    strategy = FixedWindowRateLimiter(MemoryStorage())
    item = parse("2 per minute")
    assert rate.lease_size(item) == 1
    assert [rate.spend(strategy, item, "client-a") for _ in range(3)] == [True, True, False]


def test_processes_taking_leases_never_get_more_than_the_limit_between_them(monkeypatch):
    monkeypatch.setattr(rate, "LEASE_FRACTION", 4)  # 10 per minute: leases of 2
    strategy = FixedWindowRateLimiter(MemoryStorage())
    item = parse("10 per minute")
    granted = 0
    for attempt in range(30):
        if attempt % 3 == 0:
            rate.clear()  # another process, with no lease yet
        granted += rate.spend(strategy, item, "client-b")
    rate.clear()
    assert 5 <= granted <= 10  # never more; at most a lease per process left unspent


def test_the_last_hits_of_a_window_are_granted_even_when_a_whole_lease_is_not(monkeypatch):
    monkeypatch.setattr(rate, "LEASE_FRACTION", 2)  # 5 per minute: leases of 2
    strategy = FixedWindowRateLimiter(MemoryStorage())
    item = parse("5 per minute")
    results = [rate.spend(strategy, item, "client-c") for _ in range(7)]
    rate.clear()
    assert results == [True] * 5 + [False] * 2
