"""All tables, one module per pool. Importing this package registers every table on `Base.metadata`."""

from dataflywheel.store.base import Base

__all__ = ["Base"]
