"""Every `Next: flywheel …` hint in the code names a command that exists."""

from __future__ import annotations

import re
from pathlib import Path

from test_docs import _commands

SRC = Path(__file__).resolve().parents[1] / "src" / "dataflywheel"
HINT = re.compile(r"""["'`]flywheel ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)""")


def test_every_hinted_command_exists() -> None:
    commands = {c.removeprefix("flywheel ") for c in _commands()}
    prefixes = {" ".join(c.split()[:n]) for c in commands for n in range(1, len(c.split()) + 1)}
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in HINT.finditer(line):
                words = match.group(1).split()
                longest = max((n for n in range(1, len(words) + 1)
                               if " ".join(words[:n]) in prefixes), default=0)
                names_group = 0 < longest == len(words)
                if not names_group and " ".join(words[:longest]) not in commands:
                    missing.append(f"{path.relative_to(SRC)}:{number}: flywheel {match.group(1)}")
    assert not missing, "hints naming no command:\n" + "\n".join(missing)
