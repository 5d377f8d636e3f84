"""The whole series runs, unedited, on cases other than the bundled one.

Issue: "The series runs on the bundled case, on the template case from new-case,
and on a third case written only from the contract, without editing a notebook."
The bundled case is covered by nbval on the stored notebooks; here the series is
run through papermill's parameters on the template case that ``new-case`` writes
and on the small complete case of the validation corpus (``tests/cases/valid``,
written from the contract alone).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SERIES = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _run_series(case: Path, out: Path) -> list[str]:
    res = subprocess.run([sys.executable, "-m", "workbook", "run-series", str(case), "--out", str(out)],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [p.name for p in SERIES]
    for path in SERIES:
        nb = nbformat.read(out / path.name, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert errors == [], f"{path.name} raised {errors[0].get('ename')}: {errors[0].get('evalue')}"
    return lines


@pytest.mark.slow
def test_series_runs_on_the_template_case(tmp_path):
    case = tmp_path / "my-case"
    res = subprocess.run([sys.executable, "-m", "workbook", "new-case", str(case)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    print("\n".join(_run_series(case, tmp_path / "run")))


@pytest.mark.slow
def test_series_runs_on_a_case_written_from_the_contract(tmp_path):
    case = tmp_path / "contract-case"
    shutil.copytree(ROOT / "tests" / "cases" / "valid", case)
    print("\n".join(_run_series(case, tmp_path / "run")))
