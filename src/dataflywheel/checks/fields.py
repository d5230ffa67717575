"""Field paths in a record: `a`, `a.b`, `messages[].content`.

A path is compiled once per plan into a tuple of steps; `extract` walks a decoded JSON value and
returns every string it reaches, in document order. Values that are not strings are skipped here
(the structural check reports wrong types), so extraction never raises on any decoded JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dataflywheel.errors import BadInput

# A step is a key name, or None meaning "each element of a list".
Step = str | None
Path = tuple[Step, ...]

TEXT_SEPARATOR = "\n"


def compile_path(path: str) -> Path:
    """Turn `messages[].content` into `("messages", None, "content")`; refuse empty segments."""
    steps: list[Step] = []
    for segment in path.split("."):
        name, brackets = segment, 0
        while name.endswith("[]"):
            name, brackets = name[:-2], brackets + 1
        if not name or "[" in name or "]" in name:
            raise BadInput(
                "invalid field path",
                field=path,
                expected="names joined by '.', each optionally followed by '[]', e.g. messages[].content",
            )
        steps.append(name)
        steps.extend([None] * brackets)
    return tuple(steps)


def extract(value: Any, path: Path) -> list[str]:
    """Every string found at `path` in `value`, in document order; [] when the path is absent."""
    found: list[str] = []
    _walk(value, path, 0, found)
    return found


def _walk(value: Any, path: Path, depth: int, found: list[str]) -> None:
    if depth == len(path):
        if type(value) is str:
            found.append(value)
        return
    step = path[depth]
    if step is None:
        if type(value) is list:
            for item in value:
                _walk(item, path, depth + 1, found)
    elif type(value) is dict:
        inner = value.get(step, _MISSING)
        if inner is not _MISSING:
            _walk(inner, path, depth + 1, found)


_MISSING = object()


class TextExtractor:
    """The text of a record: every string at each of the plan's text fields, joined by newlines.

    Single-key paths (the common case) take a fast path with no walking.
    """

    def __init__(self, fields: Sequence[str]) -> None:
        self.paths = [compile_path(f) for f in fields]
        self._simple = [p[0] for p in self.paths] if all(len(p) == 1 for p in self.paths) else None

    def __call__(self, value: Any) -> str:
        if type(value) is not dict:
            return ""
        if self._simple is not None:
            parts = []
            for key in self._simple:
                v = value.get(key)
                if type(v) is str:
                    parts.append(v)
        else:
            parts = [s for p in self.paths for s in extract(value, p)]
        return parts[0] if len(parts) == 1 else TEXT_SEPARATOR.join(parts)

    def many(self, values: list[Any]) -> list[str]:
        """`[self(v) for v in values]`, column by column for single-key paths (no call per record)."""
        keys = self._simple
        if keys is None or not keys:
            return list(map(self, values))
        columns = [[v.get(key) if type(v) is dict else None for v in values] for key in keys]
        if len(columns) == 1:
            return [v if type(v) is str else "" for v in columns[0]]
        if len(columns) == 2:
            sep = TEXT_SEPARATOR
            return [
                (f"{a}{sep}{b}" if type(b) is str else a)  # one copy (a + sep + b makes two)
                if type(a) is str
                else (b if type(b) is str else "")
                for a, b in zip(columns[0], columns[1])
            ]
        return [TEXT_SEPARATOR.join([s for s in row if type(s) is str]) for row in zip(*columns)]


def get_scalar(value: Any, path: Path) -> Any:
    """The first value at `path` (strings, numbers, anything), or None when absent."""
    if not path:
        return value
    step = path[0]
    if step is None:
        if type(value) is list:
            for item in value:
                got = get_scalar(item, path[1:])
                if got is not None:
                    return got
        return None
    if type(value) is dict:
        return get_scalar(value.get(step), path[1:])
    return None
