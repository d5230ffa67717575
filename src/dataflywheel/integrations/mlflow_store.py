"""Opening an MLflow tracking store: read without changing it, write only where that is safe.

Guarantees:
- a SQLite store is opened only after a read-only look proves it is an MLflow store (a missing
  file, a non-database file or another program's database is refused and left untouched: MLflow
  itself would create its tables in it);
- `reading_client` cannot change a SQLite store: MLflow migrates the schema of any store it opens
  (and the older MLflow that wrote the store then refuses it), so runs are read from a snapshot
  copied over a read-only connection;
- `client` (for writing, through MLflow's API) opens the store itself only when its schema is
  this MLflow's own, so that opening it migrates nothing; otherwise it says what to run;
- every MLflow failure becomes one `BadInput` naming the store.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dataflywheel.errors import BadInput, NotFound

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

MLFLOW_TABLES = frozenset({"experiments", "runs", "metrics", "params", "tags", "alembic_version"})


def normalise_uri(uri: str) -> str:
    """A plain path becomes `sqlite:///<absolute path>`; URIs are returned as they are."""
    if "://" in uri:
        return uri
    return f"sqlite:///{Path(uri).resolve()}"


def check_sqlite_store(uri: str, *, create: bool = False) -> None:
    """Refuse a SQLite URI that is not an MLflow store, reading it only (`create`: may be absent)."""
    if not uri.startswith("sqlite:///"):
        return
    path = Path(uri.removeprefix("sqlite:///"))
    if not path.exists():
        if create:
            return
        raise NotFound("no MLflow tracking store here", path=str(path),
                       hint="pass the mlflow.db your runs were logged to (--tracking-uri)")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BadInput(f"not an MLflow tracking store ({exc})", path=str(path),
                       expected="an SQLite database written by MLflow",
                       kept="the file was not changed") from None
    absent = sorted(MLFLOW_TABLES - tables)
    if absent:
        raise BadInput("not an MLflow tracking store", path=str(path),
                       expected="the MLflow tables " + ", ".join(sorted(MLFLOW_TABLES)),
                       got="no " + ", ".join(absent), kept="the file was not changed")


@contextmanager
def mlflow_errors(uri: str, doing: str) -> Iterator[None]:
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        first = str(exc.message).strip().splitlines()[0] if str(exc.message).strip() else "error"
        raise BadInput(f"MLflow store refused {doing}: {first}", path=uri) from None


def client(uri: str, *, create: bool = False) -> MlflowClient:
    """An `MlflowClient` that may write to the store: checked first (see `check_sqlite_store`),
    and refused when the store's schema is not this MLflow's (opening it would migrate it)."""
    check_sqlite_store(uri, create=create)
    _require_mlflow(uri)
    _require_own_schema(uri)
    return _open(uri, uri)


@contextmanager
def reading_client(uri: str) -> Iterator[MlflowClient]:
    """An `MlflowClient` for reading that cannot change the store: for SQLite, one on a snapshot
    copied over a read-only connection (MLflow may migrate the copy; the store keeps its bytes)."""
    check_sqlite_store(uri)
    _require_mlflow(uri)
    if not uri.startswith("sqlite:///"):
        yield _open(uri, uri)
        return
    with tempfile.TemporaryDirectory(prefix="flywheel-mlflow-") as tmp:
        copy = Path(tmp) / "snapshot.db"
        source = sqlite3.connect(f"file:{uri.removeprefix('sqlite:///')}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        mc = _open(f"sqlite:///{copy}", uri)
        try:
            yield mc
        finally:
            _dispose(mc)


def _require_mlflow(uri: str) -> None:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        raise BadInput("MLflow is not installed", path=uri,
                       kept="nothing was imported or exported",
                       hint="pip install 'dataflywheel[mlflow]'") from None
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _open(target: str, uri: str) -> MlflowClient:
    from mlflow.tracking import MlflowClient

    with mlflow_errors(uri, "to open"):
        mlflow_client = MlflowClient(tracking_uri=target)
        mlflow_client.search_experiments(max_results=1)
    return mlflow_client


def store_schema(uri: str) -> str | None:
    """The MLflow schema revision of an existing SQLite store, read over a read-only connection."""
    path = uri.removeprefix("sqlite:///")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _require_own_schema(uri: str) -> None:
    if not uri.startswith("sqlite:///") or not Path(uri.removeprefix("sqlite:///")).exists():
        return
    from mlflow.store.db.utils import _get_latest_schema_revision

    own = str(_get_latest_schema_revision())  # type: ignore[no-untyped-call]
    found = store_schema(uri)
    if found != own:
        import mlflow

        raise BadInput(f"MLflow store is at schema {found}, not this MLflow's ({own}); writing "
                       "to it would migrate it, and the MLflow that wrote it could no longer open it",
                       path=uri, expected=f"schema {own} (MLflow {mlflow.__version__})",
                       kept="nothing was imported or exported; the store was not changed",
                       hint="import with --no-write-back (it only reads), or upgrade the store "
                            f"yourself first: mlflow db upgrade {uri}")


def _dispose(mc: MlflowClient) -> None:
    """Close the snapshot's engine (MLflow caches stores by URI and would hold the file open)."""
    store = getattr(getattr(mc, "_tracking_client", None), "store", None)
    engine = getattr(store, "engine", None)
    if engine is not None:
        engine.dispose()
