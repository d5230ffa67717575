"""The command-line options more than one command group takes, each defined once.

An option's flag, help and type live here so every command that takes it shows the same help
(`tests/test_docs.py` pins the command tree). The flag name comes from the parameter's name
unless written here: `project: Project` is `--project`. An option one group repeats among its own
commands stays in that group's module; one whose help differs per command is not shared.
"""

from __future__ import annotations

from typing import Annotated

import typer

Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
"""`--json`: print the result as JSON on stdout instead of a table or a line."""

By = Annotated[str, typer.Option("--by", help="Person id of who acts.")]
"""`--by PERSON`: who acts; `cli._context.workspace` checks it is the person the login is bound to."""

Now = Annotated[str | None, typer.Option(help="Act as of this time (ISO 8601; default now).")]
"""`--now TIME`: act as of a time (tests, back-dated records); parse with `cli.parsing.parse_time`."""

EndReason = Annotated[str, typer.Option(help="Why it ends early.")]
"""`--reason TEXT` of a revocation (a grant or an exception ends before its expiry)."""

Project = Annotated[str, typer.Option(help="Project id.")]
MaybeProject = Annotated[str | None, typer.Option(help="Project id.")]
Owner = Annotated[str, typer.Option(help="Person id of the owner.")]
MaybeOwner = Annotated[str | None, typer.Option(help="Person id of the owner.")]
Priority = Annotated[str, typer.Option(help="P0, P1 or P2.")]
Purpose = Annotated[str, typer.Option(help="training, evaluation or exploration.")]
GuideVersion = Annotated[str | None, typer.Option(help="Annotation guide version.")]

Limit = Annotated[int | None, typer.Option(help="Rows in one page (1 to 1000; default 50).")]
"""`--limit N`: the page size of a list; None is `store.paging.DEFAULT_LIMIT` (the store owns
the bounds, so the CLI does not import it at start-up to learn them)."""

Cursor = Annotated[str | None, typer.Option(help="Start after this cursor (printed under the "
                                                 "previous page).")]
"""`--cursor C`: the page after the one that printed C; a cursor of another list is bad input."""

All = Annotated[bool, typer.Option("--all", help="Every row; with --json, one JSON object a line "
                                                  "(NDJSON), streamed.")]
"""`--all`: no paging; rows are streamed in key order, in flat memory."""
