"""SQLAlchemy 2.0 models and repositories: the only code that builds queries.

Importing this package registers every model on ``Base.metadata`` (Alembic's target).
Repositories flush; the request edge commits.
"""

from portal.data import accounts, ai_use, audit, choices, disputes, people, register, sequences, staff  # noqa: F401  (register models)
from portal.data.base import Base

__all__ = ["Base"]
