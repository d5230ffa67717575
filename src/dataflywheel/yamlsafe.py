"""YAML loading that refuses what users never need and attackers love.

Aliases are refused outright: an alias bomb ("billion laughs") is a few hundred bytes that expand
into gigabytes once anything walks the tree. Documents over a size limit are refused before parsing; nesting deeper than any real document
needs is refused while composing, with its line (the composer recurses: a few kilobytes of `[[[…`
would otherwise exhaust Python's stack).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dataflywheel.errors import BadInput, NotFound

MAX_YAML_BYTES = 8 * 1024 * 1024
MAX_YAML_DEPTH = 100


class _NoAliasLoader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= MAX_YAML_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise BadInput(
                "YAML nested too deeply",
                line=event.start_mark.line + 1,
                expected=f"at most {MAX_YAML_DEPTH} levels of lists and mappings",
            )
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise BadInput(
                "YAML aliases are not allowed",
                line=event.start_mark.line + 1,
                expected="plain values (no '*alias' references)",
                got=f"*{event.anchor}",
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def safe_load(text: str, *, source: str = "<yaml>") -> Any:
    """Parse one YAML document; every failure is a `BadInput` naming `source` and the line."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise BadInput("YAML document too large", path=source, expected=f"at most {MAX_YAML_BYTES} bytes")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except BadInput as exc:
        raise BadInput(exc.what, path=source, line=exc.line, expected=exc.expected, got=exc.got) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise BadInput(
            f"invalid YAML: {exc.problem}",
            path=source,
            line=None if mark is None else mark.line + 1,
        ) from None
    except yaml.YAMLError as exc:
        raise BadInput(f"invalid YAML: {exc}", path=source) from None


def load_file(path: Path, *, what: str) -> Any:
    """The YAML document of the file at `path`, safely parsed; `what` names the file in the
    errors ("RACI file not found", "stage plan file is not UTF-8")."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{what} not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise BadInput(f"{what} is not UTF-8", path=str(path)) from None
    return safe_load(text, source=str(path))
