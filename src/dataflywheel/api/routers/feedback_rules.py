"""The server's feedback routing rules over HTTP: the rules in force, and how they fare on the
stored events — `flywheel feedback rules show|check --json`, from the same flows.

The rules are the server's own (its workspace's routing.yaml, else the built-in ones), the ones
`POST /api/v1/feedback/route` applies when a request sends none. A check that finds problems is
still a 200: the answer lists them (the CLI exits 1 for them, as locally); it changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import Member, Rule

router = APIRouter(prefix="/api/v1/feedback/rules", tags=["feedback"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/feedback/rules"): Member(),
    ("GET", "/api/v1/feedback/rules/check"): Member(),
}


class RulesShown(BaseModel):
    """The rules in force, in order, each as its YAML states it (defaults left out)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source": "default_routing.yaml",
        "rules": [{"name": "chart-misreading",
                   "description": "misread charts and figures go to the multimodal RAG project",
                   "when": {"failure_type": ["retrieval_gap", "model_gap", "data_gap"],
                            "text": [["chart", "graph", "plot", "figure"]]},
                   "route": {"project": "P-MM-RAG"}}]}]})

    source: str
    rules: list[dict[str, Any]]


class RuleChecked(BaseModel):
    rule: str
    decides: int
    matches: int
    problems: list[str]


class RulesChecked(BaseModel):
    """How each rule fares on the stored events: events it decides, events it matches, problems
    (matches nothing, always shadowed, routes to a project that does not exist)."""

    source: str
    rules: list[RuleChecked]


@router.get("", response_model=RulesShown)
def show_rules(ws: ActingWorkspace) -> dict[str, Any]:
    """The server's routing rules in force, in order (`flywheel feedback rules show --json`)."""
    from dataflywheel.flows.feedback.routing import load_rules, rules_shown

    return rules_shown(load_rules(ws))


@router.get("/check", response_model=RulesChecked)
def check_rules(ws: ActingWorkspace) -> dict[str, Any]:
    """The server's rules against the stored events (`flywheel feedback rules check --json`)."""
    from dataflywheel.flows.feedback import routing

    rules = routing.load_rules(ws)
    return routing.rules_checked(rules, routing.check_rules(ws, rules=rules))
