#!/usr/bin/env python3
"""Write FILE.valid.jsonl: the corpus minus its malformed lines, for the polars baselines.

Polars' NDJSON reader aborts on the first malformed line, so the shared runner points its three
polars methods at this file (../shared/bench/README.md). Same rule as that README's snippet: a line
is kept when orjson parses it. The output is written to a temporary file and renamed, so an
interrupted run never leaves a half-written corpus behind.

    venv/bin/python make_valid.py data/corpus.jsonl     # -> data/corpus.valid.jsonl
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import orjson


def make_valid(src: Path) -> dict[str, int]:
    """Copy every parseable line of src to <stem>.valid.jsonl; return kept/dropped counts."""
    dst = src.with_suffix(".valid.jsonl")
    tmp = dst.with_suffix(".jsonl.tmp")
    kept = dropped = 0
    with src.open("rb") as fin, tmp.open("wb") as fout:
        for line in fin:
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                dropped += 1
                continue
            fout.write(line)
            kept += 1
    os.replace(tmp, dst)
    return {"file": str(dst), "kept": kept, "dropped_malformed": dropped}


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps(make_valid(Path(arg))))
