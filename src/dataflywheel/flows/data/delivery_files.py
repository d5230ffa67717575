"""What a delivery's messages say about its files: an empty file is refused before anything is
stored, and an error raised while checking names the stored object, never the temporary path the
checks read it from (that folder is gone by the time anyone reads the batch's failure reason).

Why refuse an empty file: a file without a single record has nothing to check, so a "failed"
batch with "0 of 0 records non-conforming (100.0%)" and a P0 issue would be a made-up finding;
it is bad input (exit 2), and nothing is written. Emptiness is decided on the decompressed bytes
(only whitespace) or, for Parquet, on the row count in the footer; a file whose bytes cannot be
read that far (a truncated gzip, a broken footer) is left to the checks, which report it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TypeVar

from dataflywheel.domain.records.data import FileFormat
from dataflywheel.errors import BadInput, FlywheelError

E = TypeVar("E", bound=FlywheelError)
_WHITESPACE = b" \t\r\n\x0b\x0c"


def refuse_empty(path: Path, fmt: FileFormat) -> None:
    """BadInput when the file at `path` holds no record at all (nothing is stored yet)."""
    if _has_content(path, fmt):
        return
    raise BadInput("the file holds no records (an empty batch)", path=str(path),
                   expected="at least one record (a JSON line, or a Parquet row)",
                   kept="nothing was stored", hint="check the export and deliver the file again")


def _has_content(path: Path, fmt: FileFormat) -> bool:
    if path.stat().st_size == 0:
        return False
    if fmt is FileFormat.PARQUET:
        return _parquet_rows(path) != 0
    from dataflywheel.checks.readers.registry import detect
    from dataflywheel.checks.readers.source import iter_chunks

    try:
        _, compression = detect(str(path))
        return any(chunk.strip(_WHITESPACE) for chunk in iter_chunks(str(path), compression))
    except FlywheelError:
        return True  # unreadable bytes: stored, then failed by the checks with the reason


def _parquet_rows(path: Path) -> int | None:
    """Rows in the footer, or None when there is no readable footer."""
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        return int(pq.read_metadata(str(path)).num_rows)
    except Exception:  # noqa: BLE001 - any unreadable footer is the checks' to report
        return None


def naming_stored(exc: E, staged: dict[str, str], roots: list[Path | None]) -> E:
    """`exc` with every staged path named as its stored object: `staged` maps a staged path to
    `NAME (stored object SHA256)`; any other path under `roots` loses the folder."""
    named = copy.copy(exc)
    for attr in ("what", "path", "expected", "got", "kept"):
        value = getattr(named, attr)
        if isinstance(value, str):
            setattr(named, attr, _rename(value, staged, roots))
    named.args = (named._build(),)
    return named


def _rename(text: str, staged: dict[str, str], roots: list[Path | None]) -> str:
    for path, name in sorted(staged.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, name)
    for root in roots:
        if root is not None:
            text = text.replace(str(root) + "/", "")
    return text
