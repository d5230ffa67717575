"""Our exported contracts load in datacontract-cli (`datacontract lint`).

Runs only when DATACONTRACT_CLI names the `datacontract` program (it is a heavy tool kept out of our
dependencies: `python -m venv /tmp/dcvenv && /tmp/dcvenv/bin/pip install datacontract-cli`, then
`DATACONTRACT_CLI=/tmp/dcvenv/bin/datacontract`). Its exit code is 0 even for an invalid contract,
so the verdict is read from its JSON report.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from contract_helpers import EXAMPLE_IDS, example

from dataflywheel.integrations.odcs import dump_odcs

pytestmark = pytest.mark.slow


def _tool() -> str:
    tool = os.environ.get("DATACONTRACT_CLI")
    if not tool or not Path(tool).is_file():
        pytest.skip("datacontract-cli not configured: set DATACONTRACT_CLI to the `datacontract` program")
    return tool


def _lint(tool: str, path: Path, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    """Exit code (1 when invalid, with --output-format json) and the JSON report."""
    report = tmp_path / f"{path.stem}.lint.json"
    done = subprocess.run([tool, "lint", str(path), "--output-format", "json", "--output", str(report)],
                          check=False, capture_output=True, timeout=180, cwd=tmp_path)
    return done.returncode, json.loads(report.read_text(encoding="utf-8"))


def _schema_check(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if "valid against ODCS" in c["name"])


def test_exported_contracts_lint_clean(tmp_path: Path) -> None:
    tool = _tool()
    contracts = [example(cid) for cid in [*EXAMPLE_IDS, "cleaned-raw-pool-2.0.0"]]
    for contract in contracts:
        path = tmp_path / f"{contract.id}-{contract.version}.odcs.yaml"
        path.write_text(dump_odcs(contract, status="active"), encoding="utf-8")
        code, report = _lint(tool, path, tmp_path)
        assert code == 0, (contract.version_id, report["checks"])
        check = _schema_check(report)
        assert check["name"] == "Data contract is valid against ODCS v3.1.0"
        assert check["result"] == "passed", (contract.version_id, report["checks"])
        # Warnings only: datacontract-cli cannot itself run our percent duplicate and blank rules.
        assert report["result"] in ("passed", "warning"), (contract.version_id, report["checks"])
        assert {c["result"] for c in report["checks"]} <= {"passed", "warning"}


def test_the_lint_check_can_fail(tmp_path: Path) -> None:
    tool = _tool()
    path = tmp_path / "broken.odcs.yaml"
    path.write_text(dump_odcs(example("eval-set")) + "owner: nobody\n", encoding="utf-8")
    code, report = _lint(tool, path, tmp_path)
    assert code == 1 and report["result"] == "failed"
    assert _schema_check(report)["result"] == "failed"


NULLS_CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: notes
version: 1.0.0
status: active
servers:
- {server: local, type: local, path: ./data.json, format: json}
schema:
- name: data
  physicalName: data
  logicalType: object
  properties:
  - {name: id, logicalType: string, required: true, primaryKey: true}
  - {name: text, logicalType: string, required: true}
  - {name: note, logicalType: string, required: false}
customProperties:
- property: flywheelOperational
  value: {deliverable: notes, producerRole: data_engineer, consumerRole: annotation_engineer}
"""


def _json_schema_verdict(tool: str, tmp_path: Path, data: str) -> str:
    (tmp_path / "data.json").write_text(data, encoding="utf-8")
    contract = tmp_path / "notes.odcs.yaml"
    contract.write_text(NULLS_CONTRACT, encoding="utf-8")
    report = tmp_path / "test.json"
    subprocess.run([tool, "test", str(contract), "--output-format", "json", "--output", str(report)],
                   check=False, capture_output=True, timeout=180, cwd=tmp_path)
    checks = json.loads(report.read_text(encoding="utf-8"))["checks"]
    return str(next(c for c in checks if "JSON has valid schema" in c["name"])["result"])


@pytest.mark.parametrize(("data", "verdict", "rejected"), [
    ('{"id": "1", "text": null, "note": "x"}\n', "failed", [1]),
    ('{"id": "2", "text": "ok", "note": null}\n{"id": "3", "text": "ok"}\n', "passed", []),
])
def test_required_means_no_nulls_as_datacontract_cli_reads_it(
    tmp_path: Path, data: str, verdict: str, rejected: list[int]
) -> None:
    """`required: true` refuses a null, `required: false` accepts null and absence: the same
    records fail datacontract-cli's JSON schema check and our structural check."""
    from dataflywheel.checks.engines import run_checks
    from dataflywheel.flows.contracts.contract_plan import compile_plan
    from dataflywheel.integrations.odcs import parse_odcs

    tool = _tool()
    assert _json_schema_verdict(tool, tmp_path, data) == verdict
    plan = compile_plan(parse_odcs(NULLS_CONTRACT, source="notes.odcs.yaml"))
    report = run_checks([tmp_path / "data.json"], plan, engine="single")
    assert [r.line for r in report.rejects] == rejected
