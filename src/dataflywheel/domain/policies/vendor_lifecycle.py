"""The rules of a vendor's lifecycle (Table 24-21), pure: when a vendor may receive work, how a
calibration is scored, and when in-process figures raise a drift alert.

- Work is dispatched only to an onboarded vendor: confidentiality and compliance confirmed, tool
  training done, and a test task passed (the latest of each kind counts). An offboarded vendor
  receives nothing.
- A calibration scores each annotator's answers on gold items (items with a known label mixed into
  a batch) automatically: accuracy = answers equal to the gold label / gold items answered.
- Drift: a calibration accuracy below `CALIBRATION_FLOOR`, a rework rate above `REWORK_CEILING`, a
  disputed share above `DISPUTE_CEILING`, or a response delay over `DELAY_CEILING_HOURS`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel

from dataflywheel.domain.records.vendor import EvidenceKind, VendorEvidence

ONBOARDING_NEEDS = (EvidenceKind.CONFIDENTIALITY, EvidenceKind.COMPLIANCE,
                    EvidenceKind.TOOL_TRAINING, EvidenceKind.TEST_TASK)
CALIBRATION_FLOOR = 0.9
REWORK_CEILING = 0.1
DISPUTE_CEILING = 0.05
DELAY_CEILING_HOURS = 24.0


def missing_for_work(evidence: Iterable[VendorEvidence]) -> list[str]:
    """What keeps the vendor from receiving work (empty: it may): each onboarding evidence kind
    not yet recorded as passed (its latest record), or the vendor's offboarding."""
    latest: dict[EvidenceKind, VendorEvidence] = {}
    offboarded = False
    for e in sorted(evidence, key=lambda x: (x.recorded_at, x.id)):
        latest[e.kind] = e
        offboarded |= e.kind is EvidenceKind.DELETION_CONFIRMED
    missing = [f"{kind.value} not confirmed" if kind not in latest
               else f"{kind.value} not passed (latest {latest[kind].id})"
               for kind in ONBOARDING_NEEDS
               if kind not in latest or latest[kind].passed is not True]
    return (["the vendor is offboarded"] if offboarded else []) + missing


class Calibration(BaseModel):
    """A calibration's automatic score: overall and per annotator, with the items missed."""

    items: int
    answered: int
    accuracy: float
    by_annotator: dict[str, float]
    missed: list[str]


def score_calibration(gold: Mapping[str, str],
                      answers: Sequence[tuple[str, str, str]]) -> Calibration:
    """Score `(item_id, annotator_id, label)` answers against `gold` (item id → label); answers
    to items that are not gold are ignored (they are the batch's ordinary items)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    missed: list[str] = []
    for item, annotator, label in answers:
        if item not in gold:
            continue
        right = label == gold[item]
        hits[annotator].append(right)
        if not right:
            missed.append(f"{item} by {annotator}: {label!r}, gold {gold[item]!r}")
    every = [h for hs in hits.values() for h in hs]
    return Calibration(
        items=len(gold), answered=len(every),
        accuracy=round(sum(every) / len(every), 4) if every else 0.0,
        by_annotator={a: round(sum(h) / len(h), 4) for a, h in sorted(hits.items())},
        missed=missed)


def drift_reasons(*, accuracy: float | None = None, rework_rate: float | None = None,
                  disputed_share: float | None = None,
                  response_delay_hours: float | None = None) -> list[str]:
    """Every figure past its limit, said with the limit (empty: no drift)."""
    out = []
    if accuracy is not None and accuracy < CALIBRATION_FLOOR:
        out.append(f"calibration accuracy {accuracy:.2%} below {CALIBRATION_FLOOR:.0%}")
    if rework_rate is not None and rework_rate > REWORK_CEILING:
        out.append(f"rework rate {rework_rate:.2%} above {REWORK_CEILING:.0%}")
    if disputed_share is not None and disputed_share > DISPUTE_CEILING:
        out.append(f"disputed share {disputed_share:.2%} above {DISPUTE_CEILING:.0%}")
    if response_delay_hours is not None and response_delay_hours > DELAY_CEILING_HOURS:
        out.append(f"response delay {response_delay_hours:g} h above {DELAY_CEILING_HOURS:g} h")
    return out
