"""Deliveries a server takes from elsewhere: an uploaded body or an object-store URL, staged first.

`deliver` reads local files; a team server's caller sends bytes (`POST …/deliveries`, a streamed
body) or names an object (`POST …/deliveries/from-url`, read through fsspec). Both are staged as
one file under its delivered name in a private folder of `<workspace>/uploads/` (`staging`),
handed to `deliver`, and the folder is removed whatever happens, so a refused, oversized or
interrupted delivery leaves no file behind and — since `deliver` stores nothing before its input
checks pass — no blob and no batch.

Which URLs a server reads for a caller is an allow-list (`Settings.fetch_allow`, plus the
workspace's own object store): a server must not read arbitrary local files or buckets for whoever
holds a token. A URL is allowed when it lies under an allowed prefix: for local files after
resolving symlinks and `..` (`file:///srv/drop/x.jsonl` under `file:///srv/drop/`), for other
schemes (`s3://`, `gs://`, `memory://`…) textually, with `.`/`..` segments and fsspec's chained
URLs (`a::b`) refused outright. The size is capped (`Settings.upload_max_bytes`) before and while
reading.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dataflywheel.domain.records.data import MAX_FILE_NAME_BYTES
from dataflywheel.errors import BadInput, FlywheelError
from dataflywheel.flows.data.delivery import NOTHING, Delivery, deliver
from dataflywheel.flows.workspace import Workspace
from dataflywheel.settings import Settings

CHUNK = 1024 * 1024
UPLOADS_DIR = "uploads"
LOCAL_SCHEMES = ("", "file")


@contextmanager
def staging(settings: Settings) -> Iterator[Path]:
    """A fresh private folder under `<workspace>/uploads/`, removed on the way out. An error that
    names a file in it names the file alone: the server's folders are nobody's business."""
    root = settings.workspace / UPLOADS_DIR
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
    try:
        yield folder
    except FlywheelError as exc:
        inside = str(folder) + os.sep
        if exc.path is not None and str(exc.path).startswith(inside):
            exc.path = str(exc.path).removeprefix(inside)
            exc.args = (exc._build(),)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def staged_name(name: str) -> str:
    """`name` as the delivered file's name: one path component, at most 255 bytes."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise BadInput(f"cannot deliver a file named {name!r}", field="name", kept=NOTHING,
                       expected="a plain file name such as part-001.jsonl (no folders)")
    if len(name.encode("utf-8")) > MAX_FILE_NAME_BYTES:
        raise BadInput(f"file name is {len(name.encode('utf-8'))} bytes long", field="name",
                       expected=f"at most {MAX_FILE_NAME_BYTES} bytes", kept=NOTHING)
    return name


def allowed_prefixes(settings: Settings) -> list[str]:
    """Where the server may read deliveries from: its own object store, then `fetch_allow`."""
    return [settings.objects_root, *settings.fetch_allow]


def check_url(url: str, prefixes: Sequence[str]) -> str:
    """`url` if it lies under one of `prefixes`; `BadInput` naming the allow-list otherwise."""
    parts = urlsplit(url)
    refused = ("::" in url or parts.query or parts.fragment or not parts.path.strip("/")
               or (parts.scheme in LOCAL_SCHEMES and parts.netloc not in ("", "localhost"))
               or not parts.scheme)
    if not refused:
        if parts.scheme in LOCAL_SCHEMES:
            here = Path(unquote(parts.path)).resolve()
            refused = not any(here.is_relative_to(root) for root in _local_roots(prefixes))
        else:
            segments = parts.path.split("/")[1:]
            refused = (any(s in (".", "..") for s in segments)
                       or not any(url.startswith(p.rstrip("/") + "/") for p in prefixes
                                  if urlsplit(p).scheme not in LOCAL_SCHEMES))
    if refused:
        raise BadInput(f"the server does not read deliveries from {url!r}", field="url",
                       expected="an object URL under an allowed prefix (file:///…, s3://…): the "
                                "workspace's object store or FLYWHEEL_FETCH_ALLOW",
                       kept=NOTHING, hint="upload the file as the request body instead, or ask "
                                          "the server's operator to allow the prefix")
    return url


def _local_roots(prefixes: Sequence[str]) -> list[Path]:
    roots = []
    for prefix in prefixes:
        parts = urlsplit(prefix)
        if parts.scheme == "file":
            roots.append(Path(unquote(parts.path)).resolve())
        elif parts.scheme == "" or len(parts.scheme) == 1:  # a plain path (or a drive letter)
            roots.append(Path(prefix).resolve())
    return roots


def fetch(url: str, folder: Path, *, name: str | None, cap: int) -> Path:
    """Copy the object at `url` into `folder` under its delivered name, at most `cap` bytes."""
    import fsspec  # type: ignore[import-untyped]

    target = folder / staged_name(name or unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
    try:
        fs, path = fsspec.core.url_to_fs(url)
        size = fs.size(path)
        if size is not None and size > cap:
            raise _too_large(url, f"{size} bytes", cap)
        with fs.open(path, "rb") as src, target.open("wb") as out:
            copied = 0
            while chunk := src.read(CHUNK):
                copied += len(chunk)
                if copied > cap:
                    raise _too_large(url, f"more than {cap} bytes", cap)
                out.write(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise BadInput("no object at this URL", field="url", got=url, kept=NOTHING,
                       expected="the URL of one object (file)") from None
    except (OSError, ValueError, ImportError) as exc:  # unknown scheme, missing driver, network
        raise BadInput(f"cannot read {url!r}: {type(exc).__name__}: {exc}", field="url",
                       kept=NOTHING, expected="a readable object URL") from None
    return target


def _too_large(url: str, got: str, cap: int) -> BadInput:
    return BadInput("the object is larger than this server takes", field="url", got=got,
                    expected=f"at most {cap} bytes (FLYWHEEL_UPLOAD_MAX_BYTES)", kept=NOTHING,
                    hint=f"split the delivery into several batches: {url}")


def deliver_url(ws: Workspace, url: str, *, name: str | None = None,
                **delivery: Any) -> Delivery:
    """Read the object at an allowed `url` and deliver it like a local file (`deliver`)."""
    check_url(url, allowed_prefixes(ws.settings))
    with staging(ws.settings) as folder:
        path = fetch(url, folder, name=name, cap=ws.settings.upload_max_bytes)
        return deliver(ws, [path], **delivery)
