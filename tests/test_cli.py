"""Smaller things a new user meets on the command line and in a notebook (issue 14, item 5)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import workbook
from workbook import DateError, edtf_bounds
from workbook.faces.cli import main

ROOT = Path(__file__).resolve().parents[1]
OTHER_CASE = ROOT / "tests" / "other_cases" / "harbour-fire"


@pytest.mark.parametrize(("text", "message"), [
    ("April 1940", "'April 1940' is not an EDTF date; write 1940-04"),
    ("Apr. 1940", "'Apr. 1940' is not an EDTF date; write 1940-04"),
    ("30 July 1912", "'30 July 1912' is not an EDTF date; write 1912-07-30"),
    ("July 30, 1912", "'July 30, 1912' is not an EDTF date; write 1912-07-30"),
    ("20/05/1912", "'20/05/1912' is not an EDTF date; write 1912-05-20 (year-month-day)"),
    ("spring 1934", "'spring 1934' is not an EDTF date; write 1934-21"),
    ("c. 1935", "'c. 1935' is not an EDTF date; write 1935~"),
    ("about April 1940", "'about April 1940' is not an EDTF date; write 1940-04~"),
    ("1930s", "'1930s' is not an EDTF date; write 193X"),
    ("31 June 1912", "'31 June 1912' is not an EDTF date; 1912-06 has no day 31"),
])
def test_a_date_in_words_gets_the_edtf_to_write(text, message):
    with pytest.raises(DateError) as err:
        edtf_bounds(text)
    assert str(err.value) == message


def test_validate_names_the_edtf_to_write_in_the_file(tmp_path, capsys):
    case = tmp_path / "case"
    shutil.copytree(OTHER_CASE, case)
    rows = (case / "testimonies.csv").read_text(encoding="utf-8").replace("1912-05-02,hearing,I saw", "30 April 1912,hearing,I saw")
    (case / "testimonies.csv").write_text(rows, encoding="utf-8")
    assert main(["validate", str(case)]) == 1
    out, err = capsys.readouterr()
    assert out == "testimonies.csv:2:given: '30 April 1912' is not an EDTF date; write 1912-04-30\n"
    assert err == f"1 problem in {case}\n"


def test_validate_says_ok_with_what_it_checked(capsys):
    assert main(["validate", str(OTHER_CASE)]) == 0
    assert capsys.readouterr() == ("", "ok: 7 tables, 5 testimonies\n")
    assert main(["validate", "-q", str(OTHER_CASE)]) == 0
    assert capsys.readouterr() == ("", "")


def test_validate_reports_problems_in_lesson_files(tmp_path, capsys):
    case = tmp_path / "case"
    shutil.copytree(OTHER_CASE, case)
    (case / "lesson").mkdir()
    (case / "lesson" / "00.md").write_text("## story\na\n## story\nb\n", encoding="utf-8")
    assert main(["validate", str(case)]) == 1
    assert capsys.readouterr() == (
        "lesson/00.md:3:-: the section 'story' appears twice (first on line 1); give each section its own key\n",
        f"1 problem in {case}\n")


def test_new_case_and_describe_name_the_case_after_its_folder(tmp_path, capsys):
    folder = tmp_path / "titanic-inquiries_1912"
    assert main(["new-case", str(folder)]) == 0
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["name"], descriptor["title"]) == ("titanic-inquiries_1912", "Titanic inquiries 1912")
    assert workbook.load_case(folder).title == "Titanic inquiries 1912"
    # a template copied by hand still carries the template's title: describe replaces it
    copied = tmp_path / "harbour-fire"
    shutil.copytree(ROOT / "workbook" / "template_case", copied)
    capsys.readouterr()
    assert main(["describe", str(copied)]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [f"wrote {copied / 'datapackage.json'}", "  title: Harbour fire"]
    described = json.loads((copied / "datapackage.json").read_text(encoding="utf-8"))
    assert (described["name"], described["title"]) == ("harbour-fire", "Harbour fire")
    # a title the user wrote is kept
    described["title"] = "The harbour fire of 1912"
    (copied / "datapackage.json").write_text(json.dumps(described), encoding="utf-8")
    assert main(["describe", str(copied)]) == 0
    assert json.loads((copied / "datapackage.json").read_text(encoding="utf-8"))["title"] == "The harbour fire of 1912"


def test_a_broken_case_in_a_notebook_shows_the_problems_without_the_librarys_traceback(tmp_path):
    case = tmp_path / "broken"
    shutil.copytree(OTHER_CASE, case)
    rows = (case / "evidence.csv").read_text(encoding="utf-8").replace("supports", "agrees", 1)
    (case / "evidence.csv").write_text(rows, encoding="utf-8")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import workbook\ncase = workbook.load_case({str(case)!r})")])
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, kernel_name="python3", timeout=120, extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    error = nb.cells[0].outputs[-1]
    assert (error.output_type, error.ename) == ("error", "CaseError")
    assert error.traceback == [
        "CaseError: the case in 'broken' has 1 problem:",
        "  evidence.csv:2:stance: 'agrees' is not allowed; use one of: supports, contradicts, qualifies",
    ]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_allows_root_only_as_root():
    res = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    lab = [line for line in res.stdout.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1
    assert ("--allow-root" in lab[0]) == (os.geteuid() == 0)
    # make lab opens the working copies of the teacher's edition (work/), never the tested notebooks/
    assert lab[0].startswith(".venv/bin/jupyter lab --ServerApp.root_dir=. work/00-start-here.ipynb")
