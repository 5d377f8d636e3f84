"""Figures from the workbook's frames: every ``plot_*(frame, ..., ax=None)`` returns an Axes.

Each chart has a title, labelled axes and a legend, and stays readable in
grayscale and for colour-blind readers: series differ by hatching, marker or
line style and by shade of gray, never by colour alone.  Importing this module
changes no matplotlib setting; pass ``ax=`` to draw into a figure of your own,
or let the function make one of a sensible size.  :func:`save_figure` writes a
figure as PNG and SVG without timestamps, so that saved files only change when
the figure does.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from workbook.judgement.corroboration import unanimity_curve
>>> ax = plot_unanimity(unanimity_curve(12))
>>> ax.get_title()
'The paradox of unanimity'
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..judgement.ach import CELL_VALUES

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_corroboration", "plot_unanimity", "plot_derivation", "derivation_pages", "derivation_neighbourhood",
           "plot_corroboration_pages", "save_figure", "plot_agreement", "plot_ach_heatmap",
           "plot_timeline"]

# The views of corroboration, in the order they are drawn: column, legend label, gray, hatch.
_VIEWS = (
    ("raw", "raw count of testimonies", "0.88", ""),
    ("independent", "independent groups", "0.62", "///"),
    ("weighted", "weighted by credibility", "0.42", "..."),
    ("independent_weighted", "independent groups, weighted", "0.22", "xxx"),
)
#: The view of assessments (a scholar's, a commission's or a court's judgement), counted apart:
#: white with dashed edges and its own hatching, so that it never reads as one more line of testimony.
_ASSESSMENT_VIEW = ("assessments", "assessments: judgements, not testimony (counted apart)", "white", "\\\\")
_STANCE_HELP = "← contradicts   |   supports →"


def _new_axes(width: float, height: float) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def _wrap(text: str, width: int = 34, lines: int = 3) -> str:
    wrapped = textwrap.wrap(text, width=width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


# --------------------------------------------------------------------------- corroboration


def plot_corroboration(frame: pd.DataFrame, claim_id: str | Iterable[str] | None = None,
                       ax: Axes | None = None) -> Axes:
    """A diverging bar chart of :func:`workbook.corroboration` (or ``corroboration_tree``).

    One band per claim; in each band one row per view (raw count,
    independent groups, and when the frame has them the credibility-weighted
    sums).  Supporting testimony extends to the right, contradicting to the
    left; qualifying testimony is a thin bar under the supporting one.  Views
    differ by shade and hatching.  When the frame has the column
    ``assessments`` (as :func:`workbook.corroboration` gives it), the
    assessments (judgements about the evidence, counted apart from testimony)
    are a last, separate row in each band: white bars with dashed edges,
    below a dotted line.  ``claim_id`` picks one claim or a list of claims
    (default: all, in the frame's order).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> frame = pd.DataFrame({"claim_id": ["met", "met", "met"],
    ...                       "statement": ["They met in Oslo."] * 3,
    ...                       "stance": ["supports", "qualifies", "contradicts"],
    ...                       "raw": [5, 1, 2], "independent": [2, 1, 2]})
    >>> ax = plot_corroboration(frame)
    >>> ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Corroboration: They met in Oslo.', ['raw count of testimonies', 'independent groups', 'thin bar: qualifies'])
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    missing = {"claim_id", "stance", "raw"} - set(frame.columns)
    if missing:
        raise ValueError(f"the frame needs the columns claim_id, stance and raw (as corroboration() returns); "
                         f"missing: {', '.join(sorted(missing))}")
    claims = list(pd.unique(frame["claim_id"]))
    if claim_id is not None:
        wanted = [claim_id] if isinstance(claim_id, str) else list(claim_id)
        unknown = [c for c in wanted if c not in claims]
        if unknown:
            raise ValueError(f"'{unknown[0]}' has no rows in the frame; its claims are: {', '.join(claims)}")
        claims = wanted
    views = [v for v in _VIEWS if v[0] in frame.columns]
    if _ASSESSMENT_VIEW[0] in frame.columns:
        views.append(_ASSESSMENT_VIEW)
    labels = {}
    for row in frame.drop_duplicates("claim_id").itertuples(index=False):
        statement = getattr(row, "statement", "") or ""
        labels[row.claim_id] = _wrap(f"{row.claim_id}: {statement}" if statement else row.claim_id)
    if ax is None:
        ax = _new_axes(9.5, 0.32 * max(1, len(claims)) * len(views) + 1.8)
    slot = 1.0
    band = slot * len(views) + 0.6
    largest = 0.0
    numbers = []  # the chart's numbers in words, one line per claim (read by views/figure_text.py)
    for i, claim in enumerate(claims):
        rows = frame[frame["claim_id"] == claim]
        value = {(stance, v[0]): float(rows.loc[rows["stance"] == stance, v[0]].sum())
                 for stance in ("supports", "qualifies", "contradicts") for v in views}
        statement = rows["statement"].iloc[0] if "statement" in rows.columns and len(rows) else ""
        numbers.append(_claim_numbers(f"{claim}: {statement}" if statement else claim, views, value))
        top = -i * band
        for j, (column, _, gray, hatch) in enumerate(views):
            y = top - j * slot
            for stance, sign, height, offset in (("supports", 1, 0.5, 0.12), ("contradicts", -1, 0.5, 0.12),
                                                 ("qualifies", 1, 0.2, -0.27)):
                v = value[(stance, column)]
                judged = column == _ASSESSMENT_VIEW[0]
                if v <= 0:
                    if not judged and value[(stance, "raw")] > 0:  # testimonies there, but no weight: say so
                        ax.text(0, y + offset, " 0" if sign > 0 else "0 ", va="center",
                                ha="left" if sign > 0 else "right", fontsize=7)
                    continue
                ax.barh(y + offset, sign * v, height=height, color=gray, hatch=hatch,
                        edgecolor="0.1", linewidth=0.9 if judged else 0.6, linestyle="--" if judged else "-")
                ax.text(sign * v, y + offset, f" {_number(v)} " if stance != "qualifies" else f" {_number(v)} q",
                        va="center", ha="left" if sign > 0 else "right", fontsize=7)
                largest = max(largest, v)
        if i:
            ax.axhline(top + 0.5 * slot + 0.3, color="0.8", linewidth=0.6)
        if views[-1] is _ASSESSMENT_VIEW and len(views) > 1:  # the assessments row stands apart
            ax.axhline(top - (len(views) - 1.5) * slot, color="0.5", linewidth=0.6, linestyle=":")
    centers = [-i * band - (len(views) - 1) * slot / 2 for i in range(len(claims))]
    ax.set_yticks(centers, [labels[c] for c in claims], fontsize=8)
    ax.axvline(0, color="0.1", linewidth=0.8)
    limit = max(1.0, largest) * 1.25
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-(len(claims) - 1) * band - (len(views) - 1) * slot - 0.8, 0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _number(abs(x))))
    ax.set_xlabel(f"testimonies (count, or sum of credibility)\n{_STANCE_HELP}")
    ax.set_ylabel("claim")
    if len(claims) == 1:
        statement = frame.loc[frame["claim_id"] == claims[0]]
        text = statement["statement"].iloc[0] if "statement" in frame.columns else ""
        ax.set_title(_wrap(f"Corroboration: {text or claims[0]}", width=70, lines=2))
    else:
        ax.set_title("Corroboration per claim")
    handles = [Patch(facecolor=gray, hatch=hatch, edgecolor="0.1", label=label,
                     linestyle="--" if column == _ASSESSMENT_VIEW[0] else "-")
               for column, label, gray, hatch in views]
    handles.append(Line2D([], [], color="0.4", linewidth=3, label="thin bar: qualifies"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    ax.text_alternative = numbers
    return ax


def _claim_numbers(label: str, views, value: dict) -> str:
    """``c1: They met. Supports: raw count 5, independent groups 2; contradicts: raw count 1, ...``."""
    parts = []
    for stance in ("supports", "qualifies", "contradicts"):
        if any(value[(stance, column)] for column, *_ in views):
            parts.append(f"{stance}: " + ", ".join(f"{_SHORT.get(column, column)} {_number(value[(stance, column)])}"
                                                   for column, *_ in views))
    return f"{label.rstrip('.')}. " + ("; ".join(parts) if parts else "no testimony") + "."


#: The views' names in the text alternative of the chart.
_SHORT = {"raw": "raw count", "independent": "independent groups", "weighted": "weighted by credibility",
          "independent_weighted": "independent groups weighted", "assessments": "assessments (not testimony)"}


# --------------------------------------------------------------------------- unanimity


def plot_unanimity(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The posterior of a claim against the number of unanimous witnesses (:func:`unanimity_curve`).

    A solid line with circles for the model with a possible common cause, a
    dashed line with squares for independent witnesses, a dotted line at the
    prior when the frame says it (``frame.attrs["prior"]``), and the peak marked.
    """
    needed = {"n", "posterior", "posterior_if_independent"}
    if not needed <= set(frame.columns):
        raise ValueError(f"the frame needs the columns {', '.join(sorted(needed))} (as unanimity_curve() returns)")
    if ax is None:
        ax = _new_axes(7, 4.2)
    ax.plot(frame["n"], frame["posterior_if_independent"], linestyle="--", marker="s", markersize=4,
            color="0.55", label="if the witnesses are independent")
    ax.plot(frame["n"], frame["posterior"], linestyle="-", marker="o", markersize=4,
            color="0.1", label="if a common cause is possible")
    if len(frame):
        peak = frame.loc[frame["posterior"].idxmax()]
        ax.annotate(f"peak: {peak['posterior']:.2f} with {int(peak['n'])} witnesses",
                    xy=(peak["n"], peak["posterior"]), xytext=(18, -40), textcoords="offset points",
                    ha="left", fontsize=8, arrowprops={"arrowstyle": "->", "color": "0.3"},
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "0.7"})
    prior = frame.attrs.get("prior")
    if prior is not None:
        ax.axhline(prior, color="0.4", linestyle=":", linewidth=1, label=f"prior ({prior:g})")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("number of witnesses who all assert the claim")
    ax.set_ylabel("probability the claim is true")
    ax.set_title("The paradox of unanimity")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="y", color="0.9", linewidth=0.6)
    return ax


# --------------------------------------------------------------------------- derivation


_ACCESS_STYLE = {  # access: (line style, face gray, hatch, legend label)
    "published": ("-", "white", "", "published or declassified"),
    "declassified": ("-", "white", "", "published or declassified"),
    "restricted": ("--", "0.88", "", "restricted (dashed)"),
    "lost": (":", "white", "////", "lost (dotted, hatched)"),
    "unknown": ("-.", "0.95", "", "access unknown"),
    "": ("-.", "0.95", "", "access unknown"),
}


def _layers(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """A left-to-right layered layout: x = generation, y = place in the column (deterministic).

    Generation = the longest chain of derivations behind a source.  Within a
    generation the sources start in id order (those with no derivation at all
    at the bottom), then a few barycentre sweeps (forward by parents, backward
    by children) pull related sources level with each other to reduce
    crossings.  No randomness: the same graph, the same layout.
    """
    import networkx as nx

    generation: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(graph):
        generation[node] = max((generation[p] + 1 for p in graph.predecessors(node)), default=0)
    depth = max(generation.values(), default=-1) + 1
    # sources with no derivation at all go to the bottom of their column, in id order
    layers = [sorted((n for n in generation if generation[n] == g), key=lambda n: (graph.degree(n) == 0, n))
              for g in range(depth)]
    height: dict[str, float] = {}  # y of each source, 0 in the middle of its column

    def place(layer: list[str]) -> None:
        height.update({n: (len(layer) - 1) / 2 - i for i, n in enumerate(layer)})

    def sweep(layer: list[str], neighbours) -> list[str]:
        def key(n: str) -> tuple[bool, float, float, str]:
            near = [height[m] for m in neighbours(n)]
            return (graph.degree(n) == 0, -float(np.mean(near)) if near else -height[n], -height[n], n)
        ordered = sorted(layer, key=key)
        place(ordered)
        return ordered

    for layer in layers:
        place(layer)
    for _ in range(3):
        for g in range(1, len(layers)):
            layers[g] = sweep(layers[g], graph.predecessors)
        for g in range(len(layers) - 2, -1, -1):
            layers[g] = sweep(layers[g], graph.successors)
    return {n: (float(g), height[n]) for g, layer in enumerate(layers) for n in layer}


def plot_corroboration_pages(frame: pd.DataFrame, per_page: int = 10) -> list[Axes]:
    """:func:`plot_corroboration` in pages of ``per_page`` claims (in the frame's order), one figure each.

    Each page's title says which claims it shows (``claims 1-10 of 26``), so a
    long case reads as a few charts of a screen's height instead of one very tall one.
    """
    claims = list(dict.fromkeys(frame["claim_id"])) if len(frame) else []
    axes = []
    for start in range(0, len(claims), per_page):
        chunk = claims[start:start + per_page]
        ax = plot_corroboration(frame, claim_id=chunk)
        ax.set_title(f"{ax.get_title()}: claims {start + 1}-{start + len(chunk)} of {len(claims)}")
        axes.append(ax)
    return axes


#: The smallest type of the derivation graph, in points: 8 pt is 11 px at 100 dpi (the notebooks' inline figures).
MIN_POINTS = 8


def derivation_neighbourhood(graph: nx.DiGraph, source_id: str, radius: int = 1) -> nx.DiGraph:
    """The part of a derivation graph within ``radius`` steps of ``source_id`` (either direction).

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(derivation_neighbourhood(g, "b").nodes)
    ['a', 'b', 'c']
    """
    import networkx as nx

    if source_id not in graph:
        raise KeyError(f"no source called {source_id!r} in the derivation graph")
    near = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), source_id, cutoff=radius)
    part = graph.subgraph(sorted(near)).copy()
    part.graph.update(graph.graph)
    return part


def derivation_pages(graph: nx.DiGraph, per_page: int = 6) -> list[nx.DiGraph]:
    """A derivation graph cut into readable pages: each page holds up to ``per_page`` sources of
    one generation and every source made from them (so each page is one step of derivation).

    Sources made from no other and used by none are left out (list them in a table).

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("x", "d")])
    >>> [sorted(p.nodes) for p in derivation_pages(g, per_page=1)]
    [['a', 'b', 'c'], ['d', 'x'], ['b', 'd']]
    """
    import networkx as nx

    generation: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(graph):
        generation[node] = max((generation[p] + 1 for p in graph.predecessors(node)), default=0)
    pages = []
    for g in sorted(set(generation.values())):
        parents = sorted(n for n in generation if generation[n] == g and graph.out_degree(n))
        for start in range(0, len(parents), per_page):
            chunk = parents[start:start + per_page]
            nodes = set(chunk) | {c for p in chunk for c in graph.successors(p)}
            part = nx.DiGraph()
            part.graph.update(graph.graph)
            part.add_nodes_from((n, graph.nodes[n]) for n in sorted(nodes))
            part.add_edges_from((p, c, graph.edges[p, c]) for p in chunk for c in sorted(graph.successors(p)))
            pages.append(part)
    return pages


def plot_derivation(graph: nx.DiGraph, ax: Axes | None = None) -> Axes:
    """Draw a derivation graph (:func:`workbook.derivation_graph`), oldest sources on the left.

    Each column is a generation (0: sources made from no other); arrows run
    from a source to what was made from it, labelled with the custody step
    that did it (e.g. "translated by ..."), and each box names the source, its
    kind and who shaped its text.  Restricted sources have a dashed border,
    lost ones a dotted, hatched border; the source a testimony is read in has
    a thick border.  The layout is computed, not random: the same graph gives
    the same picture.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("draft", kind="draft", access="lost")
    >>> g.add_node("record", kind="interrogation_record", access="restricted")
    >>> g.add_edge("draft", "record", label="edited by nkvd")
    >>> ax = plot_derivation(g)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['restricted (dashed)', 'lost (dotted, hatched)']
    """
    from matplotlib.patches import FancyBboxPatch, Patch

    position = _layers(graph)
    x_step, y_step, box_w, box_h = 3.6, 1.2, 2.4, 0.8
    columns = max((int(x) for x, _ in position.values()), default=0) + 1
    tallest = max((sum(1 for x, _ in position.values() if x == c) for c in range(columns)), default=1)
    natural = (2.9 * columns + 2.6, max(2.6, 1.0 * tallest + 1.4))  # inches at full type size
    if ax is None:
        # full type size always (labels at least 11 px at 100 dpi): a big graph makes a big figure;
        # page through it with derivation_pages, or show one source's neighbourhood
        ax = _new_axes(*natural)
    width, height = ax.get_figure().get_size_inches()
    fit = max(0.45, min(1.0, width / natural[0], height / natural[1]))

    def size(points: float) -> float:
        return round(points * fit, 2)

    at = {n: (x * x_step, y * y_step) for n, (x, y) in position.items()}
    xs = [x for x, _ in at.values()] or [0.0]
    ys = [y for _, y in at.values()] or [0.0]
    ax.set_xlim(min(xs) - box_w / 2 - 0.3, max(xs) + box_w / 2 + 0.3)
    ax.set_ylim(min(ys) - box_h / 2 - 0.3, max(ys) + box_h / 2 + 0.3)
    for parent, child, label in sorted(graph.edges(data="label", default="")):
        (x0, y0), (x1, y1) = at[parent], at[child]
        start, end = (x0 + box_w / 2, y0), (x1 - box_w / 2, y1)
        bend = 0.12 if x1 - x0 > x_step * 1.5 else 0.0  # skips a generation: bend it past the boxes between
        ax.annotate("", xy=end, xytext=start,
                    arrowprops={"arrowstyle": "-|>", "color": "0.3", "linewidth": 0.9, "shrinkA": 1, "shrinkB": 1,
                                "connectionstyle": f"arc3,rad={bend}"})
        if label:
            # the middle of matplotlib's arc3 curve, worked out in display space as it is drawn
            p0, p2 = ax.transData.transform([start, end])
            (dx, dy) = p2 - p0
            middle = ax.transData.inverted().transform((p0 + p2) / 2 + 0.5 * bend * np.array([dy, -dx]))
            ax.text(middle[0], middle[1], _wrap(label, 18, 3), fontsize=size(MIN_POINTS), ha="center",
                    va="center", color="0.15", bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                                     "edgecolor": "none", "alpha": 0.85})
    used: list[str] = []
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        access = data.get("access", "") or ""
        style, face, hatch, legend = _ACCESS_STYLE.get(access, _ACCESS_STYLE[""])
        if legend not in used:
            used.append(legend)
        x, y = at[node]
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=face, hatch=hatch,
                                    edgecolor="0.1", linestyle=style,
                                    linewidth=size(2.6) if data.get("read_in") else size(1.1)))
        sub = [str(data.get("kind", "") or "").replace("_", " ")]
        shaped = data.get("shaped_by") or []
        if shaped:
            sub.append(_wrap("; ".join(shaped), 30, 1))
        ax.text(x, y - 0.02, _wrap(node, 26, 2), ha="center", va="bottom", fontsize=size(MIN_POINTS + 1), fontweight="bold",
                linespacing=1.0,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": face if not hatch else "white",
                      "edgecolor": "none"})
        ax.text(x, y - 0.08, "\n".join(sub), ha="center", va="top", fontsize=size(MIN_POINTS), color="0.15",
                linespacing=1.1,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"} if hatch else None)
    order = [v[3] for v in _ACCESS_STYLE.values()]
    handles = []
    for legend in sorted(set(used), key=order.index):
        style, face, hatch, _ = next(v for v in _ACCESS_STYLE.values() if v[3] == legend)
        handles.append(Patch(facecolor=face, hatch=hatch, edgecolor="0.1", linestyle=style, label=legend))
    if any(graph.nodes[n].get("read_in") for n in graph.nodes):
        handles.append(Patch(facecolor="white", edgecolor="0.1", linewidth=2.6, label="the testimony is read here"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=MIN_POINTS, frameon=False,
                  title="access", title_fontsize=MIN_POINTS)
    ax.set_xticks([c * x_step for c in range(columns)], [str(c) for c in range(columns)])
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("generation (0 = made from no other source); arrows: made from")
    testimony = graph.graph.get("testimony_id")
    ax.set_title(f"Derivation of {testimony}" if testimony else "Derivation of the sources")
    return ax


# --------------------------------------------------------------------------- saving


def save_figure(fig_or_ax: Figure | Axes, path_stem: str | Path, dpi: int = 150) -> list[Path]:
    """Write a figure as ``<path_stem>.png`` and ``<path_stem>.svg``; return the two paths.

    No timestamps are written and SVG ids come from a fixed salt, so saving
    the same figure twice gives the same bytes.  Missing folders are created.
    Changes no global setting (the salt is set for this call only).
    """
    import matplotlib

    figure = fig_or_ax.get_figure() if hasattr(fig_or_ax, "get_figure") and not hasattr(fig_or_ax, "savefig") \
        else fig_or_ax
    stem = Path(path_stem)
    if stem.suffix.lower() in (".png", ".svg"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = Path(f"{stem}.png"), Path(f"{stem}.svg")
    with matplotlib.rc_context({"svg.hashsalt": "source-criticism-workbook"}):
        figure.savefig(png, dpi=dpi, metadata={"Date": None, "Software": None})
        figure.savefig(svg, metadata={"Date": None})
    return [png, svg]


# --------------------------------------------------------------------------- agreement (scoring.agreement)


def plot_agreement(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Krippendorff's alpha per criterion as horizontal bars, from :func:`workbook.agreement`.

    One bar a row, first row on top; the ``overall`` row is darker and
    hatched.  A dotted line marks 0.667 (tentative conclusions) and a dashed
    line 0.800 (reliable), Krippendorff's thresholds; an undefined alpha (NaN)
    is written as "undefined" instead of a bar.  Uses ``label`` when the frame
    has it, else ``criterion``.
    """
    if not {"criterion", "alpha"} <= set(frame.columns):
        raise ValueError("the frame needs the columns criterion and alpha (as agreement() returns)")
    if ax is None:
        ax = _new_axes(7, 0.42 * max(len(frame), 1) + 1.4)
    names = frame["label"] if "label" in frame.columns else frame["criterion"]
    labels = [str(label) or str(c) for c, label in zip(frame["criterion"], names)]
    alphas = pd.to_numeric(frame["alpha"], errors="coerce").to_numpy(dtype="float64")
    positions = np.arange(len(frame))[::-1]
    overall = (frame["criterion"] == "overall").to_numpy()
    ax.barh(positions, np.nan_to_num(alphas, nan=0.0), color=np.where(overall, "0.3", "0.7").tolist(),
            hatch=None, edgecolor="0.2", linewidth=0.6)
    for patch, is_overall in zip(ax.patches, overall):
        if is_overall:
            patch.set_hatch("///")
    low = min(0.0, float(np.nanmin(alphas)) - 0.05) if np.isfinite(alphas).any() else 0.0
    ax.set_xlim(low, 1.08)
    for pos, alpha in zip(positions, alphas):
        text = "undefined" if np.isnan(alpha) else f"{alpha:.2f}"
        ax.text((max(alpha, 0.0) if not np.isnan(alpha) else 0.0) + 0.01, pos, text, va="center", fontsize=8)
    ax.axvline(0.667, color="0.35", linestyle=":", linewidth=1, label="0.667: tentative conclusions")
    ax.axvline(0.8, color="0.35", linestyle="--", linewidth=1, label="0.800: reliable")
    ax.axvline(0.0, color="0.2", linewidth=0.6)
    ax.set_yticks(positions, [_wrap(label, 30, 2) for label in labels])
    ax.set_xlabel("Krippendorff's alpha (1 = full agreement, 0 = chance)")
    ax.set_title("Agreement between raters, per criterion")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    return ax


# --------------------------------------------------------------------------- competing hypotheses


def plot_ach_heatmap(matrix: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """The matrix as a heatmap: items down, hypotheses across, each rating printed in its cell.

    Inconsistent ratings are gray (II darkest), consistent ones blue (CC
    darkest), N white; NA and unrated cells are blank and hatched.  The rating
    is always written in the cell, so the chart reads in grayscale.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> m = pd.DataFrame({"a": ["C", "II"], "b": ["NA", "N"]}, index=pd.Index(["t1", "t2"], name="testimony_id"))
    >>> ax = plot_ach_heatmap(m)
    >>> [t.get_text() for t in ax.texts]
    ['C', 'NA', 'II', 'N']
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Rectangle

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(4.5 + 1.1 * max(matrix.shape[1], 1), 1.6 + 0.42 * max(len(matrix), 1)),
                             layout="constrained")
    colours = ["#333333", "#8c8c8c", "#ffffff", "#c6dbef", "#2b6ca3"]  # II, I, N, C, CC
    cmap = ListedColormap(colours)
    norm = BoundaryNorm([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], cmap.N)
    values = matrix.apply(lambda col: col.map(lambda r: CELL_VALUES.get(r, np.nan))).to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), rating in np.ndenumerate(matrix.to_numpy(dtype=str)):
        if np.isnan(values[i, j]):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white", edgecolor="0.75", hatch="..",
                                   linewidth=0))
        dark = values[i, j] in (-2.0, 2.0)
        ax.text(j, i, rating or "–", ha="center", va="center", fontsize=10, fontweight="bold",
                color="white" if dark else "black")
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(matrix)), [str(i) for i in matrix.index])
    ax.set_xticks(np.arange(-0.5, matrix.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, len(matrix)), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("Hypothesis")
    ax.set_ylabel("Evidence (testimony)")
    claim = matrix.attrs.get("claim_id")
    ax.set_title(title or ("Competing hypotheses" + (f" on '{claim}'" if claim else "")))
    colorbar = ax.figure.colorbar(image, ax=ax, ticks=[-2, -1, 0, 1, 2], fraction=0.05, pad=0.04)
    colorbar.ax.set_yticklabels(["II very inconsistent", "I inconsistent", "N neutral", "C consistent",
                                 "CC very consistent"])
    colorbar.set_label("dotted cell: NA or not rated", fontsize="small")
    return ax


# --------------------------------------------------------------------------- timelines


def plot_timeline(frame: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Draw a :func:`timeline` frame: events as ranges, testimonies as the dates they were given.

    One line per row, labelled with the testimony on the left and the claim on
    the right (where the claim changes; a thin line separates the claims).  An
    event is a hatched bar from its earliest to its latest day (a diamond when
    it is a single day); the date a testimony was given is a black circle (a
    bar when uncertain); a dotted line spans the shortest possible gap between
    them.  Readable in grayscale.  To look closer, ``ax.set_xlim(...)`` with
    two dates.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from workbook import load_case, timeline
    >>> from workbook.case.loading import DEFAULT_RUBRIC_PATH
    >>> ax = plot_timeline(timeline(load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")))
    >>> ax.get_title()
    'Events and when testimony about them was given'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    own_figure = ax is None
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(10, 2.2 + 0.38 * max(len(frame), 1)), layout="constrained")
    labels, claim_ticks, claim_labels = [], [], []
    for y, (_, row) in enumerate(frame.iterrows()):
        labels.append(str(row["testimony_id"]))
        if not claim_labels or claim_labels[-1] != row["claim_id"]:
            if claim_labels:
                ax.axhline(y - 0.5, color="0.6", linewidth=0.6)
            claim_ticks.append(y)
            claim_labels.append(str(row["claim_id"]))
        e0, e1 = row["event_earliest"], row["event_latest"]
        g0, g1 = row["given_earliest"], row["given_latest"]
        if pd.notna(e0) and pd.notna(e1) and e0 == e1:
            ax.plot([e0], [y], marker="D", color="0.35", markersize=7, linestyle="none", zorder=3)
        elif pd.notna(e0) or pd.notna(e1):
            lo = e0 if pd.notna(e0) else e1
            hi = (e1 if pd.notna(e1) else e0) + pd.Timedelta(days=1)
            ax.barh(y, mdates.date2num(hi) - mdates.date2num(lo), left=mdates.date2num(lo), height=0.45,
                    color="0.8", edgecolor="0.2", hatch="///", zorder=2)
        if pd.notna(g0) and pd.notna(g1) and g0 != g1:
            ax.barh(y, mdates.date2num(g1 + pd.Timedelta(days=1)) - mdates.date2num(g0),
                    left=mdates.date2num(g0), height=0.25, color="0.1", zorder=2)
        elif pd.notna(g0) or pd.notna(g1):
            ax.plot([g0 if pd.notna(g0) else g1], [y], marker="o", color="black", markersize=6,
                    linestyle="none", zorder=3)
        start = e1 if pd.notna(e1) else e0
        end = g0 if pd.notna(g0) else g1
        if pd.notna(start) and pd.notna(end):
            ax.plot([start, end], [y, y], linestyle=":", color="0.3", linewidth=1, zorder=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
    if not len(frame):
        ax.text(0.5, 0.5, "no testimony about a dated event", transform=ax.transAxes, ha="center", va="center")
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator())
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_xlabel("Date")
    ax.set_ylabel("Testimony")
    claims_axis = ax.secondary_yaxis("right")
    claims_axis.set_yticks(claim_ticks, claim_labels, fontsize="small", fontstyle="italic")
    claims_axis.set_ylabel("Claim (from this row down)")
    ax.set_title(title or "Events and when testimony about them was given")
    handles = [
        Patch(facecolor="0.8", edgecolor="0.2", hatch="///", label="event: range of possible days"),
        Line2D([], [], marker="D", color="0.35", linestyle="none", label="event: a single day"),
        Line2D([], [], marker="o", color="black", linestyle="none", label="testimony given"),
        Patch(facecolor="0.1", label="testimony given: range"),
        Line2D([], [], linestyle=":", color="0.3", label="shortest possible gap"),
    ]
    if own_figure:  # below the plot, where it hides nothing
        ax.figure.legend(handles=handles, loc="outside lower center", ncol=3, fontsize="small", frameon=False)
    else:
        ax.legend(handles=handles, loc="best", fontsize="small")
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    return ax
