"""The loader and validator on small cases written in the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workbook
from workbook import CaseError, Problem, load_case, validate

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "template_case"

MINIMAL = {
    "sources.csv": "source_id,title,kind\nrep,Report,trial_transcript\n",
    "claims.csv": "claim_id,statement\nmet,They met\n",
    "testimonies.csv": "testimony_id,source_id,given,setting,quote\nt1,rep,1936-12-12,open_court,We met.\n",
    "evidence.csv": "testimony_id,claim_id,stance\nt1,met,supports\n",
}


def write_case(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def test_minimal_case_loads_without_descriptor(tmp_path):
    case = load_case(write_case(tmp_path / "c", MINIMAL))
    assert list(case.testimonies["testimony_id"]) == ["t1"]
    assert case.testimonies["given_earliest"].iloc[0] == pd.Timestamp("1936-12-12")
    assert case.testimonies["given_latest"].iloc[0] == pd.Timestamp("1936-12-12")
    # optional tables absent: empty frames with the contract's columns
    assert len(case.custody) == 0
    assert list(case.custody.columns) == [
        "source_id", "seq", "custodian", "action", "date", "date_earliest", "date_latest", "from_source_id", "notes",
        "attested"]
    assert len(case.rubric) == 7  # the package's default rubric
    assert case.present == ("sources", "claims", "testimonies", "evidence")


def test_template_case_validates():
    assert validate(TEMPLATE) == []


def test_problem_format():
    p = Problem("testimonies.csv", 14, "given", "'12/12/1936' is not an EDTF date; write 1936-12-12")
    assert str(p) == "testimonies.csv:14:given: '12/12/1936' is not an EDTF date; write 1936-12-12"
    assert str(Problem("sources.csv", None, None, "the file is empty")) == "sources.csv:-:-: the file is empty"


def test_case_error_lists_every_problem(tmp_path):
    files = dict(MINIMAL)
    files["evidence.csv"] = "testimony_id,claim_id,stance\nt1,met,agrees\nt2,met,supports\n"
    with pytest.raises(CaseError) as info:
        load_case(write_case(tmp_path / "c", files))
    assert [str(p) for p in info.value.problems] == [
        "evidence.csv:2:stance: 'agrees' is not allowed; use one of: supports, contradicts, qualifies",
        "evidence.csv:3:testimony_id: 't2' is not a testimony_id in testimonies.csv",
    ]


def test_cli_validate_exit_codes(tmp_path):
    good = write_case(tmp_path / "good", MINIMAL)
    bad = write_case(tmp_path / "bad", {**MINIMAL, "claims.csv": "claim_id,statement\nMet!,They met\n"})
    run = lambda *a: subprocess.run([sys.executable, "-m", "workbook", *a], capture_output=True, text=True)
    ok = run("validate", str(good))
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "ok: 4 tables, 1 testimony\n")
    res = run("validate", str(bad))
    assert res.returncode == 1
    assert res.stdout.splitlines() == [
        "claims.csv:2:claim_id: 'Met!' is not an identifier; use lower-case letters, digits and . _ - only, "
        "starting with a letter or digit (e.g. 'met')",
        "evidence.csv:2:claim_id: 'met' is not a claim_id in claims.csv",
    ]
    assert "Traceback" not in res.stderr
    usage = run("validate", str(tmp_path / "nowhere"))
    assert usage.returncode == 2
    assert usage.stderr.strip() == f"error: there is no case folder at '{tmp_path / 'nowhere'}'"
    assert run("frobnicate").returncode == 2
