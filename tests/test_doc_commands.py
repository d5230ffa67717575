"""The commands a doc page shows are true: each `flywheel …` it quotes (inline or in a code block)
names a real command, every `--flag` it shows is an option of that command, it passes no more
positional values than the command takes, and it gives the options the command requires.

`tests/test_docs.py` proves every command is documented somewhere; this proves what is documented
is right. Pages are listed here as they are made true (add yours).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

REPO = Path(__file__).resolve().parents[1]
PAGES = ["docs/feedback.md", "docs/issues.md", "docs/metrics.md", "docs/reports.md",
         "docs/system.md", "docs/system-runs.md"]
_PLACEHOLDER = {"…", "...", "|", ">", "<"}


def _root() -> Any:
    from dataflywheel.cli.main import _register_groups, app

    _register_groups()
    return typer.main.get_command(app)


def quoted_commands(text: str) -> list[str]:
    """Every `flywheel …` span of inline code, and every code-block line starting `flywheel `."""
    spans = [s for s in re.findall(r"`(flywheel[^`]*)`", text) if not s.startswith("flywheel.")]
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M):
        spans += [line for line in block.splitlines() if line.startswith("flywheel ")]
    return [" ".join(s.split("#")[0].split()) for s in spans]


def _words(span: str) -> list[str]:
    """The words of a usage line: brackets and alternatives dropped, a shell redirection cut."""
    cleaned = re.sub(r"[\[\]()]", " ", span.split(" > ")[0]).replace(" | ", " ")
    return [w.rstrip(",;") for w in cleaned.split() if w.rstrip(",;") not in _PLACEHOLDER]


def problems(span: str, root: Any) -> list[str]:
    """What is wrong with one quoted command line (empty when it is true)."""
    words, command, path = _words(span), root, ["flywheel"]
    while getattr(command, "commands", None) and len(path) < len(words) and \
            words[len(path)] in command.commands:
        command = command.commands[words[len(path)]]
        path.append(words[len(path)])
    if getattr(command, "commands", None):
        return [f"{span!r}: {' '.join(words[:len(path) + 1])!r} is not a command"]
    options = {o: p for p in command.params if p.param_type_name == "option"
               for o in (*p.opts, *p.secondary_opts)}
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    found, positional, rest = [], 0, words[len(path):]
    given: set[str] = set()
    while rest:
        word = rest.pop(0)
        if word.startswith("--"):
            name = word.split("=")[0]
            if name not in options:
                found.append(f"{span!r}: {' '.join(path)} has no option {name}")
                if rest and not rest[0].startswith("--"):
                    rest.pop(0)  # its value
                continue
            given.add(options[name].name)
            if not options[name].is_flag and "=" not in word and rest and not rest[0].startswith("--"):
                rest.pop(0)
        else:
            positional += 1
    unlimited = any(a.nargs == -1 for a in arguments)
    if not unlimited and positional > len(arguments):
        found.append(f"{span!r}: {' '.join(path)} takes {len(arguments)} value(s), not {positional}")
    return found


def _required(span: str, root: Any) -> list[str]:
    """Options the command requires that a usage line (one showing any option) leaves out."""
    words = _words(span)
    command, depth = root, 1
    while getattr(command, "commands", None) and depth < len(words) and words[depth] in command.commands:
        command, depth = command.commands[words[depth]], depth + 1
    if getattr(command, "commands", None) or not any(w.startswith("--") for w in words):
        return []
    shown = set(words)
    return [f"{span!r}: leaves out the required {p.opts[0]}" for p in command.params
            if p.param_type_name == "option" and p.required and not shown & set(p.opts)]


@pytest.mark.parametrize("page", PAGES)
def test_every_quoted_command_is_true(page: str) -> None:
    root = _root()
    spans = quoted_commands((REPO / page).read_text(encoding="utf-8"))
    assert spans, f"{page} quotes no command"
    wrong = [p for span in spans for p in problems(span, root) + _required(span, root)]
    assert not wrong, "\n".join(wrong)


def test_the_checker_catches_wrong_commands() -> None:
    root = _root()
    assert problems("flywheel notifications", root) == [
        "'flywheel notifications': 'flywheel notifications' is not a command"]
    assert problems("flywheel issues list [--sort S]", root) == [
        "'flywheel issues list [--sort S]': flywheel issues list has no option --sort"]
    assert problems("flywheel kb show DOC EXTRA", root) == [
        "'flywheel kb show DOC EXTRA': flywheel kb show takes 1 value(s), not 2"]
    assert _required("flywheel issues assign ISSUE --json", root) == [
        "'flywheel issues assign ISSUE --json': leaves out the required --owner"]
    assert problems("flywheel issues open TITLE --severity P1 --link batch:B-1 --link kb:K", root) == []


def test_commands_said_to_take_json_do() -> None:
    """docs/issues.md says its commands take `--json`, except the template (which prints YAML)."""
    root = _root()
    text = (REPO / "docs" / "issues.md").read_text(encoding="utf-8")
    assert "All of them take `--json` except `flywheel issues postmortem-template`" in text
    for group in ("issues", "kb"):
        for name, command in root.commands[group].commands.items():
            if name != "postmortem-template":
                assert "--json" in {o for p in command.params for o in p.opts}, f"{group} {name}"
    assert "--json" in {o for p in root.commands["trace"].params for o in p.opts}
