"""All tables, one module per pool. Importing this package registers every table on `Base.metadata`."""

from dataflywheel.store.base import Base
from dataflywheel.store.tables import audit, demand, people, projects, raci  # noqa: F401

__all__ = ["Base"]
