"""Scores kept apart by case, old flat files still read; the class folder's state, codes and roster."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import workbook
from workbook.case.store import RatingStore, case_folder, case_name
from workbook.faces.classroom.state import (ClassState, RosterError, Throttle, hash_token, normalise_name,
                                            read_roster, same_code)

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "data" / "moscow-trials"
HEADER = "rater,testimony_id,criterion,value,comment,updated_at\n"


def store(folder, rater="ana"):
    return RatingStore(folder, rater, keys=("testimony_id", "criterion"), values=("value", "comment"),
                       clock=lambda: "2026-01-01T00:00:00Z")


# --------------------------------------------------------------------------- case folders


def test_a_case_is_named_by_its_descriptor_else_its_folder(tmp_path):
    assert case_name(CASE) == "moscow-trials"
    assert case_name(workbook.load_case(CASE)) == "moscow-trials"
    folder = tmp_path / "Trials of 1937"
    folder.mkdir()
    assert case_name(folder) == "trials-of-1937"
    (folder / "datapackage.json").write_text(json.dumps({"name": "show-trials"}), encoding="utf-8")
    assert case_name(folder) == "show-trials"
    (folder / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert case_name(folder) == "trials-of-1937"
    assert case_folder(tmp_path / "scores", CASE) == tmp_path / "scores" / "moscow-trials"


def test_two_cases_never_share_a_scores_file(tmp_path):
    other = tmp_path / "other-case"
    other.mkdir()
    a = store(case_folder(tmp_path / "scores", CASE))
    b = store(case_folder(tmp_path / "scores", other))
    a.set(("t1", "access"), value="3")
    b.set(("x1", "access"), value="1")
    assert a.path == tmp_path / "scores" / "moscow-trials" / "ana.csv"
    assert b.path == tmp_path / "scores" / "other-case" / "ana.csv"
    assert a.path.read_text().splitlines()[1:] == ["ana,t1,access,3,,2026-01-01T00:00:00Z"]
    assert b.path.read_text().splitlines()[1:] == ["ana,x1,access,1,,2026-01-01T00:00:00Z"]


def test_an_old_flat_scores_file_is_still_read_and_carried_into_the_case_folder(tmp_path):
    flat = tmp_path / "scores"
    flat.mkdir()
    old = HEADER + "ana,t1,access,3,an eyewitness,2025-05-05T00:00:00Z\n"
    (flat / "ana.csv").write_text(old, encoding="utf-8")
    s = store(case_folder(flat, CASE))
    assert s.get(("t1", "access")) == {"value": "3", "comment": "an eyewitness"}
    assert not s.path.exists(), "opening writes nothing"
    assert len(workbook.load_scores(flat)) == 1  # load_scores on the old folder reads it as before
    s.set(("t2", "access"), value="1")
    assert s.path.read_text(encoding="utf-8") == (HEADER + "ana,t1,access,3,an eyewitness,2025-05-05T00:00:00Z\n"
                                                  "ana,t2,access,1,,2026-01-01T00:00:00Z\n")
    assert (flat / "ana.csv").read_text(encoding="utf-8") == old, "the old file is left as it was"
    history = [json.loads(line) for line in s.history_path.read_text().splitlines()]
    assert [(e["key"], bool(e.get("recovered"))) for e in history] == [(["t1", "access"], True),
                                                                      (["t2", "access"], False)]
    assert s.undo() and s.get(("t2", "access")) is None and s.get(("t1", "access"))["value"] == "3"


def test_a_file_that_is_not_an_old_scores_file_is_never_taken_for_one(tmp_path):
    (tmp_path / "ana.csv").write_text("name,notes\nana,hello\n", encoding="utf-8")
    s = store(tmp_path / "scores")
    assert s.items() == []


# --------------------------------------------------------------------------- state, codes, roster


def test_names_codes_and_tokens():
    assert normalise_name("  Ana  Karenina ") == "ana-karenina"
    with pytest.raises(workbook.RaterNameError):
        normalise_name("Zoë")
    assert same_code(" k7qx-2m ", "K7QX2M") and not same_code("K7QX2N", "K7QX2M")
    assert len(hash_token("x")) == 64 and hash_token("x") != "x"


def test_the_state_keeps_codes_students_and_requests_across_restarts(tmp_path):
    state = ClassState(tmp_path)
    state.setup(case="moscow-trials", join_code=None, teacher_code=None, roster=None)
    join, teacher = state.join_code, state.teacher_code
    assert len(join) == 6 and len(teacher) == 10 and join.isalnum()
    state.add_student_token("ana", "secret-token")
    rid = state.add_request("ana", "other-token")
    text = state.path.read_text()
    assert "secret-token" not in text and hash_token("secret-token") in text, "only hashes are kept"
    again = ClassState(tmp_path)
    again.setup(case="moscow-trials", join_code=None, teacher_code=None, roster=None)
    assert (again.join_code, again.teacher_code) == (join, teacher)
    assert again.is_student_token("ana", "secret-token") and not again.is_student_token("ana", "other-token")
    assert [r["rater"] for r in again.pending()] == ["ana"]
    again.decide(rid, True)
    assert ClassState(tmp_path).is_student_token("ana", "other-token")
    assert again.cookie_secret() == ClassState(tmp_path).cookie_secret()
    assert (tmp_path / ".cookie-secret").stat().st_mode & 0o077 == 0


def test_a_roster_is_read_with_clear_errors(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,group\nAna K,1\nben,2\n\n", encoding="utf-8")
    assert read_roster(roster) == ["ana-k", "ben"]
    roster.write_text("name\nana\nAna\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"roster\.csv:3:name: 'Ana' is the same name as row 2"):
        read_roster(roster)
    roster.write_text("name\nana\n../x\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"roster\.csv:3:name: '\.\./x' is not a usable rater name"):
        read_roster(roster)
    roster.write_text("student\nana\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"roster\.csv:1: the roster needs a column 'name'"):
        read_roster(roster)


def test_wrong_codes_are_slowed_down_after_three():
    now = [100.0]
    throttle = Throttle(clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait("10.0.0.5") == 0
        throttle.failed("10.0.0.5")
    assert throttle.wait("10.0.0.5") == 1.0 and throttle.wait("10.0.0.6") == 0
    now[0] += 1.0
    throttle.failed("10.0.0.5")
    assert throttle.wait("10.0.0.5") == 2.0
    throttle.succeeded("10.0.0.5")
    assert throttle.wait("10.0.0.5") == 0


def test_the_class_dashboard_numbers_are_notebook_08s(tmp_path):
    from workbook.faces.classroom.progress import class_agreement, class_disputed, class_progress, class_scores

    case = workbook.load_case(CASE)
    examples = ROOT / "examples" / "class-scores" / "moscow-trials"
    (tmp_path / "scores").mkdir()
    for path in sorted(examples.glob("*.csv")):
        (tmp_path / "scores" / path.name).write_bytes(path.read_bytes())
    scores = class_scores(tmp_path, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", workbook.ScoresWarning)
        nb = workbook.load_scores(examples)
    nb = nb[nb["testimony_id"].isin(case.testimonies["testimony_id"])].drop(columns="updated_at")
    expected = workbook.agreement(nb, case.rubric)
    got = class_agreement(scores, case)
    assert got["alpha"].round(6).tolist() == expected["alpha"].round(6).tolist()
    assert class_disputed(scores, case).equals(workbook.disagreements(nb, top=10, rubric=case.rubric))
    progress = class_progress(tmp_path, case, [])
    raters = sorted(nb["rater"].unique())
    assert progress["rater"].tolist() == raters
    known = nb[nb["value"].notna()]
    assert progress["scored"].tolist() == [known[known["rater"] == r]["testimony_id"].nunique() for r in raters]
    assert progress["answers"].tolist() == [0] * len(raters)


def test_the_class_page_list_has_the_app_then_the_lessons_then_the_documents():
    from workbook.faces.classroom.server import class_pages
    from workbook.faces.student_edition import LESSONS, page_name

    app = Path(__file__).resolve().parents[1] / "app"
    assert class_pages(app) == (["scoring-app.ipynb"] + [page_name(x) for x in LESSONS]
                                + ["doc-assessments.ipynb", "doc-glossary.ipynb"])
