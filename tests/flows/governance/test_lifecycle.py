"""The one expire/revoke lifecycle (`flows.governance._lifecycle`): an exception and a grant end
once, through the same guarded move; whoever comes second writes and tells nothing."""

from __future__ import annotations

from datetime import timedelta

from gov_helpers import T0, Pool
from test_exceptions import _audits, _req

from dataflywheel.domain.states import ExceptionState
from dataflywheel.flows.governance import exceptions as ex
from dataflywheel.flows.governance.exception_coverage import EXCEPTIONS
from dataflywheel.flows.notifications import inbox
from dataflywheel.store.repositories.governance import Exceptions


def test_a_stale_second_end_writes_nothing(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req("format"), requested_by="annotation-engineer", now=T0)
    ex.approve(ws, rec.id, approver="data-engineer", now=T0)
    at = T0 + timedelta(hours=1)
    with ws.db.unit_of_work() as s:
        live = Exceptions(s).get(rec.id)  # both "sweepers" read it while approved
        first = EXCEPTIONS.revoke(s, live, reason="vendor fixed it", at=at, actor="data-engineer")
        second = EXCEPTIONS.expire(s, live, at=at, actor="flywheel:expiry")
    assert first is not None and first.state is ExceptionState.REVOKED
    assert first.ended_at == at and first.end_reason == "vendor fixed it"
    assert second is None
    assert (_audits(ws, "exception.revoke"), _audits(ws, "exception.expire")) == (1, 0)
    kinds = [n.kind for n in inbox(ws, "annotation-engineer")]
    assert kinds.count("exception.revoked") == 1 and "exception.expired" not in kinds

