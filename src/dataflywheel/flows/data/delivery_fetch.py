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
URLs (`a::b`) refused outright. The size is capped (`Settings.upload_max_bytes`, for the whole
delivery) before and while reading.

A delivery may name several objects (`deliver_urls`), one file each, as an upload may send several
files: all or nothing — every URL is checked against the allow-list and every delivered name must
be distinct before anything is read, and a URL that cannot be read refuses the whole delivery,
so a bad one leaves no file, no blob and no batch.
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


def distinct_names(names: Sequence[str]) -> list[str]:
    """`names` if no two are the same: files are staged side by side under their delivered names,
    so a second one would overwrite the first."""
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice is not None:
        raise BadInput(f"two delivered files are both named {twice!r}", field="name",
                       expected="distinct file names in one delivery", kept=NOTHING)
    return list(names)


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


def url_name(url: str) -> str:
    """The delivered name of the object at `url`: its last path segment."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def fetch(url: str, target: Path, *, cap: int, used: int = 0) -> int:
    """Copy the object at `url` to `target`; its bytes. `used`: bytes of the delivery already
    fetched, so the whole delivery stays within `cap`."""
    import fsspec  # type: ignore[import-untyped]

    try:
        fs, path = fsspec.core.url_to_fs(url)
        size = fs.size(path)
        if size is not None and used + size > cap:
            raise _too_large(url, f"{used + size} bytes", cap)
        with fs.open(path, "rb") as src, target.open("wb") as out:
            copied = 0
            while chunk := src.read(CHUNK):
                copied += len(chunk)
                if used + copied > cap:
                    raise _too_large(url, f"more than {cap} bytes", cap)
                out.write(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise BadInput("no object at this URL", field="url", got=url, kept=NOTHING,
                       expected="the URL of one object (file)") from None
    except (OSError, ValueError, ImportError) as exc:  # unknown scheme, missing driver, network
        raise BadInput(f"cannot read {url!r}: {type(exc).__name__}: {exc}", field="url",
                       kept=NOTHING, expected="a readable object URL") from None
    return copied


def _too_large(url: str, got: str, cap: int) -> BadInput:
    return BadInput("the object is larger than this server takes", field="url", got=got,
                    expected=f"at most {cap} bytes in one delivery (FLYWHEEL_UPLOAD_MAX_BYTES)",
                    kept=NOTHING,
                    hint=f"split the delivery into several batches: {url}")


def deliver_urls(ws: Workspace, urls: Sequence[str], *, names: Sequence[str] | None = None,
                 **delivery: Any) -> Delivery:
    """Read the objects at allowed `urls` and deliver them, in order, as the files of one batch
    (`deliver`). `names`: each file's delivered name (default: the URL's last segment)."""
    if names is not None and len(names) != len(urls):
        raise BadInput(f"{len(urls)} URL(s) but {len(names)} file name(s)", field="name",
                       expected="one ?name= per URL, in the same order, or none",
                       got=", ".join(names) or None, kept=NOTHING)
    prefixes = allowed_prefixes(ws.settings)
    for url in urls:
        check_url(url, prefixes)
    files = distinct_names([staged_name(n) for n in names or [url_name(u) for u in urls]])
    cap = ws.settings.upload_max_bytes
    with staging(ws.settings) as folder:
        used = 0
        for url, name in zip(urls, files):
            used += fetch(url, folder / name, cap=cap, used=used)
        return deliver(ws, [folder / name for name in files], **delivery)
