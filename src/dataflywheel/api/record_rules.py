"""Rules about one record rather than a role: the owner of a dataset, the deciders of a grant,
the open approver slots of an exception, the requester who may withdraw.

Why a separate rule: `Accountable` and `Holds` answer from the project alone, but who may decide
a grant depends on its sensitivity and on who requested it, who may approve an exception on its
type and on the slots already filled. `Asks` hands the record named by the route's path
parameter to the flow's own question (`flows.governance.access.may_decide`, …), the function
that also states what the writer accepts, so the server refuses exactly whom the flow would
(403 before the route runs) and never lets through someone the flow then refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dataflywheel.api.policy import Rule

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dataflywheel.flows.governance.tokens import Authenticated

Question = Callable[["Session", str, str], bool]
"""(session, the record's key, the caller's person id) → may they?"""


def _nobody(s: Session, key: str, person: str) -> bool:
    return False


@dataclass(frozen=True)
class Asks(Rule):
    """The caller passes when the flow's `question` about the scoped record says yes; `says`
    names who that is, for the 403 and `docs/api.md`."""

    question: Question = _nobody
    says: str = ""

    def allows(self, s: Session, who: Authenticated, project: str | None) -> bool:
        return False  # without the record there is nobody to ask about

    def permits(self, s: Session, who: Authenticated, project: str | None, value: str) -> bool:
        return self.question(s, value, who.person_id)

    def describe(self) -> str:
        return self.says
