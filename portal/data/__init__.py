"""SQLAlchemy 2.0 models and repositories: the only code that builds queries.

Importing this package registers every model on ``Base.metadata`` (Alembic's target).
Repositories flush; the request edge commits.
"""

from portal.data import (  # noqa: F401  (register models)
    accounts,
    ai_use,
    ai_use_reports,
    api_clients,
    audit,
    authorities,
    choices,
    decision_changes,
    disputes,
    durability,
    patient_lookup,
    people,
    register,
    sequences,
    staff,
)
from portal.data.base import Base

__all__ = ["Base"]
