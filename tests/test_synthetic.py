"""Synthetic cases (workbook.synthetic), and the fast paths that large cases rely on.

Timing targets are checked by ``make bench`` (benchmarks/run.py), never here: these
tests only check that what the benchmarks measure is right.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbook import TABLES, load_case, validate
from workbook.cases import _blank, _integers, _list_items
from workbook.contract import SCORE_COLUMNS
from workbook.dates import DateError, bounds_frame, edtf_bounds
from workbook.synthetic import FAULT_KINDS, RATERS, corrupt_copy, make_case, make_scores

N = 1000


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory) -> Path:
    return make_case(tmp_path_factory.mktemp("syn") / "case", N, seed=7, raters=3)


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_the_case_is_valid_and_sized_by_its_testimonies(case_folder):
    assert validate(case_folder) == []
    case = load_case(case_folder)
    assert len(case.testimonies) == N
    assert (len(case.sources), len(case.people), len(case.claims)) == (N // 10, N // 20, N // 50)
    assert 1.1 * N <= len(case.evidence) <= 1.3 * N
    steps = case.custody.groupby("source_id").size()
    assert set(case.sources["source_id"]) == set(steps.index)
    assert steps.between(1, 5).all() and steps.nunique() == 5
    assert len(case.hypotheses) > 0 and len(case.whereabouts) == N // 10
    assert case.present == ("sources", "people", "claims", "testimonies", "evidence", "custody",
                            "hypotheses", "whereabouts")  # no rubric: the default applies
    assert len(case.rubric) > 0


def test_the_rows_have_realistic_shapes(case_folder):
    case = load_case(case_folder)
    quotes = case.testimonies["quote"]
    assert quotes.str.contains(",").mean() > 0.5
    assert quotes.str.contains('"').any() and quotes.str.contains("\n").any()
    assert quotes.str.len().max() > 5 * quotes.str.len().min()
    given = case.testimonies["given"]
    for form in (r"^\d{4}-\d{2}-\d{2}$", r"^\d{4}-\d{2}$", r"^\d{4}$", r"~$", r"\?$", r"^\d{4}-2[1-4]$",
                 r"/", r"/\.\.$", r"X$"):
        assert given.str.contains(form).any(), form
    # derivations: acyclic (the case validates), at most three steps deep, some compilations of two
    parents = {s: [p for p in d.split(";") if p] for s, d in zip(case.sources["source_id"], case.sources["derived_from"])}
    assert any(len(p) == 2 for p in parents.values())

    def depth(source: str) -> int:
        return 1 + max((depth(p) for p in parents[source]), default=-1)

    assert max(depth(s) for s in parents) == 3
    assert (case.claims["parent_id"] != "").mean() > 0.5  # a tree, not a list


def test_the_same_seed_gives_the_same_bytes(tmp_path, case_folder):
    again = make_case(tmp_path / "again", N, seed=7, raters=3)
    files = sorted(p.name for p in case_folder.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    for name in files:
        assert (case_folder / name).read_bytes() == (again / name).read_bytes(), name
    scores, scores_again = (f.with_name(f"{f.name}-scores") for f in (case_folder, again))
    assert [p.name for p in sorted(scores.iterdir())] == [f"{r}.csv" for r in sorted(RATERS[:3])]
    for path in scores.iterdir():
        assert path.read_bytes() == (scores_again / path.name).read_bytes()
    other = make_case(tmp_path / "other", N, seed=8, raters=0)
    assert (other / "testimonies.csv").read_bytes() != (case_folder / "testimonies.csv").read_bytes()
    assert not (tmp_path / "other-scores").exists()


def test_scores_follow_the_contract(case_folder, tmp_path):
    case = load_case(case_folder)
    paths = make_scores(case, tmp_path / "scores", raters=4, seed=1)
    assert [p.name for p in paths] == [f"{r}.csv" for r in RATERS[:4]]
    ids = set(case.testimonies["testimony_id"])
    rubric = case.rubric.set_index("criterion")
    frames = []
    for path in paths:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert tuple(frame.columns) == SCORE_COLUMNS
        assert frame["rater"].nunique() == 1 and frame["rater"].iloc[0] == path.stem
        assert set(frame["testimony_id"]) <= ids and set(frame["criterion"]) == set(rubric.index)
        assert not frame.duplicated(["testimony_id", "criterion"]).any()
        values = frame.loc[frame["value"] != "", ["criterion", "value"]]
        lo = values["criterion"].map(rubric["min"]).astype(int)
        hi = values["criterion"].map(rubric["max"]).astype(int)
        assert values["value"].astype(int).between(lo, hi).all()
        assert (frame["value"] == "").any()
        assert frame["updated_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
        frames.append(frame)
    # the raters overlap, so that agreement can be measured
    common = set.intersection(*(set(f["testimony_id"]) for f in frames))
    assert len(common) > 0.05 * N
    # from the folder, the same files
    again = make_scores(case_folder, tmp_path / "again", raters=4, seed=1)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]


def test_each_injected_fault_is_reported_where_it_was_put(case_folder, tmp_path):
    faults = corrupt_copy(case_folder, tmp_path / "bad", seed=3)
    assert sorted(f.kind for f in faults) == sorted(FAULT_KINDS)
    problems = validate(tmp_path / "bad")
    reported = {(p.file, p.row, p.column) for p in problems}
    for fault in faults:
        assert (fault.file, fault.row, fault.column) in reported, str(fault)
    # nothing else is wrong: each fault is reported once, without knock-on problems
    assert len(problems) == len(faults)
    assert validate(case_folder) == []  # the original is untouched


def test_make_case_shows_progress_when_asked(tmp_path, capsys):
    make_case(tmp_path / "c", 100, raters=1, progress=True)
    assert "100 testimonies" in capsys.readouterr().err


def test_make_case_refuses_nonsense(tmp_path):
    with pytest.raises(ValueError):
        make_case(tmp_path / "c", 0)


# --------------------------------------------------------------------------- the fast paths


def random_dates(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    years = ["1936", "0000", "0001", "9999", "2000", "1900", "-0500", "193X", "19", "١٩٣٦"]
    months = ["", "-01", "-02", "-12", "-13", "-00", "-21", "-24", "-25", "-1"]
    days = ["", "-01", "-28", "-29", "-30", "-31", "-00", "-32"]

    def side() -> str:
        month = rng.choice(months)
        return rng.choice(years) + month + (rng.choice(days) if month else "") + rng.choice(["", "", "?", "~", "%"])

    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            out.append(side())
        elif r < 0.9:
            out.append(rng.choice([side(), "..", ""]) + "/" + rng.choice([side(), "..", ""]))
        else:
            out.append(rng.choice(["", "..", "/", " 1936", "12/12/1936", "1937/1936", "1936/1937/1938", "x"]))
    return out


def test_bounds_frame_agrees_with_edtf_bounds_value_by_value(case_folder):
    texts = random_dates(0, 1500) + list(pd.read_csv(case_folder / "testimonies.csv", dtype=str,
                                                     keep_default_na=False)["given"])
    series = pd.Series(texts, dtype="str", index=np.arange(len(texts)) * 3)
    earliest, latest, errors = bounds_frame(series)
    for label, text in series.items():
        try:
            low, high = edtf_bounds(text) if text else (None, None)
            error = None
        except DateError as exc:
            low = high = None
            error = str(exc)
        assert errors.get(label) == error, text
        assert (pd.isna(earliest[label]) and low is None) or earliest[label] == pd.Timestamp(low), text
        assert (pd.isna(latest[label]) and high is None) or latest[label] == pd.Timestamp(high), text


def test_the_column_helpers_agree_with_pandas():
    rng = random.Random(1)
    alphabet = ["a", "b", ";", " ", "\u3000", "\x1c", "7", "+", "-", "٣", "\n"]
    cells = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    cells += [str(2**63 - 1), str(2**63), str(-(2**63)), "+12", "-0", "0" * 25 + "1"]
    s = pd.Series(cells, dtype="str", index=np.arange(len(cells)) + 5)
    assert _blank(s).equals(s.str.strip() == "")
    items = s.str.split(";").explode().str.strip()
    assert _list_items(s).equals(items[items != ""])

    def whole(value: str):
        number = int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else None
        return number if number is not None and -(2**63) <= number < 2**63 else None

    expected = pd.Series(pd.array([whole(v) for v in cells], dtype="Int64"), index=s.index)
    assert _integers(s).equals(expected)


def test_every_contract_table_has_a_generator():
    written = {"sources", "people", "claims", "testimonies", "evidence", "custody", "hypotheses", "whereabouts"}
    assert written | {"rubric"} == set(TABLES)
