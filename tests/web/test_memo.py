"""Page contexts kept a short while: reused while young, computed anew when old or asked."""

from __future__ import annotations

from datetime import timedelta

import time_machine


def test_a_context_is_reused_while_young_and_computed_again_when_old() -> None:
    from dataflywheel.web.memo import Memo

    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    memo = Memo[int](timedelta(seconds=60))
    with time_machine.travel("2026-12-08 10:00:00+00:00", tick=False) as clock:
        first = memo.get("P-1", compute)
        clock.shift(timedelta(seconds=59))
        assert memo.get("P-1", compute) == first and len(calls) == 1
        clock.shift(timedelta(seconds=1))
        again = memo.get("P-1", compute)
    assert again.value == 2 and again.computed_at > first.computed_at


def test_fresh_computes_now_and_keys_do_not_mix() -> None:
    from dataflywheel.web.memo import Memo

    counter = iter(range(100))
    memo = Memo[int](timedelta(minutes=5))
    a = memo.get("A", lambda: next(counter))
    b = memo.get("B", lambda: next(counter))
    assert (a.value, b.value) == (0, 1)
    assert memo.get("A", lambda: next(counter), fresh=True).value == 2
    assert memo.get("A", lambda: next(counter)).value == 2


def test_the_oldest_context_leaves_when_full() -> None:
    from dataflywheel.web.memo import Memo

    memo = Memo[str](timedelta(minutes=5), size=2)
    for key in ("A", "B", "C"):
        memo.get(key, lambda key=key: key.lower())
    recomputed = memo.get("A", lambda: "again")
    assert recomputed.value == "again"
    assert memo.get("C", lambda: "not again").value == "c"


def test_the_dashboard_says_when_its_figures_were_computed_and_recomputes_on_asking(
        fresh_site) -> None:  # type: ignore[no-untyped-def]
    from web_helpers import web_login

    client, site = fresh_site
    web_login(client, site.token["lin.wei"])
    first = client.get("/?project=P-K12").text
    assert 'id="computed">Figures as of' in first and "fresh=true" in first
    kept = client.app.state.executive_memo._kept["P-K12"]
    assert client.get("/?project=P-K12").status_code == 200
    assert client.app.state.executive_memo._kept["P-K12"] is kept  # reused
    assert client.get("/?project=P-K12&fresh=true").status_code == 200
    assert client.app.state.executive_memo._kept["P-K12"] is not kept
