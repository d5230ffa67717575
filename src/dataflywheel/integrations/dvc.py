"""DVC (dvc.org) for exported versions: the `.dvc` file of each data file, with the hash DVC 3
computes (the MD5 of the bytes), and the file put into a DVC repository's cache, as `dvc add`
would — so that in a repository `dvc status` is clean and `dvc push` sends the file.

Only DVC's file formats are written here: the `.dvc` YAML (`outs: [{md5, size, hash: md5,
path}]`), the `.gitignore` entry DVC keeps beside a tracked file, and the cache layout
`<cache>/files/md5/<2 hex>/<30 hex>` (the cache is `.dvc/cache` unless `.dvc/config` or
`.dvc/config.local` sets `[cache] dir`). `dvc` itself is not needed to write them; the tests check
them with the real `dvc`.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

CHUNK = 1024 * 1024


def md5_of(path: Path) -> str:
    """The hash DVC 3 records for a file: the MD5 of its bytes."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dvc_file_text(name: str, md5: str, size: int) -> str:
    """The `.dvc` file that tracks the file `name` beside it."""
    return f"outs:\n- md5: {md5}\n  size: {size}\n  hash: md5\n  path: {name}\n"


def track(data: Path) -> list[Path]:
    """Write `<data>.dvc` and the `.gitignore` entry beside `data`; returns both paths."""
    dvc_file = data.with_name(data.name + ".dvc")
    dvc_file.write_text(dvc_file_text(data.name, md5_of(data), data.stat().st_size),
                        encoding="utf-8")
    ignore = data.with_name(".gitignore")
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if f"/{data.name}" not in lines:
        ignore.write_text("".join(f"{x}\n" for x in [*lines, f"/{data.name}"]), encoding="utf-8")
    return [dvc_file, ignore]


def repository_of(path: Path) -> Path | None:
    """The DVC repository `path` lies in (the nearest folder above it with `.dvc/`), or None."""
    for folder in [path.resolve(), *path.resolve().parents]:
        if (folder / ".dvc").is_dir():
            return folder
    return None


def cache_of(repository: Path) -> Path:
    """The repository's cache folder: `[cache] dir` of its local or shared config, else
    `.dvc/cache`; a relative `dir` is relative to `.dvc/`, as DVC reads it."""
    config = configparser.ConfigParser()
    config.read([repository / ".dvc" / "config", repository / ".dvc" / "config.local"])
    configured = config.get("cache", "dir", fallback=None)
    if configured:
        chosen = Path(configured)
        return chosen if chosen.is_absolute() else (repository / ".dvc" / chosen).resolve()
    return repository / ".dvc" / "cache"


def cached_path(cache: Path, md5: str) -> Path:
    return cache / "files" / "md5" / md5[:2] / md5[2:]


def add_to_cache(repository: Path, data: Path, md5: str) -> Path:
    """Put `data` into the repository's cache under `md5` (whole or not at all: a temp file in
    the cache renamed into place; read-only, as DVC keeps it); kept as is when already there."""
    target = cached_path(cache_of(repository), md5)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".flywheel-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, data.open("rb") as source:
            shutil.copyfileobj(source, out, CHUNK)
        os.chmod(temp, 0o444)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
