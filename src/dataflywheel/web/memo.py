"""Recently computed page contexts, kept a short while per site.

The executive dashboard reads the whole flywheel: the plan's gates, the week's reports and eight
weeks of every metric. On a pool of 10⁵ requirements that is seconds of queries, while the page
is opened many times a minute by people who need figures a minute old at worst. So a page may
keep its context for `max_age` (per key: the project), says when it was computed, and offers a
refresh that computes it again at once. Nothing person-specific is kept: the caller's right to
see the key is decided before the memo is asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from dataflywheel.domain.records.base import utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class Kept(Generic[T]):
    """A context and when it was computed."""

    value: T
    computed_at: datetime


class Memo(Generic[T]):
    """At most `size` contexts, each reused for `max_age` after it was computed."""

    def __init__(self, max_age: timedelta, size: int = 64) -> None:
        self.max_age = max_age
        self.size = size
        self._kept: OrderedDict[Hashable, Kept[T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, fresh: bool = False) -> Kept[T]:
        """The context of `key`: kept if younger than `max_age` (and not `fresh`), else
        computed now and kept."""
        now = utcnow()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and not fresh and now - kept.computed_at < self.max_age:
                self._kept.move_to_end(key)
                return kept
        made = Kept(compute(), utcnow())
        with self._lock:
            self._kept[key] = made
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made


def site_memo(state: Any, name: str, max_age: timedelta) -> Memo[Any]:
    """The site's memo called `name` (`app.state`: one per site, so two sites on two workspaces
    never share a context), made on first use."""
    memo = getattr(state, name, None)
    if memo is None:
        memo = Memo[Any](max_age)
        setattr(state, name, memo)
    return memo
