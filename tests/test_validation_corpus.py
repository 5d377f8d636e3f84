"""The validator on a corpus of small malformed cases (see tests/cases/README.md).

Each folder under ``tests/cases/`` is laid over a copy of ``tests/cases/valid/``
and must produce exactly the lines in its ``expected.txt``: one fault, one line
that names the file, the row a spreadsheet shows, the column, the bad value and
what is expected.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbook import TABLES, Case, CaseError, load_case, validate
from workbook.__main__ import main

CASES = Path(__file__).resolve().parent / "cases"
VALID = CASES / "valid"
FOLDERS = sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name != "valid")
FAULTS = [name for name in FOLDERS if not name.startswith("ok-")]
POSITIVES = [name for name in FOLDERS if name.startswith("ok-")]
CONTROL = {"expected.txt", "delete.txt"}

#: Each kind of problem the issue asks the validator to report, and the corpus folders that show it.
COVERAGE = {
    "missing file": ["missing-required-file", "datapackage-path-to-missing-file"],
    "missing required column": ["missing-required-column", "missing-column-optional-table",
                                "required-column-wrong-case"],
    "extra column kept": ["valid"],
    "empty required cell": ["empty-required-cell", "required-cell-of-spaces"],
    "duplicate identifier": ["duplicate-identifier", "duplicate-evidence-pair"],
    "identifier not a slug": ["identifier-not-a-slug", "control-character-in-identifier"],
    "unknown id": ["unknown-source", "unknown-speaker", "unknown-parent-claim", "unknown-testimony-in-evidence",
                   "unknown-claim-in-hypotheses", "unknown-custody-from-source", "unknown-person-in-whereabouts",
                   "reference-with-spaces"],
    "unknown id in a ; list": ["unknown-source-in-derived-from-list", "unknown-person-in-claim-people-list"],
    "value outside a vocabulary": ["kind-outside-vocabulary", "stance-with-spaces"],
    "value outside a vocabulary in a ; list": ["condition-outside-vocabulary-in-list"],
    "EDTF date that does not parse": ["date-12-12-1936", "date-day-month-year", "date-ambiguous-day-and-month",
                                      "date-with-spaces", "date-month-13", "date-february-30",
                                      "date-single-digit-month", "date-not-a-date", "interval-with-bad-end"],
    "season accepted": ["ok-seasons"],
    "interval end before start": ["interval-end-before-start", "whereabouts-end-before-start"],
    "cycle in derived_from / from_source_id": ["derivation-cycle", "self-derivation", "custody-derivation-cycle"],
    "cycle in the claim tree": ["claim-tree-cycle"],
    "custody seq repeats": ["custody-seq-repeats"],
    "non-integer seq": ["custody-seq-not-integer"],
    "rubric min > max": ["rubric-min-greater-than-max"],
    "rubric non-numeric weight or bound": ["rubric-weight-not-a-number", "rubric-min-not-integer"],
    "rubric levels count": ["rubric-levels-count"],
    "not UTF-8": ["latin-1-file", "utf-16-file"],
    "empty file": ["empty-file", "file-of-blank-lines"],
    "header only": ["ok-header-only-tables"],
    "ragged row": ["row-with-too-many-cells", "row-with-too-few-cells"],
    "blank row": ["blank-row", "blank-row-of-commas", "blank-first-row"],
    "bad header": ["duplicate-column-name", "column-name-with-spaces", "column-without-name"],
    "unclosed quote": ["unclosed-quote", "unclosed-quote-last-column"],
    "datapackage.json": ["datapackage-not-json", "datapackage-path-escapes-folder",
                         "ok-minimal-descriptor-other-paths"],
    "only the four required tables": ["ok-only-required-tables"],
}


def build_case(name: str, target: Path) -> Path:
    """A copy of ``valid/`` at ``target`` with the corpus folder ``name`` laid over it."""
    shutil.copytree(VALID, target)
    fault = CASES / name
    delete = fault / "delete.txt"
    if delete.exists():
        for line in delete.read_text(encoding="utf-8").splitlines():
            if line.strip():
                (target / line.strip()).unlink()
    for source in sorted(fault.rglob("*")):
        relative = source.relative_to(fault).as_posix()
        if source.is_file() and relative not in CONTROL:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    return target


def expected(name: str) -> list[str]:
    return (CASES / name / "expected.txt").read_text(encoding="utf-8").splitlines()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbook", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


# --------------------------------------------------------------------------- the corpus itself


def test_corpus_has_at_least_30_single_faults():
    assert len(FAULTS) >= 30
    for name in FAULTS:
        lines = expected(name)
        assert lines, f"{name}: a fault folder must expect at least one problem"
        # one fault: every line is about one file (a cycle or a cascade would show up here)
        assert len({line.split(":", 1)[0] for line in lines}) == 1, name
    for name in POSITIVES:
        assert expected(name) == [], f"{name}: an ok- folder must expect no problem"


def test_corpus_covers_every_problem_the_issue_lists():
    for what, names in COVERAGE.items():
        for name in names:
            assert (CASES / name).is_dir(), f"{what}: no corpus folder {name}"


def test_every_fault_folder_holds_only_what_differs():
    for name in FOLDERS:
        folder = CASES / name
        assert (folder / "expected.txt").is_file(), name
        for source in folder.rglob("*"):
            relative = source.relative_to(folder).as_posix()
            if source.is_file() and relative not in CONTROL and (VALID / relative).is_file():
                assert source.read_bytes() != (VALID / relative).read_bytes(), f"{name}/{relative} equals valid/"


# --------------------------------------------------------------------------- each case


@pytest.mark.parametrize("name", FOLDERS)
def test_corpus_case_reports_exactly_the_expected_lines(name, tmp_path):
    case = build_case(name, tmp_path / "case")
    problems = validate(case)
    assert [str(p) for p in problems] == expected(name)
    if problems:
        with pytest.raises(CaseError) as info:
            load_case(case)
        assert info.value.problems == problems
        assert all(isinstance(p.row, int) or p.row is None for p in problems)
    else:
        assert isinstance(load_case(case), Case)


@pytest.mark.parametrize("name", FOLDERS)
def test_command_line_prints_the_expected_lines(name, tmp_path, capsys):
    """``python -m workbook validate`` in-process: the same lines on stdout, exit 1 (0 when clean)."""
    case = build_case(name, tmp_path / "case")
    code = main(["validate", str(case)])
    out, err = capsys.readouterr()
    assert out.splitlines() == expected(name)
    if expected(name):
        noun = "problem" if len(expected(name)) == 1 else "problems"
        assert (code, err.strip()) == (1, f"{len(expected(name))} {noun} in {case}")
    else:
        assert code == 0 and err.startswith("ok: ")


@pytest.mark.parametrize("name", ["latin-1-file", "unclosed-quote", "derivation-cycle"])
def test_command_line_in_a_subprocess_exits_1_without_traceback(name, tmp_path):
    case = build_case(name, tmp_path / "case")
    result = run_cli("validate", str(case))
    assert result.returncode == 1
    assert result.stdout.splitlines() == expected(name)
    assert "Traceback" not in result.stderr


def test_command_line_on_a_clean_case_says_so_and_exits_0():
    result = run_cli("validate", str(VALID))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "ok: 9 tables, 3 testimonies\n")
    quiet = run_cli("validate", "--quiet", str(VALID))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_command_line_usage_errors_exit_2(tmp_path, capsys):
    a_file = tmp_path / "a-file.csv"
    a_file.write_text("x\n", encoding="utf-8")
    for args in [[], ["validate"], ["validate", str(tmp_path / "nowhere")], ["validate", str(a_file)],
                 ["describe", str(tmp_path / "nowhere")], ["new-case", str(a_file)], ["new-case", str(VALID)],
                 ["frobnicate", str(VALID)]]:
        try:
            code = main(args)
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
        assert code == 2, args
        assert capsys.readouterr().err.strip(), args
    result = run_cli("validate")  # and once for real, in a subprocess
    assert result.returncode == 2 and "Traceback" not in result.stderr and "usage:" in result.stderr


# --------------------------------------------------------------------------- what the valid case shows


def test_valid_case_loads_every_table_as_written():
    case = load_case(VALID)
    assert case.present == ("sources", "people", "claims", "testimonies", "evidence", "custody",
                            "hypotheses", "whereabouts", "rubric")
    # a quoted cell with line breaks, commas and doubled quotes
    assert case.testimonies.loc[0, "quote"] == '"I flew to Oslo," he said.\n"We landed, at night, near the city."'
    # people.csv has a byte-order mark and CRLF line ends: neither shows in the data
    assert list(case.people.columns[:2]) == ["person_id", "name"]
    assert list(case.people["person_id"]) == ["piatakov", "trotsky"]
    assert not case.people.map(lambda v: isinstance(v, str) and "\r" in v).any().any()
    # an extra column is kept, after the contract's columns
    assert case.testimonies.columns[-1] == "checked_by"
    assert list(case.testimonies["checked_by"]) == ["ab", "", "ab"]
    # types
    assert list(case.custody["seq"]) == [1, 2, 1, 1]
    assert str(case.custody["seq"].dtype) == "Int64"
    assert list(case.rubric["weight"]) == [1.0, 1.5]
    assert case.custody.loc[3, "date_earliest"] == pd.Timestamp("1937-01-01")
    assert case.custody.loc[3, "date_latest"] == pd.Timestamp("1938-12-31")
    # an empty cell is "" (not known), never NaN
    assert case.sources.loc[0, "derived_from"] == ""


def test_header_only_tables_are_empty_tables(tmp_path):
    case = load_case(build_case("ok-header-only-tables", tmp_path / "case"))
    assert len(case.custody) == 0 and len(case.evidence) == 0
    assert "custody" in case.present
    assert list(case.evidence.columns) == ["testimony_id", "claim_id", "stance", "note"]


def test_only_the_four_required_tables_and_no_descriptor_load(tmp_path):
    folder = build_case("ok-only-required-tables", tmp_path / "case")
    assert not (folder / "datapackage.json").exists()
    case = load_case(folder)
    assert case.present == ("sources", "claims", "testimonies", "evidence")
    assert len(case.people) == 0 and len(case.rubric) == 7  # the package's default rubric


def test_one_pass_collects_every_problem_sorted_by_file_and_row(tmp_path):
    """Faults in six files at once: every one reported, in file and row order."""
    names = ["whereabouts-end-before-start", "rubric-levels-count", "custody-seq-repeats",
             "duplicate-identifier", "unknown-source", "date-month-13"]
    case = tmp_path / "case"
    shutil.copytree(VALID, case)
    for name in names:
        for source in (CASES / name).iterdir():
            if source.name not in CONTROL:
                shutil.copyfile(source, case / source.name)
    lines = [str(p) for p in validate(case)]
    want = sorted((line for name in names for line in expected(name)),
                  key=lambda line: (line.split(":")[0], int(line.split(":")[1])))
    assert lines == want
    assert [line.split(":")[0] for line in lines] == ["claims.csv", "custody.csv", "hypotheses.csv",
                                                      "rubric.csv", "testimonies.csv", "whereabouts.csv"]


def test_many_problems_in_one_file_come_in_row_order(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(VALID, case)
    (case / "evidence.csv").write_text(
        "testimony_id,claim_id,stance,note\n"
        "t-dewey,oslo-meeting,denies,\n"        # row 2: vocabulary
        "t-nobody,oslo-flight,supports,\n"       # row 3: unknown testimony
        ",oslo-flight,supports,\n"               # row 4: empty required cell
        "t-kjeller,oslo-flight,supports,,\n",    # row 5: ragged
        encoding="utf-8")
    rows = [p.row for p in validate(case)]
    assert rows == [2, 3, 4, 5]


def test_problem_lines_follow_the_message_style():
    pattern = re.compile(r"^[^:\n]+:(\d+|-):[^:\n]+: \S.*$")
    for name in FAULTS:
        for line in expected(name):
            assert pattern.match(line), line


# --------------------------------------------------------------------------- the contract as documented

DOC = Path(__file__).resolve().parents[1] / "docs" / "case-contract.md"


def test_documented_example_lines_are_real():
    """Every example line in docs/case-contract.md is what the validator says for some corpus case."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("Real lines, from the workbook's own test corpus", 1)[1].split("```", 2)[1]
    examples = [line for line in block.splitlines() if line.strip()]
    assert len(examples) >= 20
    real = {line for name in FAULTS for line in expected(name)}
    assert [line for line in examples if line not in real] == []


def test_documentation_names_every_table_column_and_word():
    from workbook.contract import VOCABULARIES

    text = DOC.read_text(encoding="utf-8")
    for name, table in TABLES.items():
        assert f"### `{name}.csv`" in text, name
        for column in table.columns:
            marked = f"**`{column.name}`**" if column.required else f"| `{column.name}` |"
            assert marked in text, f"{name}.{column.name}"
    for key, words in VOCABULARIES.items():
        for word in words:
            assert f"`{word}`" in text, f"{key}: {word}"
