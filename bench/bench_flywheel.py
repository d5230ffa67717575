#!/usr/bin/env python3
"""Our engine on the benchmark corpus: one method per process, scored against the truth files.

    .venv/bin/python bench_flywheel.py METHOD FILE [--plan corpus.plan.yaml]

Prints one JSON line: the method, the seconds `run_checks` took, the counts the report gives, and
`score`: each count beside what ../shared/bench/gen_corpus.py injected (FILE's .truth.json and
.pairs.tsv), with the rule it must meet. runner.py runs this under /usr/bin/time -v, beside the
shared baselines, so every timing comes with the proof that the engine found what it should.

Methods (all read FILE through the engine's own readers; the plan is corpus.plan.yaml, with every
check but the named ones switched off for the single-check methods):
  fw_gate_single   every check of the plan, engine "single" (one process)
  fw_gate_local2   every check of the plan, engine "local" on 2 worker processes
  fw_parse_schema  structural check only (parse + schema), one process
  fw_exact         exact duplicates only, one process
  fw_near          near duplicates only, one process
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def check_results(report: Any) -> dict[str, dict[str, Any]]:
    """check name -> {"metrics": ..., "sections": ...} from a report, in JSON form."""
    data = report.model_dump(mode="json") if hasattr(report, "model_dump") else report
    results = data.get("checks", data.get("results"))
    if isinstance(results, dict):
        return {name: r for name, r in results.items()}
    if isinstance(results, list):
        return {r["check"]: r for r in results}
    raise SystemExit(f"cannot find the per-check results in the report (keys: {sorted(data)})")


def counts_from(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Record counts per defect, as the report states them (rates times the records they cover)."""
    out: dict[str, Any] = {}
    m = {name: r.get("metrics", {}) for name, r in results.items()}
    if "structural" in m:
        s = m["structural"]
        out["records"] = int(s["record_count"])
        out["invalid_json"] = int(s["invalid_json_count"])
        out["schema_violation"] = int(s["schema_violation_count"])
    decoded = out.get("records", 0) - out.get("invalid_json", 0)
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
    if "near_duplicates" in m:
        out["near_duplicates"] = {k: v for k, v in m["near_duplicates"].items()}
    return out


def cluster_members(results: dict[str, dict[str, Any]]) -> list[list[str]] | None:
    """Record ids of every near-duplicate cluster, when the report lists them all."""
    near = results.get("near_duplicates")
    if near is None:
        return None
    sec = near.get("sections", {})
    clusters = sec.get("clusters")
    if clusters is None:
        return None
    if sec.get("clusters_listed", len(clusters)) < sec.get("cluster_count", len(clusters)):
        return None
    out = []
    for c in clusters:
        members = c["records"] if isinstance(c, dict) else c
        out.append([str(x["record_id"]) if isinstance(x, dict) else str(x) for x in members])
    return out


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


def score(counts: dict[str, Any], clusters: list[list[str]] | None, file: Path) -> list[dict]:
    """Each count beside the truth, with the rule of issue 3 ("Correctness") it must meet."""
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
    if "exact_duplicates" in counts:
        add("exact_duplicates", counts["exact_duplicates"], inj["exact_dup"], "≥ injected",
            counts["exact_duplicates"] >= inj["exact_dup"])
    if "pii" in counts:
        found = counts["pii"]
        add("pii (records)", json.dumps(found, sort_keys=True), inj["pii"],
            "info: injected e-mail/phone/IPv4; Markov text holds number runs too", None)
    if "near_duplicates" in counts:
        pairs = file.with_suffix(".pairs.tsv")
        if clusters is None:
            add("near-dup recall", "clusters not listed in full", inj["near_dup"],
                "≥ 0.99 of planted pairs", False)
        else:
            for kind, (hit, n) in sorted(pair_recall(clusters, pairs).items()):
                add(f"{kind}-dup pair recall", f"{hit}/{n} = {hit / n:.4f}", n,
                    "≥ 0.99 of planted pairs" if kind == "near" else "info",
                    hit / n >= 0.99 if kind == "near" else None)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("method", choices=sorted(METHODS))
    ap.add_argument("file", type=Path)
    ap.add_argument("--plan", type=Path, default=HERE / "corpus.plan.yaml")
    a = ap.parse_args()
    from dataflywheel.checks.engines import run_checks

    method = METHODS[a.method]
    plan = plan_for(load_plan(a.plan), method.only)
    t0 = time.perf_counter()
    report = run_checks([str(a.file)], plan, engine=method.engine, workers=method.workers)
    seconds = time.perf_counter() - t0
    results = check_results(report)
    counts = counts_from(results)
    clusters = cluster_members(results)
    print(json.dumps({"method": a.method, "inner_seconds": round(seconds, 3), "engine": method.engine,
                      "workers": method.workers, "counts": counts,
                      "score": score(counts, clusters, a.file)}, default=str))


if __name__ == "__main__":
    main()
