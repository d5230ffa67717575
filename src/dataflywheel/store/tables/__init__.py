"""All tables, one module per pool. Importing this package registers every table on `Base.metadata`."""

from dataflywheel.store.base import Base
from dataflywheel.store.tables import (  # noqa: F401
    audit,
    contracts,
    data,
    demand,
    experiments,
    feedback,
    governance,
    guides,
    issues,
    kb,
    notifications,
    people,
    plans,
    projects,
    raci,
    reviews,
    tokens,
)

__all__ = ["Base"]
