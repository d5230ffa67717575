#!/usr/bin/env python3
"""Write FILE.parquet: the corpus's decodable records as Parquet, in row groups of ROWS rows, to
measure the local engine on Parquet (cut at row groups) beside `single` (bench/RESULTS.md, Run 5).

Every value is stored as a string (or null): the corpus plants wrong types (an integer id), which
one Parquet column cannot hold. pyarrow's own default row group (1M rows) would leave a 200k file
one row group, which no engine can cut.

    ../.venv/bin/python make_parquet.py data/corpus.valid.jsonl [ROWS]   # -> data/corpus.parquet

Then, alternating: `../.venv/bin/python bench_flywheel.py fw_gate_single data/corpus.parquet
--report a.json` and the same with `fw_gate_local2`; `cmp` the two reports.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FIELDS = ("id", "instruction", "output", "source")


def make_parquet(src: Path, rows_per_group: int) -> dict[str, object]:
    records = []
    with src.open("rb") as f:
        for line in f:
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                records.append({k: None if value.get(k) is None else str(value[k]) for k in FIELDS})
    dst = src.parent / (src.name.split(".")[0] + ".parquet")
    tmp = dst.with_suffix(".parquet.tmp")
    pq.write_table(pa.Table.from_pylist(records), tmp, row_group_size=rows_per_group)
    os.replace(tmp, dst)
    groups = pq.ParquetFile(dst).metadata.num_row_groups
    return {"file": str(dst), "records": len(records), "row_groups": groups}


if __name__ == "__main__":
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    print(json.dumps(make_parquet(Path(sys.argv[1]), rows)))
