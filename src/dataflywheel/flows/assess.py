"""`flywheel assess`: the chapter's self-assessment, judged from the records.

Reads only. One session reads the counts (`reports.assessment.read_facts`) and the window's
metrics (which layers have figures at all); the RACI check, the notice record of breaking contract
changes and the Table 24-30 answers come from the flows that own them, so the assessment and
`flywheel raci check`, `flywheel contracts notice-rate`, `flywheel trace` never disagree.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta

from pydantic import TypeAdapter

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.maturity import Facts, checklist, roadmap, stage
from dataflywheel.reports.assessment import Assessment, read_facts

DEFAULT_WINDOW_DAYS = 91
WINDOW_DAYS = (7, 3660)


def assess(ws: Workspace, *, as_of: datetime | None = None,
           window_days: int = DEFAULT_WINDOW_DAYS) -> Assessment:
    """The Table 24-26 checklist, the Table 24-2 stage, the Table 24-30 answers and the
    Table 24-28 roadmap over the `window_days` before `as_of` (default: now)."""
    low, high = WINDOW_DAYS
    if not low <= window_days <= high:
        raise BadInput("the window must be between a week and ten years", field="window_days",
                       expected=f"{low}..{high} days", got=window_days,
                       hint="the chapter reviews by quarter: the default is 91 days")
    from dataflywheel.flows.contracts.lifecycle import advance_notice_rate
    from dataflywheel.flows.governance.raci import check
    from dataflywheel.flows.metrics import gather
    from dataflywheel.flows.trace import trace
    from dataflywheel.metrics.compute import figures

    until = as_of or utcnow()
    since = until - timedelta(days=window_days)
    with ws.db.session() as s:
        facts = read_facts(s, since, until)
        history = gather(ws, s, since, until, None)
    observed = sorted({f.layer for f in figures(history) if f.samples > 0})
    notice = advance_notice_rate(ws, since=since, until=until)
    facts = replace(facts, raci_problems=tuple(check(ws)), layers_observed=tuple(observed),
                    window_breaking_changes=notice.breaking,
                    window_breaking_changes_noticed=notice.on_time)
    answers = trace(ws, now=until)
    judgements = checklist(facts)
    read = {"facts": TypeAdapter(Facts).dump_python(facts, mode="json"), "answers": [a.model_dump(mode="json") for a in answers]}
    return Assessment(as_of=until, since=since, window_days=window_days, checklist=judgements,
                      stage=stage(judgements), questions=answers, roadmap=roadmap(facts),
                      facts=read["facts"],
                      inputs_sha256=hashlib.sha256(canonical_json(read)).hexdigest())
