#!/usr/bin/env bash
# Exhaustive variant of tests/store/test_id_allocation.py: 16 processes × 50 requirement creates on
# SQLite and PostgreSQL; prints stored/expected and seconds per backend. Run by hand from the repo
# root with FLYWHEEL_TEST_POSTGRES_URL set (results in bench/RESULTS.md).
set -euo pipefail
export PYTHONPATH="${PWD}/src${PYTHONPATH:+:$PYTHONPATH}"
FLYWHEEL_ID_CREATES="${FLYWHEEL_ID_CREATES:-50}" exec "${PYTHON:-.venv/bin/python}" -m pytest -q -s \
  -p no:randomly tests/store/test_id_allocation.py "$@"
