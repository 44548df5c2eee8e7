"""Cheaper commits for audited reads, on PostgreSQL only.

``relax_commit_durability`` sets ``synchronous_commit = off`` for the current transaction:
its COMMIT returns before the write-ahead log reaches disk. The transaction is still atomic
and ordered (never half-applied, never reordered); what a crash of PostgreSQL or the machine
can lose is the last moments of such commits: at most three times ``wal_writer_delay``
(200 ms by default, so 0.6 s). An application crash loses nothing. Used only for the audit
events of reads (a lookup, a batch, a feed page, a FHIR search), never for choices or any
other change. SQLite is untouched (WAL with ``synchronous=NORMAL``; see ``portal.extensions``).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def relax_commit_durability(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))
