"""The whole series runs, unedited, on cases other than the bundled one.

Issue: "The series runs on the bundled case, on the template case from new-case,
and on a third case written only from the contract, without editing a notebook."
The bundled case is covered by nbval on the stored notebooks; here the series is
run through papermill's parameters on the template case that ``new-case`` writes
and on the small complete case of the validation corpus (``tests/cases/valid``,
written from the contract alone).
"""

from __future__ import annotations

import re
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
    assert "without encryption" not in res.stderr  # the kernel's TCP warning, once per notebook before
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
    assert _leaks_and_empty_tables(tmp_path / "run") == ([], [])


@pytest.mark.slow
def test_series_runs_on_a_case_written_from_the_contract(tmp_path):
    case = tmp_path / "contract-case"
    shutil.copytree(ROOT / "tests" / "cases" / "valid", case)
    print("\n".join(_run_series(case, tmp_path / "run")))


# What the bundled case's own words would look like if they leaked into another case's series.
BUNDLED_WORDS = re.compile(r"trotsk|moscow|piatakov|pyatakov|furr|dewey|kjeller|oslo|krestinsky|sokol|radek|"
                           r"stalin|nkvd|vyshinsky|h-oslo|bundled", re.IGNORECASE)
OTHER_CASE = ROOT / "tests" / "other_cases" / "harbour-fire"


def _outputs(nb) -> list[tuple[str, str]]:
    """(cell id, text) for every text output of a notebook: streams, plain text, Markdown, HTML."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [value for key, value in output.get("data", {}).items()
                                                 if key.startswith("text/")]
            found += [(cell.get("id", ""), "".join(t) if isinstance(t, list) else str(t)) for t in texts]
    return found


def _leaks_and_empty_tables(run: Path) -> tuple[list[str], list[str]]:
    """Outputs of a series run that name the bundled case, and outputs that are a raw empty table."""
    leaks, empty = [], []
    for path in SERIES:
        nb = nbformat.read(run / path.name, as_version=4)
        for cell_id, text in _outputs(nb):
            leaks += [f"{path.name} [{cell_id}]: ...{text[max(0, m.start() - 40):m.end() + 20]}..."
                      for m in BUNDLED_WORDS.finditer(text)]
            if "Empty DataFrame" in text or "<tbody>\n  </tbody>" in text:
                empty.append(f"{path.name} [{cell_id}]")
    return leaks, empty


@pytest.mark.slow
def test_series_on_a_case_written_from_the_contract_speaks_only_of_that_case(tmp_path):
    """Issue 14, item 1: no output names the bundled case, and no output is a raw empty table."""
    case = tmp_path / "harbour-fire"
    shutil.copytree(OTHER_CASE, case)
    assert not (case / "whereabouts.csv").exists() and not (case / "lesson").exists()
    _run_series(case, tmp_path / "run")
    assert _leaks_and_empty_tables(tmp_path / "run") == ([], [])
    six = nbformat.read(tmp_path / "run" / "06-timelines-and-alibis.ipynb", as_version=4)
    texts = [text for _, text in _outputs(six)]
    assert any("This case has no whereabouts table; add one to check alleged meetings against where people "
               "were." in text for text in texts)
    seven = nbformat.read(tmp_path / "run" / "07-competing-hypotheses.ipynb", as_version=4)
    assert any(text.startswith("SIMULATED: 9 random ratings") for _, text in _outputs(seven))
    zero = nbformat.read(tmp_path / "run" / "00-start-here.ipynb", as_version=4)
    assert ("This case has no introduction of its own yet: its authors can write one in the case's "
            "`lesson/00-start-here.md`, under the heading `## case-in-brief`.") in [t for _, t in _outputs(zero)]


def test_the_notebooks_own_prose_names_no_case():
    """The notebooks' own text (not their stored outputs, not the parameters cell) speaks of the method and of
    "this case"; what is said about the bundled case lives in data/moscow-trials/lesson/."""
    leaks = []
    for path in SERIES:
        if path.name.startswith("09-"):
            continue  # 09 is about starting a case of one's own, beside the bundled one
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                continue
            leaks += [f"{path.name} [{cell.get('id')}]: {m.group(0)}" for m in BUNDLED_WORDS.finditer(cell.source)]
    assert leaks == []


def test_a_case_with_its_own_lesson_text_is_shown_it(tmp_path):
    """A case's lesson/ file is read by the notebook that it names, section by section."""
    import workbook

    case = tmp_path / "harbour-fire"
    shutil.copytree(OTHER_CASE, case)
    (case / "lesson").mkdir()
    (case / "lesson" / "00.md").write_text("Note for authors.\n\n## case-in-brief\nA fire in the harbour, 1912.\n",
                                           encoding="utf-8")
    lesson = workbook.load_lesson(case, "00-start-here")
    assert repr(workbook.case_text(lesson, "case-in-brief", "none")) == "A fire in the harbour, 1912."
    assert repr(workbook.case_text(lesson, "references", "This case lists no references of its own.")) == \
        "This case lists no references of its own."
    assert workbook.case_text(lesson, "settings") is None


@pytest.mark.slow
def test_series_on_a_case_of_the_required_tables_only_names_each_missing_table(tmp_path):
    """A case with sources, claims, testimonies and evidence only: each absent table is one plain sentence."""
    import csv

    case = tmp_path / "required-only"
    shutil.copytree(OTHER_CASE, case)
    for name in ("people", "custody", "hypotheses"):
        (case / f"{name}.csv").unlink()
    for name, column in (("testimonies", "speaker_id"), ("claims", "people")):  # they would point at people.csv
        with open(case / f"{name}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            row[column] = ""
        with open(case / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    _run_series(case, tmp_path / "run")
    assert _leaks_and_empty_tables(tmp_path / "run") == ([], [])
    shown = {path.name[:2]: [text for _, text in _outputs(nbformat.read(tmp_path / "run" / path.name, as_version=4))]
             for path in SERIES}
    assert workbook_sentence("custody") in shown["01"]
    assert workbook_sentence("people") in shown["02"]
    assert workbook_sentence("hypotheses") in shown["07"]


def workbook_sentence(table: str) -> str:
    from workbook.case.lesson import missing_table_sentence

    return missing_table_sentence(table)
