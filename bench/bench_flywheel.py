#!/usr/bin/env python3
"""Our engine on the benchmark corpus: one method per process, scored against the truth files.

    .venv/bin/python bench_flywheel.py METHOD FILE [--plan corpus.plan.yaml]

Prints one JSON line: the method, the seconds `run_checks` took, the counts the report gives, and
`score`: each count beside what ../shared/bench/gen_corpus.py injected (FILE's .truth.json and
.pairs.tsv), with the rule it must meet. runner.py runs this under /usr/bin/time -v, beside the
shared baselines, so every timing comes with the proof that the engine found what it should.

The timed process does what a user's run does and no more: run the checks, write the report
(compact JSON, pydantic's serializer) and the rejects file. Scoring the report against the truth files
(~1 s at 1M records: every cluster's members against the planted pairs) is the benchmark's own
work, so runner.py does it afterwards, untimed, with `--score-report REPORT` (same output).

Methods (all read FILE through the engine's own readers; the plan is corpus.plan.yaml, with every
check but the named ones switched off for the single-check methods):
  fw_gate_single   every check of the plan, engine "single" (one process)
  fw_gate_local2   every check of the plan, engine "local" with 2 processes (this one reads
                   shards too, plus one helper process)
  fw_parse_schema  structural check only (parse + schema), one process
  fw_exact         exact duplicates only, one process
  fw_exact_local2  exact duplicates only, engine "local" with 2 processes: polars streaming, its
                   baseline, runs on every core (2 threads here), so this is the like-for-like pair
  fw_near          near duplicates only, one process
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from dataflywheel.checks.plan import CheckPlan, load_plan

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Method:
    only: tuple[str, ...] | None  # checks left on; None: the whole plan
    engine: str
    workers: int


METHODS = {
    "fw_gate_single": Method(None, "single", 1),
    "fw_gate_local2": Method(None, "local", 2),
    "fw_parse_schema": Method(("structural",), "single", 1),
    "fw_exact": Method(("exact_duplicates",), "single", 1),
    "fw_exact_local2": Method(("exact_duplicates",), "local", 2),
    "fw_near": Method(("near_duplicates",), "single", 1),
}


def plan_for(base: CheckPlan, only: tuple[str, ...] | None) -> CheckPlan:
    """The base plan with every check outside `only` switched off (flags false, specs absent)."""
    if only is None:
        return base
    data = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    missing = [name for name in only if name not in data["checks"]]
    if missing:
        raise SystemExit(f"the plan does not enable {missing}; nothing to benchmark")
    data["checks"] = {
        name: (value if name in only else False)
        for name, value in data["checks"].items()
        if name in only or isinstance(value, bool)
    }
    return CheckPlan.model_validate(data)


def list_every_cluster() -> None:
    """Raise the report's listing caps so that every duplicate group and near-duplicate cluster
    is listed with all its members: recall on the planted pairs needs the whole membership. Only
    how much of the result is listed changes (a few thousand small dicts, inside the timing);
    what the checks compute does not."""
    from dataflywheel.checks.builtin import duplicates, near_duplicates

    for module in (duplicates, near_duplicates):
        for cap in ("MAX_GROUPS_LISTED", "MAX_CLUSTERS_LISTED", "MAX_MEMBERS_LISTED"):
            if hasattr(module, cap):
                setattr(module, cap, 10**9)


def counts_from(results: dict[str, dict[str, Any]], decoded: int) -> dict[str, Any]:
    """Record counts per defect, as the report states them (a rate times the `decoded` records it
    is taken over when the report gives only the rate)."""
    out: dict[str, Any] = {"decoded_records": decoded}
    m = {name: r.get("metrics", {}) for name, r in results.items()}
    if "structural" in m:
        s = m["structural"]
        out["lines"] = int(s["record_count"])
        out["invalid_json"] = int(s["invalid_json_count"])
        out["schema_violation"] = int(s["schema_violation_count"])
    if "blank" in m:
        out["blank"] = int(m["blank"]["blank_count"])
    if "charset" in m and decoded:
        c = m["charset"]
        for kind in ("control_char", "replacement_char", "lone_surrogate", "mojibake"):
            out[kind] = round(c[f"{kind}_rate"] * decoded)
    if "pii" in m:
        out["pii"] = {k: v for k, v in m["pii"].items() if k.endswith("_count")}
    if "exact_duplicates" in m:
        out["exact_duplicates"] = int(m["exact_duplicates"]["duplicate_count"])
        out["exact_duplicate_groups"] = int(m["exact_duplicates"]["duplicate_group_count"])
    if "near_duplicates" in m:
        near = m["near_duplicates"]
        out["near_duplicates"] = int(near["near_duplicate_count"])
        out["near_duplicate_clusters"] = int(near["near_duplicate_cluster_count"])
        sec = results["near_duplicates"].get("sections", {})
        for key in ("parameters", "candidate_pairs", "confirmed_pairs"):
            if key in sec:
                out[f"near_{key}"] = sec[key]
    return out


def members(result: dict[str, Any] | None, key: str, count_key: str) -> list[list[str]] | None:
    """Record ids of every group in a result's `sections[key]`, or None unless all are listed."""
    if result is None:
        return None
    sec = result.get("sections", {})
    groups = sec.get(key)
    if groups is None or len(groups) < sec.get(count_key, 0):
        return None
    if any(len(g["records"]) < g["size"] for g in groups):
        return None
    return [[str(x["record_id"]) for x in g["records"]] for g in groups]


def pair_recall(clusters: list[list[str]], pairs_path: Path) -> dict[str, Any]:
    """Share of planted (duplicate, source) pairs found in one cluster, per kind (exact / near)."""
    where = {rid: i for i, c in enumerate(clusters) for rid in c}
    found: dict[str, int] = {}
    total: dict[str, int] = {}
    with pairs_path.open() as f:
        next(f)
        for line in f:
            dup, kind, src = line.rstrip("\n").split("\t")
            kind = "exact" if kind == "exact" else "near"
            total[kind] = total.get(kind, 0) + 1
            if dup in where and where.get(src) == where[dup]:
                found[kind] = found.get(kind, 0) + 1
    return {k: (found.get(k, 0), n) for k, n in total.items()}


def score(counts: dict[str, Any], groups: dict[str, list[list[str]] | None], file: Path) -> list[dict]:
    """Each count beside the truth, with the rule of issue 3 ("Correctness") it must meet.
    `groups`: record ids of every exact-duplicate group / near-duplicate cluster, by check."""
    truth_path = file.with_suffix(".truth.json")
    if not truth_path.exists():
        return [{"name": "truth file", "found": "", "truth": "absent", "rule": "", "ok": None}]
    inj = json.loads(truth_path.read_text())["injected"]
    rows = []

    def add(name: str, found: Any, truth: Any, rule: str, ok: bool | None) -> None:
        rows.append({"name": name, "found": found, "truth": truth, "rule": rule, "ok": ok})

    for key, truth_key in (("invalid_json", "bad_json"), ("schema_violation", "schema"),
                           ("blank", "blank"), ("control_char", "control_char"),
                           ("mojibake", "mojibake"), ("replacement_char", "replacement_char")):
        if key in counts:
            add(key, counts[key], inj[truth_key], "= injected", counts[key] == inj[truth_key])
    if "lone_surrogate" in counts:
        add("lone_surrogate", counts["lone_surrogate"], 0, "= 0 (none injected)",
            counts["lone_surrogate"] == 0)
    if "pii" in counts:
        add("pii (records)", counts["pii"].get("pii_count"), inj["pii"],
            "info (Markov text holds number runs too): " + json.dumps(
                {k: int(v) for k, v in sorted(counts["pii"].items()) if v}), None)
    pairs = file.with_suffix(".pairs.tsv")
    if "exact_duplicates" in counts:
        add("exact_duplicates", counts["exact_duplicates"], inj["exact_dup"], "≥ injected",
            counts["exact_duplicates"] >= inj["exact_dup"])
        if groups.get("exact_duplicates") is not None:
            hit, n = pair_recall(groups["exact_duplicates"], pairs).get("exact", (0, 0))
            add("exact-dup pair recall", f"{hit}/{n}", n, "info: planted exact pairs in one group",
                None)
    if "near_duplicates" in counts:
        found = groups.get("near_duplicates")
        if found is None:
            add("near-dup pair recall", "clusters not listed in full", inj["near_dup"],
                "≥ 0.99 of planted pairs", False)
        else:
            rec = pair_recall(found, pairs)
            hit, n = rec.get("near", (0, 0))
            add("near-dup pair recall", f"{hit}/{n} = {hit / n:.4f}", n,
                "≥ 0.99 of planted near pairs in one cluster", hit / n >= 0.99)
            hit, n = rec.get("exact", (0, 0))
            add("exact pairs inside near clusters", f"{hit}/{n} = {hit / n:.4f}", n,
                "info (an exact copy has Jaccard 1)", None)
        add("near-duplicate records", counts["near_duplicates"], inj["near_dup"] + inj["exact_dup"],
            "info: injected near + exact copies", None)
    return rows


def children_cpu_seconds() -> float:
    """CPU seconds (user + system) of the child processes this process has waited for: the local
    engine's helper processes (it joins them before returning). /usr/bin/time counts them too;
    this says how much of the total they were."""
    import resource

    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(use.ru_utime + use.ru_stime, 2)


TREE_SAMPLER = r"""
import os, select, sys
root, every, me, peak = int(sys.argv[1]), float(sys.argv[2]), os.getpid(), 0
def tree():
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    found, frontier = {root}, [root]
    while frontier:
        frontier = [p for p, pp in parent.items() if pp in frontier and p not in found]
        found.update(frontier)
    return found - {me}
def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(l.split()[1]) for l in f if l.startswith("Pss:")), 0)
    except OSError:
        return 0
while True:
    peak = max(peak, sum(pss_kb(p) for p in tree()))
    if select.select([sys.stdin], [], [], every)[0]:  # stdin closed: the run is over
        break
print(peak)
"""


class TreeRss:
    """Samples the memory of this process and all its descendants (the local engine's helper
    processes; /usr/bin/time reports only the largest single process) every `every` seconds;
    `peak_mb` is the largest sum seen. Memory is PSS: a forked helper shares pages with this
    process, which a sum of RSS would count twice. The sampler is a separate process, not a
    thread: the local engine forks its helpers only while no other thread runs."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.peak_kb = 0

    def __enter__(self) -> Self:
        import subprocess
        import sys

        self._proc = subprocess.Popen(
            [sys.executable, "-c", TREE_SAMPLER, str(os.getpid()), str(self.every)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self._proc.communicate()  # closes its stdin, which ends it
        self.peak_kb = int(out.strip() or 0)

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


def engine_commit() -> str:
    """The commit the engine ran from, with "+dirty" when src/ differs from it."""
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(HERE.parent), *args], capture_output=True, text=True,
                              check=False)

    head = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    dirty = git("status", "--porcelain", "--", "src").stdout.strip()
    return head + ("+dirty" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("method", choices=sorted(METHODS))
    ap.add_argument("file", type=Path)
    ap.add_argument("--plan", type=Path, default=HERE / "corpus.plan.yaml")
    ap.add_argument("--report", type=Path, help="write the report's JSON (and rejects) here, "
                    "print only the timings; score it later with --score-report")
    ap.add_argument("--score-report", type=Path, help="score a report written by --report")
    a = ap.parse_args()
    if a.score_report is not None:
        print(json.dumps(scored(a.method, a.file, a.score_report), default=str))
        return
    if a.report is not None:
        print(json.dumps(timed_run(a.method, a.file, a.plan, a.report), default=str))
        return
    with tempfile.TemporaryDirectory(prefix="fw_bench_") as tmp:
        out = timed_run(a.method, a.file, a.plan, Path(tmp) / "report.json")
        out.update(scored(a.method, a.file, Path(tmp) / "report.json"))
    print(json.dumps(out, default=str))


def rejects_path(report: Path) -> Path:
    return report.with_name(report.name + ".rejects.jsonl")


def timed_run(method_name: str, file: Path, plan_path: Path, report_path: Path) -> dict[str, Any]:
    """Run the checks, write the report (and, for the whole gate, the rejects file, as `flywheel
    check --json --rejects` does); the timings and memory of the run."""
    from dataflywheel.checks.engines import run_checks

    method = METHODS[method_name]
    plan = plan_for(load_plan(plan_path), method.only)
    list_every_cluster()
    rejects = rejects_path(report_path) if method.only is None else None
    with TreeRss() as rss:
        t0 = time.perf_counter()
        report = run_checks([str(file)], plan, engine=method.engine,
                            workers=method.workers, rejects=rejects)
        seconds = time.perf_counter() - t0
    report_path.write_text(report.model_dump_json())  # pydantic's serializer: compact, fast
    helpers_cpu = children_cpu_seconds() if method.engine == "local" else None
    return {"method": method_name, "inner_seconds": round(seconds, 3), "engine": method.engine,
            "workers": method.workers, "helpers_cpu_s": helpers_cpu,
            "tree_peak_rss_mb": rss.peak_mb}


def scored(method_name: str, file: Path, report_path: Path) -> dict[str, Any]:
    """The counts a written report gives and their score against FILE's truth files."""
    report = json.loads(report_path.read_text())
    results = dict(report["checks"])
    counts = counts_from(results, report["records"])
    rejects = rejects_path(report_path)
    counts["rejects_file_lines"] = (sum(1 for _ in rejects.open("rb"))
                                    if METHODS[method_name].only is None else None)
    counts["rejects_total"] = report["rejects_total"]
    groups = {"exact_duplicates": members(results.get("exact_duplicates"), "groups", "group_count"),
              "near_duplicates": members(results.get("near_duplicates"), "clusters", "cluster_count")}
    return {"commit": engine_commit(), "counts": counts, "score": score(counts, groups, file)}


if __name__ == "__main__":
    main()
