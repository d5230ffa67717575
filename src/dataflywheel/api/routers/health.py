"""`GET /api/v1/health`: the server is up, its database answers and its object store takes a write.

No token needed (a load balancer asks it). Each dependency is probed for real on every call: the
database with a trivial query, the object store by writing, reading back and removing a small
probe in its temporary area (`store.blobs.TEMP_DIR`, where `gc_temp` would sweep a leftover), so a
full disk or a lost mount shows here before a delivery fails. Either failing is a 503 in the error
envelope with one entry per failed dependency (never a traceback: the server log has it).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from dataflywheel import __version__
from dataflywheel.api.deps import BaseWorkspace
from dataflywheel.api.errors import envelope
from dataflywheel.api.policy import Public, Rule
from dataflywheel.store.blobs import TEMP_DIR, TEMP_SUFFIX
from dataflywheel.store.migrate import VERSION_TABLE

router = APIRouter(prefix="/api/v1", tags=["health"])

POLICY: dict[tuple[str, str], Rule] = {("GET", "/api/v1/health"): Public()}

log = logging.getLogger(__name__)


class Health(BaseModel):
    ok: Literal[True]
    version: str
    database: Literal["ok"]
    objects: Literal["ok"]


def probe_database(ws: Any) -> None:
    """Read the schema version row: a real page of the database, not just a connection."""
    with ws.db.session() as s:
        if s.execute(text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar_one() != 1:
            raise LookupError("the database has no schema version")


def probe_objects(ws: Any) -> None:
    """Write, read back and remove a probe under the store's temporary area."""
    fs, root = ws.blobs.fs, ws.blobs.root
    payload = uuid.uuid4().hex.encode()
    path = f"{root}/{TEMP_DIR}/health-{payload.decode()}{TEMP_SUFFIX}"
    try:
        with fs.open(path, "wb") as out:
            out.write(payload)
        with fs.open(path, "rb") as back:
            if back.read() != payload:
                raise OSError("the probe read back differs from what was written")
    finally:
        try:
            fs.rm_file(path)
        except (OSError, FileNotFoundError):
            pass


@router.get("/health", response_model=Health)
def health(ws: BaseWorkspace) -> Any:
    """`ok` when the database answers and the object store takes a write; 503 naming the
    dependency that failed otherwise."""
    failed: list[dict[str, str]] = []
    for name, probe in (("database", probe_database), ("objects", probe_objects)):
        try:
            probe(ws)
        except Exception as exc:  # any failure of a dependency is the answer, not a crash
            log.warning("health: %s probe failed", name, exc_info=True)
            failed.append({"type": "Unavailable", "dependency": name,
                           "message": f"{name} unavailable: {type(exc).__name__}"})
    if failed:
        names = " and ".join(f["dependency"] for f in failed)
        return envelope(503, f"{names} unavailable; the server cannot serve requests; see the "
                             "server log", failed, {"Retry-After": "5"})
    return {"ok": True, "version": __version__, "database": "ok", "objects": "ok"}
