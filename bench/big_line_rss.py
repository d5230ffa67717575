#!/usr/bin/env python3
"""Peak RSS of a contract plan with every check on over one line just under the line cap (issue
"Trust", item 13: a 16.5 MB line peaked at 619 MB; the bound is the cap + 256 MiB):

    .venv/bin/python bench/big_line_rss.py [MB] [ENGINE] [ascii|cjk]

Writes the batch (one record whose `content` is MB megabytes of words, then 50 short records)
and a reference set, then runs `run_checks` in a fresh interpreter and prints that process's
peak RSS (`ru_maxrss` of the child; the `local` engine's helpers are children of it and are
counted separately) and, for comparison, the peak of the same run over the 50 short records only.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import resource, sys
from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.builtin.contamination import ContaminationSpec
from dataflywheel.checks.builtin.spot_check import SpotCheckSpec
from dataflywheel.demo.contracts import example_text
from dataflywheel.flows.contracts.contract_plan import compile_plan
from dataflywheel.integrations.odcs import parse_odcs

plan = compile_plan(parse_odcs(example_text("cleaned-raw-pool"), source="bench"),
                    contamination_reference=["-"])
checks = plan.checks.model_copy(update={
    "contamination": ContaminationSpec(reference=[sys.argv[2]]),
    "spot_check": SpotCheckSpec(sample_size=20)})
report = run_checks([sys.argv[1]], plan.model_copy(update={"checks": checks}), engine=sys.argv[3],
                    workers=2)
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{self_kb} {kids_kb} {report.records} {report.rejected}")
"""


def words(kind: str) -> list[str]:
    if kind == "cjk":
        return ["".join(chr(0x4E00 + (i * 7 + j) % 20000) for j in range(3)) for i in range(5000)]
    return [f"w{i}x" for i in range(5000)]


def write_batch(path: Path, megabytes: float, kind: str) -> int:
    rng = random.Random(13)
    vocab = words(kind)
    target = int(megabytes * 1_000_000) - 200
    parts: list[str] = []
    n = 0
    while n < target:
        w = rng.choice(vocab)
        parts.append(w)
        n += len(w.encode("utf-8")) + 1
    rows = [{"id": "big", "content": " ".join(parts), "source": "web",
             "clean_timestamp": "2026-11-20T09:30:00Z"}] if megabytes else []
    rows += [{"id": f"r{i}", "content": " ".join(rng.choice(vocab) for _ in range(20)),
              "source": "web", "clean_timestamp": "2026-11-20T09:30:00Z"} for i in range(50)]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    return len(text.split("\n", 1)[0].encode("utf-8"))


def peak(batch: Path, ref: Path, engine: str) -> tuple[float, float, str]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(batch), str(ref), engine],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024, f"{out[2]} records, {out[3]} rejected"


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 16.5
    engine = sys.argv[2] if len(sys.argv) > 2 else "single"
    kind = sys.argv[3] if len(sys.argv) > 3 else "ascii"
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "ref.jsonl"
        ref.write_text(json.dumps({"id": "e1", "content": " ".join(words(kind)[:40])}) + "\n")
        small, big = Path(tmp) / "small.jsonl", Path(tmp) / "big.jsonl"
        write_batch(small, 0, kind)
        line = write_batch(big, megabytes, kind)
        base = peak(small, ref, engine)
        top = peak(big, ref, engine)
    print(f"engine {engine}, {kind} text, longest line {line:,} bytes")
    print(f"  50 short records: peak RSS {base[0]:.0f} MiB (helpers {base[1]:.0f} MiB); {base[2]}")
    print(f"  with the long line: peak RSS {top[0]:.0f} MiB (helpers {top[1]:.0f} MiB); {top[2]}")
    print(f"  growth {top[0] - base[0]:.0f} MiB; bound (16 MiB cap + 256 MiB) 272 MiB")


if __name__ == "__main__":
    main()
