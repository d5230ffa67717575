"""Deliveries from a DVC-tracked path at a git revision (the [dvc] extra): the files are read
through `dvc.api` from the repository as it was at that revision, staged, and delivered as any
local files are; the batch's source names the repository, the revision (resolved to its commit)
and the paths, so `flywheel lineage` says exactly which bytes of which repository a version holds.

Guarantees: all or nothing, as `deliver_urls` — every path is read before anything is stored, and
a path or revision that cannot be read refuses the whole delivery with no file, blob or batch
left; the revision is resolved to a commit first, so a branch that moves later does not change
what the record says was delivered.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from dataflywheel.errors import BadInput
from dataflywheel.extras import require
from dataflywheel.flows.data.delivery import NOTHING, Delivery, deliver
from dataflywheel.flows.data.delivery_fetch import staging
from dataflywheel.flows.workspace import Workspace

COMMIT = re.compile(r"^[0-9a-f]{40}$")


def resolve_commit(repo: str, rev: str | None) -> str:
    """The commit `rev` (default: HEAD) names in `repo` — a local repository or a git URL."""
    wanted = rev or "HEAD"
    if COMMIT.match(wanted):
        return wanted
    local = Path(repo).is_dir()
    command = (["git", "-C", repo, "rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}"]
               if local else ["git", "ls-remote", repo, wanted])
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    found = done.stdout.split()[0] if done.returncode == 0 and done.stdout.split() else ""
    if not COMMIT.match(found):
        raise BadInput("no such revision in the DVC repository", path=repo, field="rev",
                       expected="a branch, tag or commit of the repository", got=wanted,
                       kept=NOTHING)
    return found


def deliver_from_dvc(ws: Workspace, repo: str, paths: Sequence[str], *, rev: str | None = None,
                     **delivery: Any) -> Delivery:
    """Deliver `paths` of the DVC repository `repo` as they were at `rev` (see the module);
    `delivery` is what `deliver` takes besides the files."""
    require("dvc", what="a delivery from a DVC repository")
    import dvc.api  # type: ignore[import-untyped]

    if not paths:
        raise BadInput("name the paths of the batch in the DVC repository", field="FILE",
                       expected="at least one path", kept=NOTHING)
    commit = resolve_commit(repo, rev)
    with staging(ws.settings) as folder:
        staged = []
        for path in paths:
            target = folder / PurePosixPath(path).name
            if target.exists():
                raise BadInput("two paths of the delivery have the same file name", field="FILE",
                               expected="distinct file names", got=target.name, kept=NOTHING)
            try:
                with dvc.api.open(path, repo=repo, rev=commit, mode="rb") as source, \
                        target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
            except Exception as exc:  # noqa: BLE001 - dvc's errors vary by cause; said whole
                raise BadInput(f"cannot read {path} from the DVC repository at {commit[:12]}",
                               path=repo, got=f"{type(exc).__name__}: {exc}",
                               kept=NOTHING) from None
            staged.append(target)
        source = f"dvc:{repo}@{commit}:{','.join(paths)}"
        return deliver(ws, staged, source=source, **delivery)
