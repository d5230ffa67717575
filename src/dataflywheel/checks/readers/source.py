"""Opening inputs: local paths or fsspec URLs, plain or compressed, with the format guessed once.

Guarantees: a missing file is a `NotFound` naming it; a truncated gzip or zstd stream is a
`BadInput` saying the file is truncated (raised while reading, so the run stops instead of
checking half a file); decompressed streams are read in bounded chunks.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from typing import IO, Literal

from dataflywheel.errors import BadInput, NotFound

Compression = Literal["none", "gzip", "zstd"]

CHUNK_BYTES = 1 << 20


def is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def open_raw(path: str) -> IO[bytes]:
    """Open the stored bytes (no decompression); `NotFound` when absent."""
    try:
        if is_url(path):
            import fsspec  # type: ignore[import-untyped]

            return fsspec.open(path, "rb").open()  # type: ignore[no-any-return]
        return open(path.removeprefix("file://"), "rb")
    except FileNotFoundError:
        raise NotFound("input file not found", path=path) from None
    except IsADirectoryError:
        raise BadInput("input is a directory", path=path, expected="a file") from None
    except PermissionError:
        raise BadInput("input file is not readable (permission denied)", path=path) from None


def file_size(path: str) -> int:
    """Size in bytes of the stored file; `NotFound` when absent."""
    try:
        if is_url(path):
            import fsspec

            fs, inner = fsspec.core.url_to_fs(path)
            return int(fs.size(inner))
        return os.path.getsize(path.removeprefix("file://"))
    except FileNotFoundError:
        raise NotFound("input file not found", path=path) from None


def iter_chunks(path: str, compression: Compression) -> Iterator[bytes]:
    """The decompressed bytes of a whole file, in chunks of about CHUNK_BYTES."""
    with open_raw(path) as raw:
        if compression == "none":
            yield from _plain(raw)
        elif compression == "gzip":
            yield from _gzip(raw, path)
        else:
            yield from _zstd(raw, path)


def _plain(raw: IO[bytes]) -> Iterator[bytes]:
    while chunk := raw.read(CHUNK_BYTES):
        yield chunk


def _truncated(path: str, kind: str, detail: str) -> BadInput:
    return BadInput(
        f"{kind} file is truncated or corrupt ({detail})",
        path=path,
        expected=f"a complete {kind} stream",
        kept="nothing from this file was checked; the report is not written",
        hint="re-deliver the complete file",
    )


def _gzip(raw: IO[bytes], path: str) -> Iterator[bytes]:
    stream = gzip.GzipFile(fileobj=raw, mode="rb")
    try:
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk
    except EOFError as exc:
        raise _truncated(path, "gzip", str(exc)) from None
    except (OSError, zlib.error) as exc:
        raise _truncated(path, "gzip", str(exc)) from None


def _zstd(raw: IO[bytes], path: str) -> Iterator[bytes]:
    import zstandard

    dctx = zstandard.ZstdDecompressor()
    dobj = dctx.decompressobj()
    pending = b""
    try:
        while True:
            data = pending or raw.read(CHUNK_BYTES)
            pending = b""
            if not data:
                break
            out = dobj.decompress(data)
            if out:
                yield out
            if dobj.eof:  # one frame done; any bytes left start the next frame
                pending = dobj.unused_data
                dobj = dctx.decompressobj()
                if not pending:
                    pending = raw.read(CHUNK_BYTES)
                    if not pending:
                        return
    except zstandard.ZstdError as exc:
        raise _truncated(path, "zstd", str(exc)) from None
    if not dobj.eof:
        raise _truncated(path, "zstd", "the stream ended inside a frame")
