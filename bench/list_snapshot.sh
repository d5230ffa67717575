#!/usr/bin/env bash
# The lists a change pages print byte for byte what they printed before, on the demo workspace
# (fewer than 50 rows: one page). Run by hand, never in the tests:
#
#     bench/list_snapshot.sh [BEFORE_SRC] [AFTER_SRC]   (BEFORE_SRC is required; AFTER_SRC defaults to ./src)
#
# One demo workspace is built with the after code; every command below runs against it with the
# old code and the new one, stdout and stderr each compared with `cmp`. Exits 1 on a difference.
set -euo pipefail
BEFORE=${1:?give the src/ of the code to compare against}
AFTER=${2:-$(cd "$(dirname "$0")/.." && pwd)/src}
PY=${PYTHON:-/work/main/.venv/bin/python}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export COLUMNS=200 FLYWHEEL_LOGIN=${FLYWHEEL_LOGIN:-demo}
PYTHONPATH=$AFTER "$PY" -c "from dataflywheel.cli.main import run; run()" demo --dir "$DIR/ws" >/dev/null 2>&1
COMMANDS=(
  "requirements list" "requirements list --json" "requirements list --state submitted"
  "requirements list --project P-K12 --json" "requirements list --state in_progress" "requirements list --state nonesuch"
  "issues list" "issues list --json" "issues list --severity P1" "issues list --state new --json" "issues list --project P-K12 --owner chen.jie"
  "issues list --severity P9" "issues list --state nonesuch"
  "people list" "people list --json" "contracts list" "contracts list --json"
)
status=0
for cmd in "${COMMANDS[@]}"; do
  for side in before after; do
    src=$BEFORE; [ $side = after ] && src=$AFTER
    # shellcheck disable=SC2086
    (cd "$DIR/ws" && PYTHONPATH=$src "$PY" -c "from dataflywheel.cli.main import run; run()" $cmd \
        >"$DIR/$side.out" 2>"$DIR/$side.err"; echo $? >"$DIR/$side.rc") || true
  done
  if cmp -s "$DIR/before.out" "$DIR/after.out" && cmp -s "$DIR/before.err" "$DIR/after.err" \
      && cmp -s "$DIR/before.rc" "$DIR/after.rc"; then
    echo "same  ($(wc -c <"$DIR/after.out") bytes, exit $(cat "$DIR/after.rc")): flywheel $cmd"
  else
    echo "DIFF: flywheel $cmd"; diff "$DIR/before.out" "$DIR/after.out" | head -5 || true
    diff "$DIR/before.err" "$DIR/after.err" | head -5 || true; status=1
  fi
done
exit $status
