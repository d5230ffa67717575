#!/usr/bin/env python3
"""Tables for bench/RESULTS.md from runner.py output: timings side by side, the issue's ratios
marked met / not met, and the correctness scores of our engine against the corpus truth files.

    .venv/bin/python summarize_flywheel.py --data-dir data results_200k.jsonl results_1m.jsonl

Medians over the successful runs of each (method, file). Wall time is /usr/bin/time's, or the
runner's sub-second clock when under 10 s (as in the shared summarize.py). docs/s counts the lines
of the file the method read, MB/s its bytes (1 MB = 10^6 bytes). A run that failed or timed out
is listed under "failed runs", never dropped.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RSS_LIMIT_MB = 1e9 / 2**20  # 1 GB = 10^9 bytes = 953.7 MiB (the strict reading)
INDEX_BYTES_PER_RECORD = 32.0
OURS = ("fw_gate_single", "fw_gate_local2", "fw_parse_schema", "fw_exact", "fw_exact_local2",
        "fw_near")

# (label, ours, baseline, minimum ratio of MB/s). Targets of issue 3, section "Speed".
TARGETS = [
    ("whole gate, 1 process ≥ 3× py_all_gates", "fw_gate_single", "py_all_gates", 3.0),
    ("whole gate, 1 process ≥ datatrove exact-dedup step", "fw_gate_single", "datatrove_exact", 1.0),
    ("whole gate, local engine 2 cores ≥ 1.7× 1 process", "fw_gate_local2", "fw_gate_single", 1.7),
    ("parse + schema ≥ 0.8× msgspec_typed", "fw_parse_schema", "msgspec_typed", 0.8),
    ("exact duplicates ≥ 1× polars streaming", "fw_exact", "polars_scan_exact", 1.0),
    ("exact duplicates ≥ 1× polars streaming, both on 2 cores", "fw_exact_local2",
     "polars_scan_exact", 1.0),
    ("near duplicates ≥ 15× datasketch (end to end)", "fw_near", "datasketch_lsh", 15.0),
]


@dataclass
class Row:
    method: str
    file: str
    tag: str
    runs: int
    wall: float
    cpu: float
    rss: float
    load: float
    lines: int
    size: int
    result: dict[str, Any]

    @property
    def mbs(self) -> float:
        return self.size / 1e6 / self.wall

    @property
    def docs(self) -> float:
        return self.lines / self.wall

    @property
    def mb_per_cpu_s(self) -> float:
        return self.size / 1e6 / self.cpu if self.cpu else float("nan")


def file_stats(path: Path, cache: dict[str, tuple[int, int]]) -> tuple[int, int]:
    if path.name not in cache:
        with path.open("rb") as fh:
            cache[path.name] = (sum(1 for _ in fh), path.stat().st_size)
    return cache[path.name]


Key = tuple[str, str, str]  # (method, file, tag); tag "" for runs without one


def cpu_seconds(r: dict[str, Any]) -> float:
    """User + system CPU of the process tree: /usr/bin/time's, which includes the local engine's
    helper processes (the engine joins them). Results written before the engine dropped its fork
    server (its workers were the fork server's children, invisible to `time`) carry their
    workers' CPU in `workers_cpu_s`, added here."""
    extra = (r.get("result") or {}).get("workers_cpu_s") or 0.0
    return float(r.get("user_s", 0) + r.get("sys_s", 0) + extra)


def peak_rss(r: dict[str, Any]) -> float:
    """Peak RSS in MB: /usr/bin/time's (the main process and the children it waited for), or the
    sampled peak of the whole process tree when larger (the local engine's workers)."""
    tree = (r.get("result") or {}).get("tree_peak_rss_mb") or 0.0
    return float(max(r["peak_rss_mb"], tree))


def load_rows(results: list[str], data_dir: Path) -> tuple[dict[Key, Row], list[dict]]:
    runs: dict[Key, list[dict]] = defaultdict(list)
    failed = []
    for name in results:
        with open(name) as fh:
            lines = fh.readlines()
        for line in lines:
            r = json.loads(line)
            ok = r.get("rc") == 0 and "error" not in r
            if ok and (r.get("result") is not None or not r["method"].startswith("fw_")):
                runs[(r["method"], r["file"], r.get("tag", ""))].append(r)
            else:
                failed.append(r)
    cache: dict[str, tuple[int, int]] = {}
    rows = {}
    for (m, f, tag), rs in runs.items():
        lines, size = file_stats(data_dir / f, cache)
        walls = [r["wall_precise_s"] if r["wall_s"] < 10 else r["wall_s"] for r in rs]
        rows[(m, f, tag)] = Row(m, f, tag, len(rs), statistics.median(walls),
                           statistics.median(cpu_seconds(r) for r in rs),
                           statistics.median(peak_rss(r) for r in rs),
                           statistics.median(r.get("loadavg_1m", float("nan")) for r in rs),
                           lines, size, dict(rs[-1]["result"] or {}))
    return rows, failed


def timing_table(rows: dict[Key, Row], corpus: str) -> list[str]:
    out = [("| method | file | series | runs | median wall s | CPU s | docs/s | MB/s | MB per CPU-s | "
            "peak RSS MiB | load 1m |"), "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    sel = [r for (m, f, t), r in rows.items() if f.startswith(corpus + ".")]
    sel.sort(key=lambda r: (r.tag, r.method.startswith("fw_"), -r.mbs))
    for r in sel:
        name = f"**{r.method}**" if r.method.startswith("fw_") else r.method
        out.append(f"| {name} | {r.file} | {r.tag or 'baselines'} | {r.runs} | {r.wall:.2f} | "
                   f"{r.cpu:.2f} | {r.docs:,.0f} | "
                   f"{r.mbs:,.1f} | {r.mb_per_cpu_s:,.1f} | {r.rss:,.0f} | {r.load:.2f} |")
    return out


def find(rows: dict[Key, Row], method: str, corpus: str, tag: str | None = None) -> Row | None:
    """The row of `method` on `corpus` (or its .valid variant) in series `tag`; with tag None,
    the paired series when there is one, else the baseline series."""
    for t in ((tag,) if tag is not None else ("paired", "")):
        for f in (f"{corpus}.jsonl", f"{corpus}.valid.jsonl"):
            if (method, f, t) in rows:
                return rows[(method, f, t)]
    return None


def find_pair(rows: dict[Key, Row], mine: str, base: str, corpus: str) -> tuple[Row | None, Row | None]:
    """Both methods from the paired series when both are in it, else each from any series."""
    a, b = find(rows, mine, corpus, "paired"), find(rows, base, corpus, "paired")
    if a is not None and b is not None:
        return a, b
    return find(rows, mine, corpus), find(rows, base, corpus)


def ratio_table(rows: dict[Key, Row], corpora: list[str]) -> list[str]:
    out = [("| target | corpus | series | ours MB/s | baseline MB/s | ratio (wall) | verdict (wall) | "
            "ratio (CPU time) | verdict (CPU time) |"), "|---|---|---|---:|---:|---:|---|---:|---|"]
    for label, mine, base, need in TARGETS:
        for c in corpora:
            if c == "corpus_20k" and mine != "fw_near":  # the 20k prefix is for datasketch only
                continue
            a, b = find_pair(rows, mine, base, c)
            if a is None or b is None:
                missing = mine if a is None else base
                out.append(f"| {label} | {c} | | | | | not measured ({missing} missing) | | |")
                continue
            ratio = a.mbs / b.mbs
            verdict = "met" if ratio >= need else "**not met**"
            if base == "fw_gate_single":  # a parallel speed-up has no CPU-time form
                cpu_ratio, cpu_verdict = "", "n/a"
            else:
                cpu = a.mb_per_cpu_s / b.mb_per_cpu_s
                cpu_ratio, cpu_verdict = f"{cpu:.2f}×", ("met" if cpu >= need else "**not met**")
            series = "paired" if a.tag == b.tag == "paired" else "separate"
            out.append(f"| {label} | {c} | {series} | {a.mbs:,.1f} | {b.mbs:,.1f} | {ratio:.2f}× | "
                       f"{verdict} | {cpu_ratio} | {cpu_verdict} |")
    return out


def memory_table(rows: dict[Key, Row], small: str, big: str) -> list[str]:
    out = [("| method | peak RSS MiB (small) | peak RSS MiB (big) | ≤ 1 GB (954 MiB) | "
            "growth bytes/record | flat (≤ 32 B/record) |"), "|---|---:|---:|---|---:|---|"]
    for m in OURS:
        a, b = find(rows, m, small), find(rows, m, big)
        if a is None or b is None:
            out.append(f"| {m} | | | not measured | | not measured |")
            continue
        growth = (b.rss - a.rss) * 1024 * 1024 / max(1, b.lines - a.lines)
        ok = "met" if max(a.rss, b.rss) <= RSS_LIMIT_MB else "**not met**"
        flat = "met" if growth <= INDEX_BYTES_PER_RECORD else "**not met**"
        out.append(f"| {m} | {a.rss:,.0f} | {b.rss:,.0f} | {ok} | {growth:,.1f} | {flat} |")
    return out


def score_table(rows: dict[Key, Row], corpora: list[str]) -> list[str]:
    out = ["| method | corpus | score | found | truth | rule | verdict |",
           "|---|---|---|---:|---:|---|---|"]
    for c in corpora:
        for m in OURS:
            r = find(rows, m, c)
            if r is None:
                continue
            for s in r.result.get("score", []):
                verdict = {True: "ok", False: "**wrong**", None: "info"}[s.get("ok")]
                out.append(f"| {m} | {c} | {s['name']} | {s['found']} | {s['truth']} | "
                           f"{s['rule']} | {verdict} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--data-dir", required=True, type=Path)
    ap.add_argument("--corpora", nargs="+", default=["corpus", "corpus_1m"])
    a = ap.parse_args()
    rows, failed = load_rows(a.results, a.data_dir)
    corpora = a.corpora + (["corpus_20k"] if any(f.startswith("corpus_20k") for _, f, _ in rows) else [])
    for c in corpora:
        print(f"\n### Timings: {c}\n")
        print("\n".join(timing_table(rows, c)))
    print("\n### Targets (MB/s of each method over the file it read)\n")
    print("\n".join(ratio_table(rows, corpora)))
    if len(a.corpora) >= 2:
        print(f"\n### Memory ({a.corpora[0]} → {a.corpora[1]})\n")
        print("\n".join(memory_table(rows, a.corpora[0], a.corpora[1])))
    print("\n### Correctness of our engine against the truth files\n")
    print("\n".join(score_table(rows, corpora)))
    if failed:
        print("\n### Failed runs\n")
        for r in failed:
            why = r.get("error") or f"rc={r.get('rc')}: {(r.get('stderr_tail') or '')[-300:]!r}"
            print(f"- {r['method']} on {r.get('file')} run {r.get('run')}: {why}")


if __name__ == "__main__":
    main()
