"""SQLAlchemy 2.0 models and repositories: the only code that builds queries.

Importing this package registers every model on ``Base.metadata`` (Alembic's target).
Repositories flush; the request edge commits.
"""

from portal.data import ai_use, ai_use_reports, api_clients, audit, choices, decision_changes, patient_lookup, people, register, sequences  # noqa: F401  (register models)
from portal.data.base import Base

__all__ = ["Base"]
