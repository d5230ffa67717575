"""Bottleneck analysis over the records (P10 §12): the shipped rules plus a team's own, judged on
the facts of a window.

The rules are data (`default_bottlenecks.yaml`, and a file of the same shape for a team's own);
`domain.policies.bottlenecks` judges them — no user text is ever evaluated as code.
"""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.bottlenecks import RuleSet, Severity, combined, evaluate, parse_rules
from dataflywheel.reports.system_evidence import bottleneck_facts
from dataflywheel.yamlsafe import load_file, safe_load

DEFAULT_RULES = "default_bottlenecks.yaml"


def default_rules() -> RuleSet:
    text = files("dataflywheel.reports").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")
    return parse_rules(safe_load(text, source=DEFAULT_RULES), source=DEFAULT_RULES)


def rules_with(path: Path | None) -> RuleSet:
    """The shipped rules, plus the rules of `path` when given (validated whole first)."""
    if path is None:
        return default_rules()
    extra = parse_rules(load_file(path, what="bottleneck rules file"), source=str(path))
    return combined(default_rules(), extra, source=str(path))


class BottleneckRow(BaseModel):
    name: str
    severity: Severity
    project: str
    figure: float
    reason: str


def find_bottlenecks(session: Session, rules: RuleSet, *, since: datetime | None,
                     until: datetime) -> list[BottleneckRow]:
    """Every bottleneck the rules find in `[since, until)`, most severe first."""
    facts = bottleneck_facts(session, since=since, until=until, now=until)
    return [BottleneckRow(**b.__dict__) for b in evaluate(rules, facts)]
