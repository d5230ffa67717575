"""Which MLflow tracking stores the team server opens for a caller.

`import-mlflow` and `export-mlflow` over HTTP name a store the SERVER opens; a local store is a
file on the server's disk (`export` may even create one), so a caller holding the role could make
the server open, or write, any path it can reach. The server's operator names the folders whose
stores callers may use (`Settings.mlflow_roots`, `flywheel serve --mlflow-root`); none by
default, so over HTTP a local store is refused unless the operator opted in. A tracking server
(`http(s)://`) is an MLflow server's own business and is allowed; any other scheme (a database
URL, `databricks`, …) is refused. Local paths are compared after resolving symlinks and `..`.
A caller whose store is not reachable sends it instead (`import-mlflow/upload`).
Locally (the CLI on its own workspace) nothing is restricted: the user opens their own files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dataflywheel.errors import BadInput

REMOTE_SCHEMES = ("http", "https")
LOCAL_SCHEMES = ("sqlite", "file")


def check_served_store(uri: str, roots: Sequence[Path], *, kept: str) -> str:
    """`uri` (normalised: `integrations.mlflow_store.normalise_uri`) if the server may open it
    for a caller; `BadInput` saying which stores it opens otherwise."""
    parts = urlsplit(uri)
    if parts.scheme in REMOTE_SCHEMES and parts.netloc:
        return uri
    path = _local_path(uri)
    if path is not None and any(path.is_relative_to(root.resolve()) for root in roots):
        return uri
    allowed = ("its operator allowed none" if not roots
               else "under a folder its operator allowed")
    raise BadInput(f"the server does not open the MLflow store {uri!r}", field="tracking_uri",
                   expected="an http(s):// MLflow tracking server, or a store on the server "
                            f"under FLYWHEEL_MLFLOW_ROOTS / flywheel serve --mlflow-root "
                            f"({allowed})", kept=kept,
                   hint="send the store itself (POST /api/v1/experiments/import-mlflow/upload, "
                        "what flywheel experiments import-mlflow does with a local .db), or ask "
                        "the server's operator to allow its folder")


def _local_path(uri: str) -> Path | None:
    """The resolved file a `sqlite:///…` or `file:///…` store names (None: not one plain file)."""
    parts = urlsplit(uri)
    if parts.scheme not in LOCAL_SCHEMES or parts.query or parts.fragment or "::" in uri:
        return None
    if parts.scheme == "sqlite":  # sqlite:///relative, sqlite:////absolute; sqlite:// is memory
        text = uri.removeprefix("sqlite:///") if uri.startswith("sqlite:///") else ""
    else:
        text = unquote(parts.path) if parts.netloc in ("", "localhost") else ""
    if not text or text == ":memory:" or "\x00" in text:
        return None
    return Path(text).resolve()
