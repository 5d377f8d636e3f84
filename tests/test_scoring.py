"""Rubrics, credibility, loading scores, and agreement between raters."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

import workbook
from workbook import CaseError, ScoresWarning, agreement, credibility, disagreements, load_rubric, load_scores
from workbook.contract import SCORE_COLUMNS
from workbook.store import RatingStore

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "template_case"
HEADER = ",".join(SCORE_COLUMNS) + "\n"

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, missing values as ".".  Published: nominal 0.743,
# ordinal 0.815, interval 0.849, ratio 0.797.
KRIPPENDORFF = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def krippendorff_scores(criterion: str = "x") -> pd.DataFrame:
    return pd.DataFrame([
        {"rater": rater.lower(), "testimony_id": f"u{unit:02d}", "criterion": criterion, "value": int(v)}
        for rater, row in KRIPPENDORFF.items() for unit, v in enumerate(row.split(), 1) if v != "."])


def scores(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rater", "testimony_id", "criterion", "value"])


# --------------------------------------------------------------------------- rubrics


def test_default_rubric_has_the_seven_criteria_with_words_for_every_level():
    rubric = load_rubric()
    assert list(rubric["criterion"]) == ["authenticity", "access", "contemporaneity", "pressure",
                                         "disinterest", "specificity", "corroboration"]
    assert str(rubric["min"].dtype) == "Int64" and str(rubric["weight"].dtype) == "Float64"
    assert (rubric["min"] == 0).all() and (rubric["max"] == 4).all()
    for row in rubric.to_dict("records"):
        assert len(workbook.cases.split_list(row["levels"])) == 5, row["criterion"]
        assert row["question"].endswith("?") and len(row["help"]) > 80
    assert rubric.equals(workbook.load_case(TEMPLATE).rubric)  # the case without a rubric gets this one


def test_nato_rubric_grades_source_and_information_separately():
    nato = load_rubric("nato")
    assert list(nato["criterion"]) == ["reliability", "credibility"]
    assert workbook.scoring.rubric_levels(nato, "reliability")[0] == (1, "A: Completely reliable")
    assert workbook.scoring.rubric_levels(nato, "reliability")[5] == (6, "F: Reliability cannot be judged")
    assert workbook.scoring.rubric_levels(nato, "credibility")[3] == (4, "4: Doubtfully true")
    assert list(nato["direction"]) == ["lower_is_better"] * 2 and list(nato["unknown_levels"]) == ["6", "6"]
    assert "no basis exists" in nato.loc[0, "help"].lower()


def test_load_rubric_takes_a_name_a_path_a_case_folder_a_case_or_a_frame(tmp_path):
    path = tmp_path / "rubric.csv"
    path.write_text("criterion,label,question,min,max\nx,X,Is it x?,1,3\n", encoding="utf-8")
    for source in (path, str(path), tmp_path):
        assert list(load_rubric(source)["criterion"]) == ["x"]
    assert list(workbook.rubric(workbook.load_case(TEMPLATE))["criterion"])[0] == "authenticity"
    frame = load_rubric(pd.DataFrame({"criterion": ["y"], "min": ["0"], "max": ["2"]}))
    assert frame.loc[0, "max"] == 2 and list(frame.columns)[:8] == workbook.TABLES["rubric"].column_names
    with pytest.raises(FileNotFoundError, match="no rubric called 'natto'.*default, nato"):
        load_rubric("natto")


def test_a_bad_direction_or_unknown_level_is_named(tmp_path):
    path = tmp_path / "rubric.csv"
    path.write_text("criterion,label,question,min,max,direction,unknown_levels\n"
                    "x,X,Is it x?,1,3,downwards,7\n", encoding="utf-8")
    with pytest.raises(CaseError) as info:
        load_rubric(path)
    text = str(info.value)
    assert "rubric.csv:2:direction: 'downwards' is not a direction" in text
    assert "rubric.csv:2:unknown_levels: '7' is not a level of 'x' (1 to 3)" in text


# --------------------------------------------------------------------------- credibility


def test_credibility_is_the_weighted_mean_of_known_criteria():
    rubric = pd.DataFrame({"criterion": ["access", "pressure", "corroboration"],
                           "min": [0, 0, 0], "max": [4, 4, 4], "weight": [2, None, 1]})
    frame = credibility(scores([("ana", "t1", "access", 3), ("ana", "t1", "pressure", 1),
                                ("ana", "t1", "corroboration", None), ("ana", "t2", "access", None),
                                ("ben", "t1", "corroboration", "4")]), rubric)
    assert list(frame.columns) == ["rater", "testimony_id", "credibility", "known_share", "known", "total"]
    assert frame[["rater", "testimony_id"]].values.tolist() == [["ana", "t1"], ["ana", "t2"], ["ben", "t1"]]
    assert frame["credibility"].iloc[0] == pytest.approx((2 * 0.75 + 1 * 0.25) / 3)  # empty weight = 1
    assert frame["known_share"].iloc[0] == pytest.approx(2 / 3)
    assert math.isnan(frame["credibility"].iloc[1]) and frame["known"].iloc[1] == 0
    assert frame["credibility"].iloc[2] == 1.0 and list(frame["total"]) == [3, 3, 3]


def test_credibility_reads_the_nato_direction_and_cannot_be_judged():
    frame = credibility(scores([("ana", "t1", "reliability", 1), ("ana", "t1", "credibility", 5),
                                ("ana", "t2", "reliability", 6), ("ana", "t2", "credibility", 3)]), "nato")
    assert frame["credibility"].tolist() == [pytest.approx(0.5), pytest.approx(0.5)]  # A=1, 5=0; F unknown, 3=0.5
    assert frame["known"].tolist() == [2, 1]


def test_credibility_leaves_out_values_outside_the_range_with_a_warning():
    with pytest.warns(ScoresWarning, match="ana/t1/access=9 \\(allowed 0 to 4\\)"):
        frame = credibility(scores([("ana", "t1", "access", 9), ("ana", "t1", "pressure", 4),
                                    ("ana", "t1", "not-a-criterion", 1)]))
    assert frame["credibility"].iloc[0] == 1.0 and frame["known"].iloc[0] == 1 and frame["total"].iloc[0] == 7


def test_credibility_of_no_scores_is_an_empty_frame():
    frame = credibility(scores([]))
    assert frame.empty and list(frame.columns)[2] == "credibility"


# --------------------------------------------------------------------------- load_scores


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_scores_merges_every_rater_and_ignores_sidecars_and_temp_files(tmp_path):
    write(tmp_path, "ben.csv", HEADER + "ben,t1,access,0,,2026\n")
    write(tmp_path, "ana.csv", HEADER + "ana,t2,access,4,\"a, b\",2026\nana,t1,pressure,,,2026\n")
    write(tmp_path, "ana.history.jsonl", '{"at": "x"}\n')
    write(tmp_path, ".ana.csv.k2j3.tmp", HEADER + "ana,t9,access,1,,2026\n")
    write(tmp_path, ".hidden.csv", HEADER + "x,t9,access,1,,2026\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = load_scores(tmp_path)
    assert list(frame.columns) == list(SCORE_COLUMNS)
    assert frame[["rater", "testimony_id", "criterion"]].values.tolist() == [
        ["ana", "t1", "pressure"], ["ana", "t2", "access"], ["ben", "t1", "access"]]
    assert str(frame["value"].dtype) == "Int64"
    assert frame["value"].isna().tolist() == [True, False, False] and frame["value"].iloc[1] == 4
    assert frame["comment"].iloc[1] == "a, b"


def test_a_missing_folder_gives_an_empty_frame_with_the_columns(tmp_path):
    frame = load_scores(tmp_path / "nowhere")
    assert frame.empty and list(frame.columns) == list(SCORE_COLUMNS)
    assert str(frame["value"].dtype) == "Int64"


def test_unknown_testimonies_and_old_criteria_warn_by_name_and_are_kept(tmp_path):
    case = workbook.load_case(TEMPLATE)
    write(tmp_path, "ana.csv", HEADER + "ana,t-miller-court,access,3,,2026\n"
                                        "ana,t-lost,access,2,,2026\n"
                                        "ana,t-miller-court,reliability-old,1,,2026\n"
                                        "ana,t-miller-court,pressure,7,,2026\n")
    with pytest.warns(ScoresWarning) as record:
        frame = load_scores(tmp_path, case)
    messages = [str(r.message) for r in record]
    assert any("ana.csv: testimony ids not in the case (kept): t-lost (rows 3)" in m for m in messages)
    assert any("ana.csv: criteria not in the rubric, perhaps from an older rubric (kept): reliability-old" in m
               for m in messages)
    assert any("ana.csv: values outside the rubric's range (kept): row 5: pressure=7 (allowed 0 to 4)" in m
               for m in messages)
    assert len(frame) == 4 and frame.attrs["problems"] == messages


def test_a_rater_column_that_disagrees_and_values_that_are_not_numbers_warn(tmp_path):
    write(tmp_path, "ana.csv", HEADER + "ben,t1,access,three,,2026\nana,t1,pressure,2.0,,2026\n")
    write(tmp_path, "notes.csv", "what,when\nlunch,noon\n")
    with pytest.warns(ScoresWarning) as record:
        frame = load_scores(tmp_path)
    messages = " | ".join(str(r.message) for r in record)
    assert "ana.csv: the rater column disagrees with the file name (row 2 says 'ben')" in messages
    assert "ana.csv: values that are not whole numbers are loaded as unknown: row 2: 'three'" in messages
    assert "notes.csv: not a scores file (no testimony_id or criterion column" in messages
    assert frame["rater"].tolist() == ["ana", "ana"] and frame["value"].tolist()[1] == 2


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("level, published", [("ordinal", 0.815), ("interval", 0.849),
                                              ("nominal", 0.743), ("ratio", 0.797)])
def test_agreement_reproduces_krippendorffs_worked_example(level, published):
    frame = agreement(krippendorff_scores(), level=level)
    row = frame.iloc[0]
    assert round(row["alpha"], 3) == published
    assert (row["raters"], row["units"], row["pairable"]) == (4, 11, 40)  # n = 40 pairable values
    nan = np.nan
    data = [[nan if v == "." else float(v) for v in row.split()] for row in KRIPPENDORFF.values()]
    assert row["alpha"] == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                                            value_domain=[1, 2, 3, 4, 5]))
    assert frame.iloc[1]["criterion"] == "overall" and frame.iloc[1]["alpha"] == pytest.approx(row["alpha"])


def test_agreement_per_criterion_in_rubric_order_with_an_overall_row():
    two = pd.concat([krippendorff_scores("pressure"), krippendorff_scores("access")])
    frame = agreement(two, rubric=pd.DataFrame({"criterion": ["access", "pressure"], "label": ["Access", "P"],
                                                "min": [1, 1], "max": [5, 5]}))
    assert frame["criterion"].tolist() == ["access", "pressure", "overall"]
    assert list(frame.columns) == ["criterion", "label", "alpha", "raters", "units", "pairable", "note"]
    assert frame["alpha"].round(3).tolist()[:2] == [0.815, 0.815]
    assert frame["units"].tolist() == [11, 11, 22]
    # overall pools the 24 (testimony, criterion) units of both criteria
    data = [[np.nan if v == "." else float(v) for v in row.split()] * 2 for row in KRIPPENDORFF.values()]
    assert frame["alpha"].iloc[2] == pytest.approx(krippendorff.alpha(reliability_data=data,
                                                                      level_of_measurement="ordinal"))


def test_agreement_leaves_out_cannot_be_judged():
    data = scores([("ana", "t1", "reliability", 1), ("ben", "t1", "reliability", 6),
                   ("ana", "t2", "reliability", 2), ("ben", "t2", "reliability", 2),
                   ("ana", "t3", "reliability", 5), ("ben", "t3", "reliability", 4)])
    row = agreement(data, "nato").iloc[0]
    assert (row["units"], row["pairable"]) == (2, 4)


@pytest.mark.parametrize("rows, note", [
    ([("ana", "t1", "access", 1), ("ana", "t2", "access", 3)], "fewer than two raters"),
    ([("ana", "t1", "access", 1), ("ben", "t2", "access", 3)], "no testimony has values from two raters"),
    ([("ana", "t1", "access", 2), ("ben", "t1", "access", 2), ("ana", "t2", "access", 2),
      ("ben", "t2", "access", 2)], "every value is the same"),
    ([("ana", "t1", "access", None), ("ben", "t1", "access", None)], "fewer than two raters"),
    ([], "fewer than two raters"),
])
def test_agreement_when_alpha_is_undefined_says_why(rows, note):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = agreement(scores(rows))
    assert frame["alpha"].isna().all()
    assert note in frame["note"].iloc[-1]


def test_agreement_refuses_an_unknown_level():
    with pytest.raises(ValueError, match="level must be one of nominal, ordinal, interval, ratio"):
        agreement(krippendorff_scores(), level="ordnial")


def test_disagreements_lists_the_largest_spread_first():
    data = scores([("ana", "t1", "access", 4), ("ben", "t1", "access", 0), ("cleo", "t1", "access", 2),
                   ("ana", "t2", "access", 1), ("ben", "t2", "access", 2),
                   ("ana", "t3", "access", 3),  # one rater only: not a disagreement
                   ("ana", "t4", "pressure", 0), ("ben", "t4", "pressure", 4)])
    frame = disagreements(data)
    assert frame[["testimony_id", "criterion", "range", "raters"]].values.tolist() == [
        ["t4", "pressure", 4, 2], ["t1", "access", 4, 3], ["t2", "access", 1, 2]]
    assert frame["values"].tolist()[1] == "ana 4, ben 0, cleo 2"
    assert len(disagreements(data, top=1)) == 1


def test_plot_agreement_draws_a_bar_per_row_and_names_undefined():
    import matplotlib.pyplot as plt

    frame = agreement(pd.concat([krippendorff_scores("x"),
                                 scores([("ana", "t1", "y", 1), ("ben", "t1", "y", 1)])]))
    ax = workbook.plot_agreement(frame)
    assert len(ax.patches) == 3
    assert "undefined" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "All criteria (pooled)"]
    plt.close(ax.figure)


def test_the_classroom_flow_on_the_template_case(tmp_path):
    case = workbook.load_case(TEMPLATE)
    ids = list(case.testimonies["testimony_id"])
    rng = np.random.default_rng(0)
    for rater in ("ana", "ben", "cleo"):
        store = RatingStore(tmp_path, rater, keys=("testimony_id", "criterion"), values=("value", "comment"))
        for tid in ids:
            for criterion in case.rubric["criterion"]:
                store.set((tid, criterion), value=int(rng.integers(0, 5)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        merged = load_scores(tmp_path, case)
    assert len(merged) == 3 * len(ids) * 7
    frame = agreement(merged, case)
    assert frame["criterion"].tolist() == list(case.rubric["criterion"]) + ["overall"]
    assert (frame["raters"] == 3).all() and frame.iloc[-1]["units"] == len(ids) * 7
    assert len(disagreements(merged, top=5)) == 5
    assert set(credibility(merged, case.rubric)["rater"]) == {"ana", "ben", "cleo"}
