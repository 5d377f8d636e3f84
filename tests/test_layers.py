"""The package's layers: faces -> views -> judgement -> case, checked by import-linter.

``lint-imports`` reads the contracts in ``pyproject.toml``.  The second test
proves the check can fail: a copy of the package with a widget imported lazily
inside a judgement function breaks the contract, and the message names it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import workbook

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def run_lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(folder / "pyproject.toml"), "--no-cache"],
                          cwd=folder, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})


def lint_a_copy_with(folder: Path, module: str, added: str) -> subprocess.CompletedProcess:
    """lint-imports on a copy of the package in ``folder`` whose ``module`` ends with the code ``added``."""
    shutil.copytree(ROOT / "workbook", folder / "workbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    path = folder / "workbook" / module
    path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")
    return run_lint(folder)


def test_the_layers_are_kept():
    result = run_lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers: faces -> views -> judgement -> case KEPT" in result.stdout
    assert "The case and judgement layers draw nothing and show no widget KEPT" in result.stdout
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_widget_imported_in_judgement_breaks_the_contract(tmp_path):
    result = lint_a_copy_with(tmp_path, "judgement/corroboration.py",
                              "\n\ndef _sneaky():\n    import ipywidgets  # lazily, inside a function\n    return ipywidgets\n")
    assert result.returncode == 1
    assert "The case and judgement layers draw nothing and show no widget BROKEN" in result.stdout
    assert "workbook.judgement.corroboration -> ipywidgets" in result.stdout


def test_a_view_imported_in_the_case_layer_breaks_the_layers(tmp_path):
    result = lint_a_copy_with(tmp_path, "case/dates.py", "\n\nfrom ..views import charts as _charts\n")
    assert result.returncode == 1
    assert "Layers: faces -> views -> judgement -> case BROKEN" in result.stdout
    assert "workbook.case.dates -> workbook.views.charts" in result.stdout


@pytest.mark.parametrize("name", workbook.__all__)
def test_every_public_name_is_importable_from_the_package(name):
    assert getattr(workbook, name) is not None


def test_old_module_names_are_the_new_modules():
    import workbook.charts
    import workbook.store
    from workbook.case import store
    from workbook.views import charts

    assert workbook.charts is charts
    assert workbook.store is store
    assert workbook.charts.plot_corroboration is charts.plot_corroboration
