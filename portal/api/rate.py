"""The per-client rate limit of the API (``API_RATE_LIMIT``; issue 8 point 8), counted in
Flask-Limiter's storage (Redis in production) with the ``limits`` library underneath it.

Asking the storage once per request cost more than the lookup it guards, so each process
takes its client's hits in small leases: one storage increment of ``lease`` hits (1/200 of
the limit, at most 1,000; a single hit for small limits), spent locally until used up, until
one second has passed or until the storage's window ends, whichever is first. Hits are
counted before they are spent, so a client never gets more than the limit in a window; it
may be refused up to ``lease - 1`` requests early in each process (0.5% of the limit per
process). Fixed-window storage only (Flask-Limiter's default); other strategies count each
request. Over the limit: 429 ``too-many-requests`` with ``Retry-After``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from limits import RateLimitItem, parse_many
from limits.strategies import FixedWindowRateLimiter

from portal.api.problems import ApiProblem
from portal.extensions import limiter

LEASE_FRACTION = 200
MAX_LEASE = 1_000
LEASE_SECONDS = 1.0


@dataclass
class _Lease:
    left: int
    until: float  # time.time()


_leases: dict[tuple[int, str, str], _Lease] = {}
_lock = threading.Lock()


@lru_cache(maxsize=16)
def _items(limit: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limit))


def lease_size(item: RateLimitItem) -> int:
    return max(1, min(MAX_LEASE, item.amount // LEASE_FRACTION))


def check(client_id: str) -> None:
    """Spend one request of ``client_id``'s limit; raise the 429 problem when it is used up."""
    extensions = current_app.extensions
    if not extensions["portal.limiter"].get("enabled", True):  # ``limiter.enabled`` for this app
        return
    strategy, plan = _plan(extensions, current_app.config["API_RATE_LIMIT"])
    for item, size, label in plan:
        key = item.key_for("api-client", client_id)
        if not spend(strategy, item, key, size, label):
            reset_at = strategy.get_window_stats(item, "api-client", client_id).reset_time  # type: ignore[attr-defined]
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise ApiProblem(429, "too-many-requests", "Too Many Requests",
                             f"This client may make {item} requests. Try again in {retry_after} s.",
                             headers={"Retry-After": str(retry_after)})


def _plan(extensions: dict[str, object], limit: str) -> tuple[object, tuple[tuple[RateLimitItem, int, str], ...]]:
    # Flask-Limiter's strategy on the app's storage and each limit with its lease size, kept
    # per app: looking them up through the extension each request cost as much as the hit
    # (no in-memory fallback is configured).
    kept = extensions.get("portal.api_rate_plan")
    if kept is None or kept[0] != limit:  # type: ignore[index]
        plan = tuple((item, lease_size(item), str(item)) for item in _items(limit))
        kept = extensions["portal.api_rate_plan"] = (limit, limiter.limiter, plan)
    return kept[1], kept[2]  # type: ignore[index,return-value]


def spend(strategy: object, item: RateLimitItem, key: str, size: int | None = None, label: str | None = None) -> bool:
    """One hit of ``item`` for ``key``: from this process's lease, or a new lease from the
    storage; False when the limit is used up. (``size`` and ``label``: ``lease_size(item)``
    and ``str(item)``, when the caller has them already.)"""
    size = lease_size(item) if size is None else size
    if size == 1 or not isinstance(strategy, FixedWindowRateLimiter):
        return strategy.storage.incr(key, item.get_expiry(), amount=1) <= item.amount  # type: ignore[attr-defined]
    now = time.time()
    slot = (id(strategy.storage), key, str(item) if label is None else label)
    with _lock:
        lease = _leases.get(slot)
        if lease is not None and lease.left > 0 and now < lease.until:
            lease.left -= 1
            return True
    storage = strategy.storage
    count = storage.incr(key, item.get_expiry(), amount=size)
    granted = min(size, max(0, item.amount - (count - size)))
    if granted == 0:
        return False
    until = min(now + LEASE_SECONDS, storage.get_expiry(key))
    with _lock:
        _leases[slot] = _Lease(granted - 1, until)
    return True


def clear() -> None:
    """Forget every lease (tests)."""
    with _lock:
        _leases.clear()
