"""Charts: each plot_* returns an Axes with a title, labelled axes and a legend; saving is deterministic."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from workbook import load_case  # noqa: E402
from workbook.charts import plot_corroboration, plot_derivation, plot_unanimity, save_figure  # noqa: E402
from workbook.corroboration import corroboration, corroboration_tree, unanimity_curve  # noqa: E402
from workbook.custody import derivation_graph  # noqa: E402

from test_corroboration import CRED  # noqa: E402
from test_custody import CASE, TEMPLATE, write_case  # noqa: E402


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return load_case(write_case(tmp_path_factory.mktemp("trials"), CASE))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_import_changes_no_style():
    import importlib

    import workbook.charts

    before = dict(matplotlib.rcParams)
    importlib.reload(workbook.charts)
    assert dict(matplotlib.rcParams) == before


def test_plot_corroboration_counts(case):
    ax = plot_corroboration(corroboration(case))
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Corroboration per claim"
    assert "contradicts" in ax.get_xlabel() and "supports" in ax.get_xlabel()
    assert ax.get_ylabel() == "claim"
    assert legend_texts(ax) == ["raw count of testimonies", "independent groups",
                                "assessments: judgements, not testimony (counted apart)", "thin bar: qualifies"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 3 and labels[1].startswith("meeting: Piatakov met Trotsky in\nOslo")
    assert all(len(line) <= 34 for label in labels for line in label.split("\n"))  # wrapped
    # meeting: raw supports 4 to the right, contradicts 1 to the left
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert 4.0 in widths and -1.0 in widths
    assert ax.get_xlim()[0] == -ax.get_xlim()[1]  # centred on zero


def test_plot_corroboration_weighted_and_one_claim(case):
    frame = corroboration(case, CRED, ties=("origin",))
    ax = plot_corroboration(frame, claim_id="meeting")
    assert ax.get_title() == "Corroboration: Piatakov met Trotsky in Oslo in December 1935."
    assert legend_texts(ax) == ["raw count of testimonies", "independent groups", "weighted by credibility",
                                "independent groups, weighted",
                                "assessments: judgements, not testimony (counted apart)", "thin bar: qualifies"]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    # supports 4, 3, 1.9, 1.3; contradicts 1, 1, 0.9, 0.9; the scholar's judgement t-book (qualifies)
    # is no longer a testimony bar but one bar of its own, white with a dashed edge
    assert widths == sorted([4, 3, 1.9, 1.3, 1, -1, -1, -0.9, -0.9])
    judged = [p for p in ax.patches if p.get_linestyle() == "--"]
    assert [(round(p.get_width(), 6), p.get_facecolor()[:3]) for p in judged] == [(1.0, (1.0, 1.0, 1.0))]
    counted = plot_corroboration(corroboration(case, CRED, ties=("origin",), assessments="count"), "meeting")
    assert sorted(round(p.get_width(), 6) for p in counted.patches) == \
        sorted([4, 3, 1.9, 1.3, 1, 1, -1, -1, -0.9, -0.9])  # as before: t-book counted as testimony
    hatches = {p.get_hatch() for p in ax.patches}
    assert {"///", "...", "xxx"} <= hatches  # grayscale-safe: views differ by hatching
    tree = corroboration_tree(case)
    ax = plot_corroboration(tree, ["conspiracy", "flight"])
    assert len(ax.get_yticklabels()) == 2
    with pytest.raises(ValueError, match="'nope' has no rows"):
        plot_corroboration(frame, "nope")
    with pytest.raises(ValueError, match="claim_id, stance and raw"):
        plot_corroboration(pd.DataFrame({"claim_id": ["a"]}))


def test_plot_corroboration_says_its_numbers_in_words(case):
    from workbook.views.figure_text import figure_html, figure_summary

    frame = corroboration(case, CRED, ties=("origin",))
    ax = plot_corroboration(frame, claim_id="meeting")
    assert ax.text_alternative == [
        "meeting: Piatakov met Trotsky in Oslo in December 1935. supports: raw count 4, independent groups 3, "
        "weighted by credibility 1.90, independent groups weighted 1.30, assessments (not testimony) 0; "
        "qualifies: raw count 0, independent groups 0, weighted by credibility 0, independent groups weighted 0, "
        "assessments (not testimony) 1; contradicts: raw count 1, independent groups 1, weighted by credibility "
        "0.90, independent groups weighted 0.90, assessments (not testimony) 0."]
    lines = figure_summary(ax.figure)  # what a screen reader gets: the title, the axes, then these lines
    assert lines[0].startswith("Chart: Corroboration: Piatakov met Trotsky in Oslo in December 1935.")
    assert lines[1:] == ax.text_alternative
    page = figure_html(ax.figure)
    assert 'alt="Chart: Corroboration: Piatakov met Trotsky' in page
    assert "<li>meeting: Piatakov met Trotsky in Oslo in December 1935. supports: raw count 4," in page


def test_plot_corroboration_into_given_axes(case):
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_corroboration(corroboration(case), ax=right) is right
    assert not left.patches


def test_plot_unanimity():
    ax = plot_unanimity(unanimity_curve(12))
    assert ax.get_title() == "The paradox of unanimity"
    assert ax.get_xlabel() == "number of witnesses who all assert the claim"
    assert ax.get_ylabel() == "probability the claim is true"
    assert legend_texts(ax) == ["if the witnesses are independent", "if a common cause is possible", "prior (0.5)"]
    lines = ax.get_lines()
    assert [line.get_marker() for line in lines[:2]] == ["s", "o"]
    assert [line.get_linestyle() for line in lines[:2]] == ["--", "-"]
    assert "peak: 0.90 with 3 witnesses" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="posterior"):
        plot_unanimity(pd.DataFrame({"n": [1]}))


def test_plot_derivation(case):
    graph = derivation_graph(case)
    ax = plot_derivation(graph)
    assert ax.get_title() == "Derivation of the sources"
    assert ax.get_xlabel().startswith("generation")
    assert legend_texts(ax) == ["published or declassified", "restricted (dashed)", "lost (dotted, hatched)"]
    texts = [t.get_text() for t in ax.texts]
    for source in graph.nodes:
        assert source in texts
    assert "translated by\ntranslator" in texts  # the custody step on the edge
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]  # book is generation 2
    assert len(ax.patches) == 8
    styles = sorted({p.get_linestyle() for p in ax.patches}, key=str)
    assert len(styles) == 3  # solid, dashed, dotted
    assert [p.get_hatch() for p in ax.patches].count("////") == 1  # int-b is lost
    one = plot_derivation(derivation_graph(case, "t-en"))
    assert one.get_title() == "Derivation of t-en"
    assert legend_texts(one)[-1] == "the testimony is read here"


def test_plot_derivation_is_deterministic(case, tmp_path):
    paths = []
    for k in range(2):
        ax = plot_derivation(derivation_graph(case))
        paths.append(save_figure(ax, tmp_path / f"d{k}", dpi=40))
    assert paths[0][1].read_bytes() == paths[1][1].read_bytes()


def test_save_figure(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    png, svg = save_figure(fig, tmp_path / "out" / "figure", dpi=40)
    assert (png.name, svg.name) == ("figure.png", "figure.svg")
    assert png.read_bytes().startswith(b"\x89PNG")
    text = svg.read_text()
    assert "<dc:date>" not in text and "Matplotlib" not in png.read_bytes()[:200].decode("latin-1")
    again = save_figure(ax, tmp_path / "out" / "figure.svg", dpi=40)  # an Axes, and a suffix that is dropped
    assert again == [png, svg]
    assert svg.read_text() == text
    assert matplotlib.rcParams["svg.hashsalt"] is None  # the salt was for that call only


def test_template_case_charts():
    case = load_case(TEMPLATE)
    assert plot_derivation(derivation_graph(case)).get_title() == "Derivation of the sources"
    assert plot_corroboration(corroboration(case)).get_title() == "Corroboration per claim"
