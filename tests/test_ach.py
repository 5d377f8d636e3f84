"""Competing hypotheses on a worked example whose answers are computed by hand below.

The example is our own, in the spirit of Heuer's matrix in *Psychology of
Intelligence Analysis* (1999), ch. 8 (not a reproduction of his figure): did a
meeting confessed at a trial take place?

              h-met   h-invented  h-other     points (I=1, II=2)   spread
    t1        C       C           C           0  0  0              0   consistent with all: no value
    t2        I       C           N           1  0  0              1
    t3        II      CC          I           2  0  1              2
    t4        C       I           I           0  1  1              1
    t5        NA      (unrated)   N           0  0  0              0

    inconsistency  3       1           2        -> least inconsistent: h-invented; ranks 3, 1, 2
    I / II         1 / 1   1 / 0       2 / 0
    consistent     2       3           1        (C and CC: shown, never added)

Dropping one item at a time (baseline h-invented):
    t1: 3 1 2 -> h-invented        t2: 2 1 2 -> h-invented
    t3: 1 1 1 -> all three (tie): changes
    t4: 3 0 1 -> h-invented        t5: 3 1 2 -> h-invented
Dropping dependence groups g-a = {t1, t2}, g-b = {t3, t4}, g-c = {t5} (one item: not repeated):
    g-a: 2 1 2 -> h-invented       g-b: 1 0 0 -> h-invented and h-other (tie): changes

Weighted by credibility t1 1, t2 0.5, t3 0.25, t4 1, t5 missing (-> 1, with a warning):
    h-met 0.5*1 + 0.25*2 = 1.0,  h-invented 1*1 = 1.0,  h-other 0.25*1 + 1*1 = 1.25
    -> h-met and h-invented tie at 1.0.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from workbook import (AchPanel, ach_matrix, ach_scores, ach_store, diagnosticity, load_ach, load_case,
                      plot_ach_heatmap, sensitivity)
from workbook.contract import ACH_COLUMNS

matplotlib.use("Agg")

H = ["h-met", "h-invented", "h-other"]
ROWS = {
    "t1": ["C", "C", "C"],
    "t2": ["I", "C", "N"],
    "t3": ["II", "CC", "I"],
    "t4": ["C", "I", "I"],
    "t5": ["NA", "", "N"],
}


@pytest.fixture
def matrix():
    return pd.DataFrame.from_dict(ROWS, orient="index", columns=H).rename_axis("testimony_id").rename_axis(
        "hypothesis_id", axis=1)


def test_scores_by_hand(matrix):
    got = ach_scores(matrix)
    assert list(got["hypothesis_id"]) == ["h-invented", "h-other", "h-met"]  # least inconsistent first
    by = got.set_index("hypothesis_id")
    assert by["inconsistency"].to_dict() == {"h-invented": 1.0, "h-other": 2.0, "h-met": 3.0}
    assert by["rank"].to_dict() == {"h-invented": 1, "h-other": 2, "h-met": 3}
    assert by["I"].to_dict() == {"h-invented": 1, "h-other": 2, "h-met": 1}
    assert by["II"].to_dict() == {"h-invented": 0, "h-other": 0, "h-met": 1}
    assert by["consistent"].to_dict() == {"h-invented": 3, "h-other": 1, "h-met": 2}
    assert by["rated"].to_dict() == {"h-invented": 4, "h-other": 5, "h-met": 4}  # NA and "" are not rated


def test_consistency_never_adds(matrix):
    more_consistent = matrix.replace({"N": "CC"})
    assert ach_scores(more_consistent)["inconsistency"].tolist() == ach_scores(matrix)["inconsistency"].tolist()


def test_weighted_scores_by_hand(matrix):
    cred = pd.Series({"t1": 1.0, "t2": 0.5, "t3": 0.25, "t4": 1.0})
    with pytest.warns(UserWarning, match="no credibility for t5"):
        got = ach_scores(matrix, credibility=cred).set_index("hypothesis_id")
    assert got["inconsistency"].to_dict() == {"h-met": 1.0, "h-invented": 1.0, "h-other": 1.25}
    assert got["rank"].to_dict() == {"h-met": 1, "h-invented": 1, "h-other": 3}  # a tie shares the rank


def test_credibility_frame_from_several_raters_is_averaged(matrix):
    frame = pd.DataFrame({"rater": ["a", "b"] * 5, "testimony_id": [t for t in ROWS for _ in (0, 1)],
                          "credibility": [1, 1, 0.25, 0.75, 0, 0.5, 1, 1, 1, 1]})
    # means: t1 1, t2 0.5, t3 0.25, t4 1, t5 1 -> the same as the hand-worked weighted example
    got = ach_scores(matrix, credibility=frame).set_index("hypothesis_id")["inconsistency"]
    assert got.to_dict() == {"h-met": 1.0, "h-invented": 1.0, "h-other": 1.25}


def test_credibility_outside_0_1_is_refused(matrix):
    with pytest.raises(ValueError, match="between 0 and 1"):
        ach_scores(matrix, credibility=pd.Series({t: 2.0 for t in ROWS}))


def test_diagnosticity_by_hand(matrix):
    got = diagnosticity(matrix)
    assert list(got["testimony_id"]) == list(ROWS)
    assert got["spread"].tolist() == [0, 1, 2, 1, 0]
    assert got["diagnostic"].tolist() == [False, True, True, True, False]
    assert got["ratings"].tolist() == ["C C C", "I C N", "II CC I", "C I I", "NA - N"]


def test_sensitivity_by_hand(matrix):
    groups = pd.Series({"t1": "g-a", "t2": "g-a", "t3": "g-b", "t4": "g-b", "t5": "g-c"})
    got = sensitivity(matrix, groups=groups)
    rows = list(got[["dropped", "kind", "items", "least_inconsistent", "changes"]].itertuples(index=False, name=None))
    assert rows == [
        ("", "baseline", "", "h-invented", False),
        ("t1", "item", "t1", "h-invented", False),
        ("t2", "item", "t2", "h-invented", False),
        ("t3", "item", "t3", "h-met;h-invented;h-other", True),
        ("t4", "item", "t4", "h-invented", False),
        ("t5", "item", "t5", "h-invented", False),
        ("g-a", "group", "t1;t2", "h-invented", False),
        ("g-b", "group", "t3;t4", "h-invented;h-other", True),
    ]


def test_sensitivity_group_of_every_item_leaves_no_conclusion(matrix):
    got = sensitivity(matrix, groups=pd.Series("g", index=list(ROWS)))
    last = got.iloc[-1]
    assert (last["kind"], last["items"], last["least_inconsistent"], last["changes"]) == (
        "group", "t1;t2;t3;t4;t5", "", True)


def test_sensitivity_weighted_baseline_is_a_tie(matrix):
    cred = pd.Series({"t1": 1.0, "t2": 0.5, "t3": 0.25, "t4": 1.0, "t5": 1.0})
    got = sensitivity(matrix, credibility=cred).set_index("dropped")
    assert got.loc["", "least_inconsistent"] == "h-met;h-invented"
    # without t2: h-met 0.5, h-invented 1, h-other 1.25 -> h-met alone: the tie set changes
    assert got.loc["t2", "least_inconsistent"] == "h-met" and got.loc["t2", "changes"]
    # without t4: h-met 1, h-invented 0, h-other 0.25 -> h-invented alone
    assert got.loc["t4", "least_inconsistent"] == "h-invented" and got.loc["t4", "changes"]
    # without t1 (consistent with all): the same tie
    assert got.loc["t1", "least_inconsistent"] == "h-met;h-invented" and not got.loc["t1", "changes"]


def test_functions_do_not_mutate_the_matrix(matrix):
    before = matrix.copy()
    ach_scores(matrix)
    diagnosticity(matrix)
    sensitivity(matrix, groups=pd.Series({"t1": "g", "t2": "g"}))
    pd.testing.assert_frame_equal(matrix, before)


def test_unknown_rating_warns_and_counts_zero(matrix):
    odd = matrix.copy()
    odd.loc["t1", "h-met"] = "ii"
    with pytest.warns(UserWarning, match="'ii' are not among"):
        got = ach_scores(odd).set_index("hypothesis_id")
    assert got.loc["h-met", "inconsistency"] == 3.0


# --------------------------------------------------------------------------- the case, the store, the files

TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "template_case"


@pytest.fixture(scope="module")
def case():
    return load_case(TEMPLATE)


def test_store_file_has_exactly_the_contract_columns(tmp_path):
    store = ach_store(tmp_path / "ach", "ana", clock=lambda: "2026-01-01T00:00:00Z")
    store.set(("h-miller", "t-history"), rating="I")
    store.set(("h-accident", "t-history"), rating="CC")
    with open(tmp_path / "ach" / "ana.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ACH_COLUMNS
    assert rows[1:] == [["ana", "h-accident", "t-history", "CC", "2026-01-01T00:00:00Z"],
                        ["ana", "h-miller", "t-history", "I", "2026-01-01T00:00:00Z"]]
    assert store.undo() and store.get(("h-accident", "t-history")) is None


def test_load_ach_keeps_and_warns(tmp_path, case):
    folder = tmp_path / "ach"
    folder.mkdir()
    (folder / "ana.csv").write_text(
        "rater,hypothesis_id,testimony_id,rating,updated_at\n"
        "ana,h-miller,t-history,I,2026-01-01T00:00:00Z\n"
        "ana,h-ghost,t-history,C,2026-01-01T00:00:00Z\n"
        "ana,h-miller,t-nobody,maybe,2026-01-01T00:00:00Z\n", encoding="utf-8")
    (folder / "ana.history.jsonl").write_text("", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = load_ach(folder, case)
    messages = " / ".join(str(w.message) for w in caught)
    assert "'maybe'" in messages and "'h-ghost'" in messages and "'t-nobody'" in messages
    assert len(got) == 3 and list(got.columns)[:5] == list(ACH_COLUMNS)  # nothing dropped


def test_load_ach_missing_folder_is_empty(tmp_path):
    got = load_ach(tmp_path / "nowhere")
    assert got.empty and list(got.columns) == list(ACH_COLUMNS)


def test_matrix_from_case_and_ratings(tmp_path, case):
    ana = ach_store(tmp_path, "ana")
    ana.set(("h-miller", "t-neighbour-court"), rating="C")
    ana.set(("h-accident", "t-miller-letter"), rating="N")
    ana.set(("h-miller", "t-neighbour-market"), rating="I")  # not evidence on "fire": still shown
    ach_store(tmp_path, "ben").set(("h-miller", "t-history"), rating="II")
    ratings = load_ach(tmp_path)
    with pytest.raises(ValueError, match="2 raters"):
        ach_matrix(case, ratings)
    m = ach_matrix(case, ratings, rater="ana")
    assert list(m.columns) == ["h-miller", "h-accident"]
    assert list(m.index) == ["t-neighbour-court", "t-miller-court", "t-miller-letter", "t-history",
                             "t-neighbour-market"]
    assert m.loc["t-neighbour-court", "h-miller"] == "C" and m.loc["t-history", "h-miller"] == ""
    assert m.loc["t-neighbour-market", "h-miller"] == "I"
    with pytest.raises(ValueError, match="no hypotheses on claim 'meeting'"):
        ach_matrix(case, ratings, claim_id="meeting")


def test_sensitivity_with_case_groups(case):
    m = ach_matrix(case)
    m.loc["t-neighbour-court", "h-accident"] = "II"
    m.loc["t-history", "h-accident"] = "I"
    got = sensitivity(m, case=case)  # groups from workbook.dependence_groups
    assert got.loc[0, "least_inconsistent"] == "h-miller"
    assert set(got["kind"]) <= {"baseline", "item", "group"}


# --------------------------------------------------------------------------- the widget


def test_panel_saves_every_change_and_undoes(tmp_path, case):
    panel = AchPanel(case, "fire", "demo", tmp_path)
    assert repr(panel) == "AchPanel(claim='fire', rater='demo', items=4, hypotheses=2)"
    panel.dropdown("t-neighbour-court", "h-miller").value = "CC"
    panel.dropdown("t-neighbour-court", "h-accident").value = "II"
    on_disk = pd.read_csv(tmp_path / "demo.csv", dtype=str, keep_default_na=False)
    assert on_disk[["hypothesis_id", "testimony_id", "rating"]].values.tolist() == [
        ["h-accident", "t-neighbour-court", "II"], ["h-miller", "t-neighbour-court", "CC"]]
    assert panel.scores_label.value.startswith("Least inconsistent: h-miller (0)")
    panel.undo_button.click()
    assert panel.dropdown("t-neighbour-court", "h-accident").value == ""
    assert (tmp_path / "demo.csv").read_text().count("\n") == 2  # the undone row is gone, the other kept
    assert panel.scores_label.value.startswith("Least inconsistent: h-miller, h-accident (0)")
    # a second panel for the same rater sees what the first saved
    again = AchPanel(case, "fire", "demo", tmp_path)
    assert again.dropdown("t-neighbour-court", "h-miller").value == "CC"


def test_panel_keeps_an_odd_rating_until_changed(tmp_path, case):
    (tmp_path / "demo.csv").write_text("rater,hypothesis_id,testimony_id,rating,updated_at\n"
                                       "demo,h-miller,t-history,ii,2026-01-01T00:00:00Z\n", encoding="utf-8")
    before = (tmp_path / "demo.csv").read_bytes()
    panel = AchPanel(case, "fire", "demo", tmp_path)
    assert panel.dropdown("t-history", "h-miller").value == "ii"
    assert (tmp_path / "demo.csv").read_bytes() == before  # opening the panel writes nothing


def test_panel_labels_are_plain_text(tmp_path, case):
    import ipywidgets as widgets

    panel = AchPanel(case, "fire", "demo", tmp_path)
    labels = [c for c in panel.grid.children if isinstance(c, widgets.Label)]
    assert any(lab.value.startswith("t-miller-letter · miller · “They will say") for lab in labels)
    assert not any(isinstance(c, widgets.HTML) for c in panel.grid.children)


def test_panel_mimebundle_text_is_the_repr(tmp_path, case):
    panel = AchPanel(case, "fire", "demo", tmp_path)
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"] == (
        "[The competing-hypotheses panel for the claim 'fire': 4 items against 2 hypotheses, rated by "
        "'demo'. It appears here when the notebook runs: run the cells from the top (Run > Run All Cells).]")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_panel_reports_a_failed_save(tmp_path, case, monkeypatch):
    panel = AchPanel(case, "fire", "demo", tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError("the disk is read-only")

    monkeypatch.setattr(panel.store, "set", refuse)
    with pytest.raises(PermissionError):  # outside a kernel the Output widget lets the error through
        panel.dropdown("t-history", "h-miller").value = "I"
    assert panel.status.value == "NOT SAVED: t-history × h-miller (the disk is read-only)"


# --------------------------------------------------------------------------- the chart


def test_heatmap_prints_every_rating(matrix):
    ax = plot_ach_heatmap(matrix)
    assert [t.get_text() for t in ax.texts] == [r or "–" for row in ROWS.values() for r in row]
    assert ax.get_title() and ax.get_xlabel() == "Hypothesis" and ax.get_ylabel()
    matplotlib.pyplot.close(ax.figure)
