#!/usr/bin/env bash
# Reproduce bench/RESULTS.md: corpora, the shared baselines and our engine, in one run, on the
# 200,000- and 1,000,000-record corpora of ../shared/bench/gen_corpus.py.
#
#   bench/run.sh                      # everything (about 75 minutes on the 2-core machine)
#   bench/run.sh setup corpora        # only some stages, in the order given
#   RUNS=1 SIZES=200k bench/run.sh baselines ours report
#   RUNS_1M=3 bench/run.sh ours     # our methods run once on 1M unless told
#
# Stages: setup (three baseline venvs + the project venv), corpora (generate + .valid variants),
# baselines, ours, report (prints the tables that RESULTS.md quotes).
# Nothing here is committed: data/, venv*/ and results*.jsonl are gitignored.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
SHARED="${SHARED:-$(dirname "$REPO")/shared/bench}"     # REPO_ROOT.parent / shared / bench
DATA="$HERE/data"
RUNS="${RUNS:-3}"
SIZES="${SIZES:-200k 1m}"
SEED=20260101
PY="$HERE/venv/bin/python"
OURS_PY="${OURS_PY:-$REPO/.venv/bin/python}"
STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(setup corpora baselines ours report)

[ -f "$SHARED/gen_corpus.py" ] || { echo "shared bench scripts not found in $SHARED" >&2; exit 2; }
cd "$HERE"

corpus() {  # size -> corpus stem inside data/
  case "$1" in 200k) echo corpus ;; 1m) echo corpus_1m ;; 20k) echo corpus_20k ;; esac
}
records() {
  case "$1" in 200k) echo 200000 ;; 1m) echo 1000000 ;; 20k) echo 20000 ;; esac
}

stage_setup() {
  [ -x venv/bin/python ] || { python3 -m venv venv && venv/bin/pip install -q orjson msgspec \
    polars duckdb pyarrow xxhash datasketch rensa pandas numpy; }
  [ -x venv-dt/bin/python ] || { python3 -m venv venv-dt && \
    venv-dt/bin/pip install -q "datatrove[processing]" spacy orjson; }
  [ -x venv-gx/bin/python ] || { python3 -m venv venv-gx && \
    venv-gx/bin/pip install -q great_expectations orjson; }
  [ -x "$OURS_PY" ] || make -C "$REPO" install
  "$OURS_PY" -c "import dataflywheel" || (cd "$REPO" && .venv/bin/pip install -q -e '.[test]')
}

stage_corpora() {
  mkdir -p "$DATA"
  for size in 20k 200k 1m; do
    stem="$(corpus $size)"
    [ -f "$DATA/$stem.truth.json" ] || python3 "$SHARED/gen_corpus.py" --out "$DATA/$stem.jsonl" \
      --records "$(records $size)" --seed "$SEED" > /dev/null
  done
  # the generator is sequential: a smaller corpus is the first lines of a larger one
  head -20000 "$DATA/corpus.jsonl" | cmp -s - "$DATA/corpus_20k.jsonl" || {
    echo "corpus_20k.jsonl is not the first 20,000 lines of corpus.jsonl" >&2; exit 1; }
  for size in 200k 1m; do
    stem="$(corpus $size)"
    [ -f "$DATA/$stem.valid.jsonl" ] || "$PY" make_valid.py "$DATA/$stem.jsonl"
  done
}

runner() {  # size runs timeout methods...  (baselines and ours, one results file per size)
  local stem; stem="$(corpus "$1")"
  "$PY" runner.py --file "$DATA/$stem.jsonl" --valid-file "$DATA/$stem.valid.jsonl" \
    --pairs "$DATA/$stem.pairs.tsv" --plan corpus.plan.yaml --ours-python "$OURS_PY" \
    --out "$HERE/results_$1.jsonl" --runs "$2" --timeout "$3" "${@:4}"
}

stage_baselines() {
  for size in $SIZES; do
    # fast floors and the baselines the issue compares against: RUNS runs each
    runner "$size" "$RUNS" 900 cat orjson_parse msgspec_parse msgspec_typed polars_scan_exact \
      datatrove_exact py_exact
    if [ "$size" = 200k ]; then
      runner "$size" "$RUNS" 900 py_all_gates rensa_lsh polars_rensa_bulk
      # datasketch (~1 MB/s): once on 200k, RUNS times on the 20k prefix (corpus_20k)
      runner "$size" 1 900 datasketch_lsh gx_validate
      "$PY" runner.py --file "$DATA/corpus_20k.jsonl" --pairs "$DATA/corpus_20k.pairs.tsv" \
        --out "$HERE/results_200k.jsonl" --runs "$RUNS" datasketch_lsh rensa_lsh
    else
      # 1M: the slow baselines once (py_all_gates ~5 min, datasketch ~15 min, rensa ~3 min)
      runner "$size" 1 1800 py_all_gates rensa_lsh datasketch_lsh
    fi
  done
}

stage_ours() {
  # Our package is installed editable, so unlike the baselines' libraries (pip compiles them) it
  # has no bytecode where PYTHONDONTWRITEBYTECODE is set (it is on the development machine):
  # every process would compile ~75 modules (~0.1 s). Compile once, as an install would.
  "$OURS_PY" -m compileall -q "$REPO/src" > /dev/null
  # Ours interleaved with the baselines its targets name (round 0 of every method, then round 1,
  # ...), tagged "paired": on a shared machine each round of ours meets the load its baselines met.
  for size in $SIZES; do
    runs="$RUNS"; [ "$size" = 1m ] && runs="${RUNS_1M:-1}"
    runner "$size" "$runs" 1800 --interleave --tag paired fw_gate_single py_all_gates \
      datatrove_exact fw_gate_local2 fw_parse_schema msgspec_typed fw_exact fw_exact_local2 \
      polars_scan_exact fw_near
  done
  # near duplicates against datasketch (~1 MB/s), paired: once on 200k, RUNS times on the 20k prefix
  runner 200k 1 900 --interleave --tag paired fw_near datasketch_lsh
  "$PY" runner.py --file "$DATA/corpus_20k.jsonl" --pairs "$DATA/corpus_20k.pairs.tsv" \
    --plan corpus.plan.yaml --ours-python "$OURS_PY" --out "$HERE/results_200k.jsonl" \
    --runs "$RUNS" --interleave --tag paired fw_near datasketch_lsh
}

stage_report() {
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); commit: $(git -C "$REPO" rev-parse --short HEAD)" \
    "$(git -C "$REPO" diff --quiet HEAD -- src || echo '(src has uncommitted changes)')"
  echo "python: $("$OURS_PY" -V 2>&1) (ours), $("$PY" -V 2>&1) (baselines)"
  echo "baseline libraries: $("$PY" -c 'import importlib.metadata as m; print(", ".join(
    f"{p} {m.version(p)}" for p in ("orjson", "msgspec", "polars", "duckdb", "xxhash", "datasketch",
    "rensa")))'), $(venv-dt/bin/python -c 'import importlib.metadata as m; print("datatrove",
    m.version("datatrove"))')"
  args=()
  for size in $SIZES; do args+=("$HERE/results_$size.jsonl"); done
  "$OURS_PY" summarize_flywheel.py --data-dir "$DATA" "${args[@]}"
}

for s in "${STAGES[@]}"; do
  echo "== $s $(date -u +%H:%M:%S)" >&2
  "stage_$s"
done
