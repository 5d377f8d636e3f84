"""Corroboration counts, the claim-tree roll-up and the paradox of unanimity, worked out by hand.

The case is the one of test_custody.py (see its docstring for the derivations).
Evidence:

    conspiracy   supports     t-c
    meeting      supports     t-a t-b t-ru t-en
    meeting      qualifies    t-book
    meeting      contradicts  t-memoir
    flight       supports     t-ru
    flight       contradicts  t-news

Claims: conspiracy > meeting > flight.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import workbook
from workbook import load_case
from workbook.corroboration import corroboration, corroboration_tree, unanimity_curve, unanimity_posterior

from test_custody import CASE, TEMPLATE, write_case

# Credibility per rater: averaged, t-a 0.3, t-b 0.4, t-ru 0.6, t-en 0.6, t-memoir 0.9; t-book unscored.
CRED = pd.DataFrame({
    "rater": ["ann", "ann", "ann", "ann", "ann", "bob", "bob"],
    "testimony_id": ["t-a", "t-b", "t-ru", "t-en", "t-memoir", "t-a", "t-ru"],
    "credibility": [0.2, 0.4, 0.5, 0.6, 0.9, 0.4, 0.7],
})


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return load_case(write_case(tmp_path_factory.mktemp("trials"), CASE))


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row)
            for row in frame[columns].itertuples(index=False)]


def test_public_names():
    for name in ("corroboration", "corroboration_tree", "unanimity_posterior", "unanimity_curve"):
        assert name in workbook.__all__ and callable(getattr(workbook, name))


def test_counts_without_scores(case):
    frame = corroboration(case, assessments="count")  # as before: assessments counted with testimony
    assert list(frame.columns) == ["claim_id", "statement", "stance", "raw", "independent"]
    assert rows(frame, ["claim_id", "stance", "raw", "independent"]) == [
        ("conspiracy", "supports", 1, 1),
        ("meeting", "supports", 4, 1),  # piatakov thrice; radek tied by the NKVD recording both
        ("meeting", "qualifies", 1, 1),
        ("meeting", "contradicts", 1, 1),
        ("flight", "supports", 1, 1),
        ("flight", "contradicts", 1, 1),
    ]
    assert frame.loc[0, "statement"] == "There was a parallel centre."


@pytest.mark.parametrize("ties, independent", [
    (("origin",), 3),                 # {t-a} {t-b} {t-ru t-en}
    (("speaker",), 2),                # {t-a t-ru t-en} {t-b}
    (("custodian",), 2),              # {t-a t-b} {t-ru t-en}
    (("speaker", "origin"), 2),       # {t-a t-ru t-en} {t-b}
    ((), 4),
])
def test_independence_follows_the_ties(case, ties, independent):
    frame = corroboration(case, ties=ties)
    meeting = frame[(frame["claim_id"] == "meeting") & (frame["stance"] == "supports")]
    assert meeting["independent"].tolist() == [independent]


def test_weighted_counts(case):
    frame = corroboration(case, CRED, ties=("origin",), assessments="count")
    assert list(frame.columns) == ["claim_id", "statement", "stance", "raw", "independent",
                                   "scored", "weighted", "independent_weighted"]
    assert rows(frame, ["claim_id", "stance", "raw", "independent", "scored", "weighted", "independent_weighted"]) == [
        ("conspiracy", "supports", 1, 1, 0, 0.0, 0.0),          # t-c unscored: counts 0
        ("meeting", "supports", 4, 3, 4, 1.9, 1.3),             # 0.3+0.4+0.6+0.6; 0.3+0.4+max(0.6,0.6)
        ("meeting", "qualifies", 1, 1, 0, 0.0, 0.0),
        ("meeting", "contradicts", 1, 1, 1, 0.9, 0.9),
        ("flight", "supports", 1, 1, 1, 0.6, 0.6),
        ("flight", "contradicts", 1, 1, 0, 0.0, 0.0),
    ]
    all_ties = corroboration(case, CRED)
    meeting = all_ties[(all_ties["claim_id"] == "meeting") & (all_ties["stance"] == "supports")].iloc[0]
    assert (meeting["independent"], round(meeting["weighted"], 9), round(meeting["independent_weighted"], 9)) == \
        (1, 1.9, 0.6)


def test_scores_in_other_shapes(case):
    expected = corroboration(case, CRED, ties=("origin",))
    mean = CRED.groupby("testimony_id", as_index=False)["credibility"].mean()  # no rater column
    pd.testing.assert_frame_equal(corroboration(case, mean, ties=("origin",)), expected)
    series = mean.set_index("testimony_id")["credibility"]
    pd.testing.assert_frame_equal(corroboration(case, series, ties=("origin",)), expected)
    # a testimony whose credibility is unknown (NaN) counts 0 and is not "scored"
    unknown = pd.concat([mean, pd.DataFrame({"testimony_id": ["t-c"], "credibility": [np.nan]})])
    pd.testing.assert_frame_equal(corroboration(case, unknown, ties=("origin",)), expected)


def test_raw_scores_go_through_scoring_credibility(case):
    from workbook.scoring import credibility

    rubric = case.rubric
    criterion, low, high = rubric["criterion"].iloc[0], int(rubric["min"].iloc[0]), int(rubric["max"].iloc[0])
    scores = pd.DataFrame({
        "rater": ["ann", "ann", "bob"], "testimony_id": ["t-a", "t-ru", "t-a"],
        "criterion": [criterion] * 3, "value": [high, low, low],
        "comment": ["", "", ""], "updated_at": ["2024-01-01T00:00:00Z"] * 3,
    })
    via_raw = corroboration(case, scores)
    via_cred = corroboration(case, credibility(scores, rubric))
    pd.testing.assert_frame_equal(via_raw, via_cred)
    meeting = via_raw[(via_raw["claim_id"] == "meeting") & (via_raw["stance"] == "supports")].iloc[0]
    assert meeting["scored"] == 2 and math.isclose(meeting["weighted"], 0.5)  # t-a: (1 + 0) / 2, t-ru: 0


def test_bad_scores(case):
    with pytest.raises(ValueError, match="testimony_id and credibility"):
        corroboration(case, pd.DataFrame({"testimony_id": ["t-a"], "score": [1]}))
    with pytest.raises(ValueError, match="between 0 and 1; testimony 't-a' has 3"):
        corroboration(case, pd.DataFrame({"testimony_id": ["t-a"], "credibility": [3.0]}))
    with pytest.raises(TypeError):
        corroboration(case, {"t-a": 0.5})
    with pytest.raises(ValueError, match="unknown tie 'place'"):
        corroboration(case, ties=("place",))


def test_tree_rolls_up_descendants(case):
    tree = corroboration_tree(case, assessments="count")
    assert list(tree.columns) == ["depth", "claim_id", "statement", "stance", "raw", "independent"]
    assert rows(tree, ["depth", "claim_id", "stance", "raw", "independent"]) == [
        (0, "conspiracy", "supports", 5, 1),     # t-c + t-a t-b t-ru t-en (t-ru once, though on two claims)
        (0, "conspiracy", "qualifies", 1, 1),
        (0, "conspiracy", "contradicts", 2, 2),  # t-memoir, t-news: nothing in common
        (1, "meeting", "supports", 4, 1),
        (1, "meeting", "qualifies", 1, 1),
        (1, "meeting", "contradicts", 2, 2),
        (2, "flight", "supports", 1, 1),
        (2, "flight", "contradicts", 1, 1),
    ]
    by_origin = corroboration_tree(case, CRED, ties="origin", assessments="count")
    top = by_origin.iloc[0]
    # {t-c t-a t-b} through the summary, {t-ru t-en}: 2 groups; best 0.4 + 0.6
    assert (top["independent"], round(top["weighted"], 9), round(top["independent_weighted"], 9)) == (2, 1.9, 1.0)


def test_empty_evidence(tmp_path):
    files = dict(CASE, **{"evidence.csv": "testimony_id,claim_id,stance\n"})
    case = load_case(write_case(tmp_path / "empty", files))
    assert len(corroboration(case)) == 0
    assert list(corroboration(case, CRED).columns)[-3:] == [
        "independent_weighted", "assessments", "assessments_independent"]
    assert len(corroboration_tree(case)) == 0


def test_template_case():
    case = load_case(TEMPLATE)
    frame = corroboration(case)
    fire = frame[frame["claim_id"] == "fire"].set_index("stance")
    assert fire.loc["supports", ["raw", "independent"]].tolist() == [2, 1]  # the history repeats the record
    assert fire.loc["contradicts", ["raw", "independent"]].tolist() == [2, 1]  # the miller, twice


def test_independent_equals_dependence_groups_per_claim(case):
    from workbook.custody import dependence_groups

    frame = corroboration(case, ties=("speaker", "custodian"), assessments="count")
    for row in frame.itertuples():
        ev = case.evidence[(case.evidence["claim_id"] == row.claim_id) & (case.evidence["stance"] == row.stance)]
        groups = dependence_groups(case, ("speaker", "custodian"), ev["testimony_id"], through_assessments=True)
        assert row.independent == groups.nunique()


# --------------------------------------------------------------------------- unanimity


def test_unanimity_exact_values():
    # defaults: P(all|T) = 0.05 + 0.95 * 0.8^3 = 0.5364, P(all|F) = 0.05 + 0.95 * 0.2^3 = 0.0576
    assert abs(unanimity_posterior(3) - 0.5364 / (0.5364 + 0.0576)) < 1e-12
    assert abs(unanimity_posterior(3) - 149 / 165) < 1e-9
    # independent witnesses: 0.512 / (0.512 + 0.008) = 64/65
    assert abs(unanimity_posterior(3, p_common_cause=0) - 64 / 65) < 1e-9
    # prior 0.2, p 0.9, q 0.3, c 0.1, two witnesses: T = 0.1 + 0.9*0.81 = 0.829, F = 0.1 + 0.9*0.09 = 0.181,
    # posterior = 0.2*0.829 / (0.2*0.829 + 0.8*0.181) = 0.1658 / 0.3106 = 829/1553
    assert abs(unanimity_posterior(2, prior=0.2, p_true_report=0.9, p_false_report=0.3,
                                   p_common_cause=0.1) - 829 / 1553) < 1e-9
    # one witness: T = 0.05 + 0.95*0.8 = 0.81, F = 0.05 + 0.95*0.2 = 0.24 -> 0.81/1.05 = 27/35
    assert abs(unanimity_posterior(1) - 27 / 35) < 1e-9
    assert unanimity_posterior(0) == 0.5  # no witnesses: the prior
    assert abs(unanimity_posterior(7, p_common_cause=1.0) - 0.5) < 1e-12  # always compromised: no information


def test_unanimity_errors():
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="n_witnesses"):
            unanimity_posterior(bad)
    with pytest.raises(ValueError, match="p_common_cause must be a probability"):
        unanimity_posterior(3, p_common_cause=1.5)
    with pytest.raises(ValueError, match="impossible"):
        unanimity_posterior(2, p_true_report=0, p_false_report=0, p_common_cause=0)
    with pytest.raises(TypeError, match="unknown parameter 'p_common'"):
        unanimity_curve(5, p_common=0.1)
    with pytest.raises(ValueError, match="max_n"):
        unanimity_curve(0)


def test_unanimity_curve_rises_then_falls():
    curve = unanimity_curve(30)
    assert list(curve.columns) == ["n", "posterior", "posterior_if_independent"]
    assert curve["n"].tolist() == list(range(1, 31))
    peak = int(curve["posterior"].idxmax())
    assert curve.loc[peak, "n"] == 3
    assert curve["posterior"].iloc[: peak + 1].is_monotonic_increasing
    assert curve["posterior"].iloc[peak:].is_monotonic_decreasing
    assert curve["posterior"].iloc[-1] < 0.6  # back towards the prior
    assert curve["posterior_if_independent"].is_monotonic_increasing
    assert abs(curve.loc[2, "posterior"] - 149 / 165) < 1e-9
    assert curve.attrs == {"prior": 0.5, "p_true_report": 0.8, "p_false_report": 0.2, "p_common_cause": 0.05}
    assert unanimity_curve(4, prior=0.3).attrs["prior"] == 0.3


def test_tree_independence_is_recomputed_over_the_union(case):
    from workbook.corroboration import _claim_tree
    from workbook.custody import dependence_groups

    order, _, lineage = _claim_tree(case)
    tree = corroboration_tree(case, ties=("origin", "custodian"), assessments="count")
    for row in tree.itertuples():
        below = {c for c in order if c == row.claim_id or row.claim_id in lineage[c]}
        ev = case.evidence[case.evidence["claim_id"].isin(below) & (case.evidence["stance"] == row.stance)]
        ids = ev["testimony_id"].unique()
        assert row.raw == len(ids)
        assert row.independent == dependence_groups(case, ("origin", "custodian"), ids,
                                                    through_assessments=True).nunique()


# --------------------------------------------------------------------------- assessments apart


def test_assessments_are_counted_apart_by_default(case):
    # t-c (an official finding) and t-book (a scholar's judgement) are assessments: they leave
    # raw/independent and are counted in their own columns; a stance held only by assessments keeps its row
    frame = corroboration(case)
    assert rows(frame, ["claim_id", "stance", "raw", "independent", "assessments", "assessments_independent"]) == [
        ("conspiracy", "supports", 0, 0, 1, 1),
        ("meeting", "supports", 4, 1, 0, 0),
        ("meeting", "qualifies", 0, 0, 1, 1),
        ("meeting", "contradicts", 1, 1, 0, 0),
        ("flight", "supports", 1, 1, 0, 0),
        ("flight", "contradicts", 1, 1, 0, 0),
    ]
    counted = corroboration(case, assessments="count")  # as before
    assert counted["raw"].tolist() == [1, 4, 1, 1, 1, 1]
    assert "assessments" not in counted.columns


def test_tree_keeps_assessments_apart(case):
    tree = corroboration_tree(case, CRED, ties="origin")
    top = tree.iloc[0]
    # t-a t-b t-ru t-en without t-c: {t-a} {t-b} {t-ru t-en} by origin (t-c no longer links t-a and t-b)
    assert (top["claim_id"], top["raw"], top["independent"], top["assessments"]) == ("conspiracy", 4, 3, 1)
    assert (round(top["weighted"], 9), round(top["independent_weighted"], 9)) == (1.9, 1.3)


def test_bad_assessment_mode(case):
    with pytest.raises(ValueError, match="assessments must be one of: apart, count; not 'ignore'"):
        corroboration(case, assessments="ignore")
