#!/usr/bin/env python3
"""Floors of "parse + schema" on a corpus, in CPU seconds (best of 3), to show what bounds
`fw_parse_schema` against `msgspec_typed`:

    .venv/bin/python bench/parse_floor.py bench/data/corpus.jsonl

- the baseline's own work: a typed msgspec decode of every line (lines already split);
- the least our reader must do: an untyped decode (the checks read dicts) of runs of 64 lines in
  one `decode_lines` call each, and the duplicate-key scan over the same runs (`"\\s*:` counted
  against the keys decoded: msgspec keeps the last of two equal keys without a word, and issue 3
  asks for duplicate keys to be rejected), plus splitting into lines.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

RUN = 64


class Rec(msgspec.Struct):
    id: str
    instruction: str
    output: str
    source: str


def best(step: object) -> float:
    times = []
    for _ in range(3):
        t = time.process_time()
        step()  # type: ignore[operator]
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    data = Path(sys.argv[1]).read_bytes()
    lines = data.split(b"\n")
    runs = [b"\n".join(lines[i : i + RUN]) for i in range(0, len(lines), RUN)]
    typed, untyped = msgspec.json.Decoder(Rec), msgspec.json.Decoder()
    key = re.compile(rb'"\s*:')

    def decode_each(decode: Callable[[bytes], object], items: list[bytes]) -> Callable[[], None]:
        def step() -> None:
            for item in items:
                try:
                    decode(item)
                except msgspec.DecodeError:
                    pass

        return step

    def key_scan() -> None:
        for run in runs:
            len(key.findall(run))

    typed_lines = best(decode_each(typed.decode, lines))
    untyped_runs = best(decode_each(untyped.decode_lines, runs))
    print(f"typed decode per line (the baseline's work): {typed_lines:.3f} s")
    print(f"untyped decode_lines, runs of {RUN} lines:      {untyped_runs:.3f} s")
    print(f"duplicate-key scan of the same runs:         {best(key_scan):.3f} s")
    split = best(lambda: data.split(b"\n"))
    print(f"splitting into lines:                        {split:.3f} s")


if __name__ == "__main__":
    main()
