"""Repository of reviewers' verdicts."""

from __future__ import annotations

from dataflywheel.domain.records.review import Review
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.reviews import ReviewRow


class Reviews(Repository[Review, ReviewRow]):
    record_type, row_type, kind, hint = Review, ReviewRow, "review", "flywheel batches show"
