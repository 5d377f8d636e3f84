"""Competing hypotheses: Heuer's Analysis of Competing Hypotheses (ACH).

Richards J. Heuer, *Psychology of Intelligence Analysis* (CIA Center for the
Study of Intelligence, 1999), chapter 8, sets the evidence against *every*
reasonable hypothesis at once, in a matrix, and asks which hypothesis the
evidence contradicts least, instead of which one it seems to confirm.  Evidence
consistent with every hypothesis tells nothing about which is true; the work is
done by the inconsistencies.

Ratings (each cell: how an item of evidence bears on a hypothesis):

====  =====================================  =======================
CC    very consistent                        counted, never added
C     consistent                             counted, never added
N     neutral                                0
I     inconsistent                           1
II    very inconsistent                      2
NA    not applicable                         0
====  =====================================  =======================

The *inconsistency score* of a hypothesis is the sum of its I and II points,
each multiplied by the item's credibility (0 to 1) when credibilities are
given.  The least inconsistent hypothesis is the one to take most seriously;
:func:`sensitivity` checks whether that conclusion hangs on one item, or on one
group of dependent testimonies.

>>> import pandas as pd
>>> m = pd.DataFrame({"h-real": ["C", "I", "II"], "h-staged": ["C", "C", "N"]},
...                  index=pd.Index(["t1", "t2", "t3"], name="testimony_id"))
>>> ach_scores(m)
  hypothesis_id  inconsistency  I  II  consistent  rated  rank
0      h-staged            0.0  0   0           2      3     1
1        h-real            3.0  1   1           1      3     2

Ratings are the user's work: :func:`ach_store` saves them per rater in
``<ach_dir>/<rater>.csv`` (the columns ``rater``, ``hypothesis_id``,
``testimony_id``, ``rating``, ``updated_at``), atomically with an undoable
history; :class:`AchPanel` is the widget for entering them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .contract import ACH_COLUMNS, ACH_RATINGS
from .store import RatingStore, utc_now

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .cases import Case

__all__ = ["ACH_POINTS", "ach_matrix", "ach_scores", "diagnosticity", "sensitivity", "ach_store", "load_ach",
           "AchPanel", "plot_ach_heatmap"]

#: Inconsistency points of each rating (consistency never adds).
ACH_POINTS = {"CC": 0, "C": 0, "N": 0, "I": 1, "II": 2, "NA": 0, "": 0}
_CONSISTENT = ("CC", "C")
_CELL_VALUES = {"II": -2.0, "I": -1.0, "N": 0.0, "C": 1.0, "CC": 2.0}  # for the heatmap; NA and "" are blank


# --------------------------------------------------------------------------- the matrix


def _hypotheses_for(case: Case, claim_id: str | None) -> tuple[str, pd.DataFrame]:
    hyp = case.hypotheses
    claims = list(dict.fromkeys(hyp["claim_id"]))
    if claim_id is None:
        if len(claims) != 1:
            raise ValueError(f"the case has hypotheses on {len(claims)} claims ({', '.join(claims) or 'none'}); "
                             "say which with claim_id=...")
        claim_id = claims[0]
    chosen = hyp[hyp["claim_id"] == claim_id]
    if chosen.empty:
        raise ValueError(f"no hypotheses on claim {claim_id!r} in hypotheses.csv "
                         f"(claims with hypotheses: {', '.join(claims) or 'none'})")
    return claim_id, chosen


def _items_for(case: Case, claim_id: str) -> list[str]:
    ev = case.evidence
    return list(dict.fromkeys(ev.loc[ev["claim_id"] == claim_id, "testimony_id"]))


def ach_matrix(case: Case, ratings: pd.DataFrame | None = None, *, claim_id: str | None = None,
               rater: str | None = None) -> pd.DataFrame:
    """The evidence × hypotheses matrix of one claim, filled with one rater's ratings.

    Rows are the testimonies linked to the claim in ``evidence.csv`` (in that
    file's order; a rated testimony not linked to the claim is added at the
    end, so no rating is hidden); columns are the claim's hypotheses (in
    ``hypotheses.csv`` order); cells are ratings, ``""`` where not rated.
    ``ratings`` has the columns of :func:`load_ach` (or of a store's
    ``frame()``); ``claim_id`` may be left out when the case's hypotheses are
    all on one claim, and ``rater`` when the ratings are all by one rater.

    >>> from workbook import load_case
    >>> from workbook.cases import DEFAULT_RUBRIC_PATH
    >>> case = load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")
    >>> ratings = pd.DataFrame({"rater": ["ana"] * 2, "hypothesis_id": ["h-miller", "h-accident"],
    ...                         "testimony_id": ["t-miller-letter", "t-neighbour-court"], "rating": ["C", "I"]})
    >>> ach_matrix(case, ratings)  # doctest: +NORMALIZE_WHITESPACE
    hypothesis_id     h-miller h-accident
    testimony_id
    t-neighbour-court                   I
    t-miller-court
    t-miller-letter          C
    t-history
    """
    claim_id, hyp = _hypotheses_for(case, claim_id)
    hyp_ids = list(hyp["hypothesis_id"])
    items = _items_for(case, claim_id)
    if ratings is None:
        ratings = pd.DataFrame(columns=list(ACH_COLUMNS), dtype="str")
    ratings = ratings[ratings["hypothesis_id"].isin(hyp_ids)]
    raters = sorted(set(ratings["rater"])) if "rater" in ratings.columns else []
    if rater is not None:
        ratings = ratings[ratings["rater"] == rater]
    elif len(raters) > 1:
        raise ValueError(f"these ratings are by {len(raters)} raters ({', '.join(raters)}); "
                         "choose one with rater=...")
    extra = sorted(set(ratings["testimony_id"]) - set(items))
    matrix = pd.DataFrame("", index=pd.Index(items + extra, name="testimony_id"),
                          columns=pd.Index(hyp_ids, name="hypothesis_id"), dtype="str")
    for h, t, r in ratings[["hypothesis_id", "testimony_id", "rating"]].itertuples(index=False):
        matrix.loc[t, h] = "" if pd.isna(r) else str(r)
    matrix.attrs["claim_id"] = claim_id
    return matrix


def _check_ratings(matrix: pd.DataFrame) -> None:
    values = {str(v) for v in np.unique(matrix.to_numpy(dtype=str))} if matrix.size else set()
    odd = sorted(values - set(ACH_POINTS))
    if odd:
        warnings.warn(f"ratings {', '.join(map(repr, odd))} are not among {', '.join(ACH_RATINGS)}; "
                      "they count as 0 (not rated)", UserWarning, stacklevel=3)


def _weights(matrix: pd.DataFrame, credibility: pd.Series | pd.DataFrame | None) -> pd.Series:
    """One weight per item: its credibility (0 to 1), or 1 where none is given."""
    items = matrix.index
    if credibility is None:
        return pd.Series(1.0, index=items)
    if isinstance(credibility, pd.DataFrame):
        if not {"testimony_id", "credibility"} <= set(credibility.columns):
            raise ValueError("a credibility frame needs the columns testimony_id and credibility "
                             "(as workbook.credibility returns)")
        credibility = credibility.groupby("testimony_id")["credibility"].mean()  # the mean over raters
    weights = pd.to_numeric(credibility, errors="coerce").reindex(items)
    bad = weights[(weights < 0) | (weights > 1)]
    if len(bad):
        raise ValueError(f"credibility must lie between 0 and 1; got {bad.to_dict()}")
    missing = [str(i) for i in items[weights.isna()]]
    if missing:
        warnings.warn(f"no credibility for {', '.join(missing)}; weighted 1 (as if fully credible)",
                      UserWarning, stacklevel=3)
    return weights.fillna(1.0).astype(float)


def _points(matrix: pd.DataFrame) -> pd.DataFrame:
    return matrix.apply(lambda col: col.map(lambda r: ACH_POINTS.get(r, 0))).astype(float)


def ach_scores(matrix: pd.DataFrame, credibility: pd.Series | pd.DataFrame | None = None) -> pd.DataFrame:
    """Inconsistency score of each hypothesis, least inconsistent first.

    ``inconsistency`` is the sum over items of I = 1 and II = 2, each times
    the item's weight.  Without ``credibility`` every weight is 1.  With it
    (a Series testimony_id → 0..1, or the frame of ``workbook.credibility``
    with one row per rater, whose mean per testimony is used), an item
    without a credibility is weighted 1, with a warning: an unscored
    testimony is not discounted, so score every item before reading weighted
    results.  ``I``, ``II`` and ``consistent`` (CC and C) count cells;
    consistency is shown but never subtracted (Heuer: evidence consistent
    with a hypothesis does not prove it, since it may fit others as well).
    ``rated`` counts cells with any rating but NA.  ``rank`` 1 is the least
    inconsistent; equal scores share a rank.  Ties are kept in matrix order.

    >>> m = pd.DataFrame({"a": ["I", "II"], "b": ["C", "I"]}, index=pd.Index(["t1", "t2"], name="testimony_id"))
    >>> ach_scores(m, credibility=pd.Series({"t1": 0.5, "t2": 0.25}))
      hypothesis_id  inconsistency  I  II  consistent  rated  rank
    0             b           0.25  1   0           1      2     1
    1             a           1.00  1   1           0      2     2
    """
    _check_ratings(matrix)
    weights = _weights(matrix, credibility)
    points = _points(matrix)
    score = points.mul(weights, axis=0).sum(axis=0)
    frame = pd.DataFrame({
        "hypothesis_id": list(matrix.columns),
        "inconsistency": score.to_numpy(dtype=float).round(10),
        "I": (matrix == "I").sum(axis=0).to_numpy(dtype=int),
        "II": (matrix == "II").sum(axis=0).to_numpy(dtype=int),
        "consistent": matrix.isin(_CONSISTENT).sum(axis=0).to_numpy(dtype=int),
        "rated": matrix.isin([r for r in ACH_RATINGS if r != "NA"]).sum(axis=0).to_numpy(dtype=int),
    })
    frame["rank"] = frame["inconsistency"].rank(method="min").astype(int)
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)


def _least(matrix: pd.DataFrame, weights: pd.Series) -> list[str]:
    if matrix.shape[1] == 0 or matrix.shape[0] == 0:  # no evidence left: no conclusion
        return []
    score = _points(matrix).mul(weights, axis=0).sum(axis=0).round(10)
    return [h for h in matrix.columns if score[h] == score.min()]


def diagnosticity(matrix: pd.DataFrame) -> pd.DataFrame:
    """How much each item helps to tell the hypotheses apart.

    ``spread`` is the largest minus the smallest number of inconsistency points
    the item gives across the hypotheses (I = 1, II = 2, others 0): 0 means the
    item counts the same against every hypothesis and cannot change which is
    least inconsistent (Heuer's "no diagnostic value"), 2 is the most an item
    can do.  An item rated C for one hypothesis and N for another has spread 0:
    consistency never adds, so it does not discriminate in the score.
    ``ratings`` repeats the row, ``diagnostic`` is ``spread > 0``.  In matrix
    order.

    >>> m = pd.DataFrame({"a": ["C", "II"], "b": ["C", "N"]}, index=pd.Index(["t1", "t2"], name="testimony_id"))
    >>> diagnosticity(m)
      testimony_id ratings  spread  diagnostic
    0           t1     C C       0       False
    1           t2    II N       2        True
    """
    _check_ratings(matrix)
    points = _points(matrix)
    spread = (points.max(axis=1) - points.min(axis=1)) if matrix.shape[1] else pd.Series(0.0, index=matrix.index)
    return pd.DataFrame({
        "testimony_id": list(matrix.index),
        "ratings": [" ".join(r or "-" for r in row) for row in matrix.to_numpy(dtype=str)],
        "spread": spread.to_numpy(dtype=float).astype(int),
        "diagnostic": (spread > 0).to_numpy(dtype=bool),
    })


def sensitivity(matrix: pd.DataFrame, groups: pd.Series | None = None,
                credibility: pd.Series | pd.DataFrame | None = None, *, case: Case | None = None) -> pd.DataFrame:
    """Does the conclusion hang on one item, or on one group of dependent testimonies?

    The first row is the ``baseline``: the least inconsistent hypotheses with
    every item (a tie gives several, ``;``-joined in matrix order).  Then each
    item is dropped in turn (``kind`` ``item``), then each dependence group of
    two or more items (``kind`` ``group``; a one-item group is the same as
    dropping that item), and the scores recomputed.  ``changes`` is True when
    the set of least inconsistent hypotheses differs from the baseline's;
    when a drop leaves no evidence at all (a group holding every item), the
    conclusion is empty and ``changes`` is True: it rested on that one group.
    ``groups`` maps testimony ids to group labels, as
    ``workbook.dependence_groups`` returns; with ``case`` and no ``groups``, it
    is computed from the case among the matrix's items.  ``credibility``
    weights the scores as in :func:`ach_scores`.

    >>> m = pd.DataFrame({"a": ["I", "C", "C"], "b": ["C", "I", "I"]},
    ...                  index=pd.Index(["t1", "t2", "t3"], name="testimony_id"))
    >>> sensitivity(m, groups=pd.Series({"t1": "g1", "t2": "g2", "t3": "g2"}))
      dropped      kind  items least_inconsistent  changes
    0          baseline                         a    False
    1      t1      item     t1                  a    False
    2      t2      item     t2                a;b     True
    3      t3      item     t3                a;b     True
    4      g2     group  t2;t3                  b     True
    """
    _check_ratings(matrix)
    if groups is None and case is not None:
        from .custody import dependence_groups  # imported lazily: custody is a sibling module

        known = set(case.testimonies["testimony_id"])
        groups = dependence_groups(case, testimonies=[t for t in matrix.index if t in known])
    weights = _weights(matrix, credibility)
    base = _least(matrix, weights)
    rows = [{"dropped": "", "kind": "baseline", "items": "", "least_inconsistent": ";".join(base),
             "changes": False}]

    def drop(label: str, kind: str, items: list[str]) -> None:
        keep = ~matrix.index.isin(items)
        after = _least(matrix[keep], weights[keep])
        rows.append({"dropped": label, "kind": kind, "items": ";".join(items),
                     "least_inconsistent": ";".join(after), "changes": set(after) != set(base)})

    for item in matrix.index:
        drop(str(item), "item", [str(item)])
    if groups is not None:
        groups = groups.reindex(matrix.index).dropna()
        labels = sorted(set(groups.astype(str)))
        for label in labels:
            items = [str(i) for i in groups.index[groups.astype(str) == label]]
            if len(items) >= 2:
                drop(label, "group", items)
    frame = pd.DataFrame(rows, columns=["dropped", "kind", "items", "least_inconsistent", "changes"])
    return frame.astype({"dropped": "str", "kind": "str", "items": "str", "least_inconsistent": "str",
                         "changes": bool})


# --------------------------------------------------------------------------- saving ratings


def ach_store(ach_dir: str | Path, rater: str, *, clock: Callable[[], str] = utc_now) -> RatingStore:
    """The ratings of one rater, saved in ``<ach_dir>/<rater>.csv`` on every change.

    The file has exactly the contract's columns ``rater``, ``hypothesis_id``,
    ``testimony_id``, ``rating``, ``updated_at``; the store writes it
    atomically and keeps an undoable history beside it (see
    :class:`workbook.store.RatingStore`).  Keys are ``(hypothesis_id,
    testimony_id)``.

    >>> import tempfile
    >>> store = ach_store(tempfile.mkdtemp(), "ana", clock=lambda: "2026-01-01T00:00:00Z")
    >>> store.set(("h-staged", "t1"), rating="II")
    >>> print(store.path.read_text(), end="")
    rater,hypothesis_id,testimony_id,rating,updated_at
    ana,h-staged,t1,II,2026-01-01T00:00:00Z
    """
    store = RatingStore(ach_dir, rater, keys=("hypothesis_id", "testimony_id"), values=("rating",), clock=clock)
    if store.columns[: len(ACH_COLUMNS)] != ACH_COLUMNS:  # pragma: no cover - a change in RatingStore
        raise RuntimeError(f"the ratings store writes {store.columns}, not the contract's {ACH_COLUMNS}")
    return store


def load_ach(ach_dir: str | Path, case: Case | None = None) -> pd.DataFrame:
    """Every rater's ratings from ``<ach_dir>/*.csv``, sorted by rater, hypothesis and testimony.

    Nothing is dropped: a rating outside CC, C, N, I, II, NA, an id the
    ``case`` does not know, or a file whose ``rater`` column disagrees with its
    name is kept and named in a warning.  A missing folder gives an empty frame.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> ach_store(folder, "ana", clock=lambda: "2026-01-01T00:00:00Z").set(("h1", "t1"), rating="C")
    >>> ach_store(folder, "ben", clock=lambda: "2026-01-02T00:00:00Z").set(("h1", "t1"), rating="II")
    >>> load_ach(folder)
      rater hypothesis_id testimony_id rating            updated_at
    0   ana            h1           t1      C  2026-01-01T00:00:00Z
    1   ben            h1           t1     II  2026-01-02T00:00:00Z
    """
    from .store import RaterNameError, check_rater

    folder = Path(ach_dir)
    frames = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.csv")):
            try:
                rater = check_rater(path.stem)
            except RaterNameError:
                warnings.warn(f"{path.name}: not read, its name is not a rater name", UserWarning, stacklevel=2)
                continue
            frame = ach_store(folder, rater).frame()
            frames.append(frame)
            on_disk = pd.read_csv(path, dtype="str", keep_default_na=False)
            if "rater" in on_disk.columns and set(on_disk["rater"]) - {rater}:
                warnings.warn(f"{path.name}: the rater column says {sorted(set(on_disk['rater']) - {rater})}; "
                              f"read as rater {rater!r} (the file's name)", UserWarning, stacklevel=2)
    ratings = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=list(ACH_COLUMNS), dtype="str"))
    ratings = ratings.sort_values(["rater", "hypothesis_id", "testimony_id"], kind="stable").reset_index(drop=True)
    odd = ratings[~ratings["rating"].isin([*ACH_RATINGS, ""])]
    for row in odd.itertuples(index=False):
        warnings.warn(f"ach/{row.rater}.csv: rating {row.rating!r} for {row.hypothesis_id} × {row.testimony_id} "
                      f"is not one of {', '.join(ACH_RATINGS)}", UserWarning, stacklevel=2)
    if case is not None:
        for column, known in (("hypothesis_id", set(case.hypotheses["hypothesis_id"])),
                              ("testimony_id", set(case.testimonies["testimony_id"]))):
            unknown = sorted(set(ratings[column]) - known)
            if unknown:
                warnings.warn(f"{column} {', '.join(map(repr, unknown))} in the ratings is not in the case "
                              f"'{case.name}'; kept", UserWarning, stacklevel=2)
    return ratings


# --------------------------------------------------------------------------- the chart


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
    values = matrix.apply(lambda col: col.map(lambda r: _CELL_VALUES.get(r, np.nan))).to_numpy(dtype=float)
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


# --------------------------------------------------------------------------- the widget


def _short(text: str, n: int = 48) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class AchPanel:
    """The competing-hypotheses matrix as a grid of drop-downs, saved on every change.

    One row per item of evidence on ``claim_id`` (the testimony id, speaker and
    the start of the quote), one column per hypothesis; each drop-down offers
    CC, C, N, I, II, NA (or nothing).  A change is saved at once to
    ``<ach_dir>/<rater>.csv`` through :func:`ach_store` (atomic, with history);
    *Undo* takes back the last change.  The scores below the grid follow each
    change.  A rating already in the file that is not in the list is shown as
    it is and left untouched until changed.

    >>> import tempfile
    >>> from workbook import load_case
    >>> from workbook.cases import DEFAULT_RUBRIC_PATH
    >>> case = load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")
    >>> panel = AchPanel(case, "fire", "demo", tempfile.mkdtemp())
    >>> panel
    AchPanel(claim='fire', rater='demo', items=4, hypotheses=2)
    >>> panel.dropdown("t-neighbour-court", "h-accident").value = "II"
    >>> panel.matrix().loc["t-neighbour-court", "h-accident"]
    'II'
    >>> print(panel.scores_label.value)
    Least inconsistent: h-miller (0). Inconsistency: h-miller 0, h-accident 2.
    """

    OPTIONS = ("", *ACH_RATINGS)

    def __init__(self, case: Case, claim_id: str, rater: str, ach_dir: str | Path,
                 credibility: pd.Series | pd.DataFrame | None = None):
        import ipywidgets as widgets  # imported lazily: analysis code never needs it

        self.case = case
        self.claim_id, hyp = _hypotheses_for(case, claim_id)
        self.rater = rater
        self.store = ach_store(ach_dir, rater)
        self.credibility = credibility
        self.hypotheses = list(hyp["hypothesis_id"])
        statements = dict(zip(hyp["hypothesis_id"], hyp["statement"]))
        self.items = list(self.matrix().index)
        testimonies = case.testimonies.set_index("testimony_id")
        self._dropdowns: dict[tuple[str, str], widgets.Dropdown] = {}
        self._quiet = False
        self.output = widgets.Output()
        cells: list[widgets.Widget] = [widgets.Label("Evidence \\ hypothesis")]
        for h in self.hypotheses:
            cells.append(widgets.Label(h, tooltip=statements.get(h, ""),
                                       layout=widgets.Layout(justify_content="center")))
        for t in self.items:
            if t in testimonies.index:
                row = testimonies.loc[t]
                who = row["speaker_id"] or "speaker unknown"
                text = f"{t} · {who} · “{_short(row['quote'])}”"
                tooltip = str(row["quote"])
            else:
                text, tooltip = f"{t} · not in this case", ""
            cells.append(widgets.Label(text, tooltip=tooltip, layout=widgets.Layout(overflow="hidden")))
            for h in self.hypotheses:
                current = (self.store.get((h, t)) or {}).get("rating", "")
                options = list(self.OPTIONS) + ([current] if current not in self.OPTIONS else [])
                dd = widgets.Dropdown(options=options, value=current, layout=widgets.Layout(width="auto"),
                                      description="", tooltip=f"{t} × {h}")
                dd.observe(self._saver(h, t), names="value")
                self._dropdowns[(h, t)] = dd
                cells.append(dd)
        # a wide first column: the evidence label (id, speaker, start of the quote; the whole quote on hover)
        columns = "minmax(32em, 3fr) " + " ".join(["minmax(5em, 1fr)"] * len(self.hypotheses))
        self.grid = widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns=columns,
                                                                 grid_gap="2px 6px"))
        self.scores_label = widgets.Label()
        self.status = widgets.Label(f"Ratings of {rater} are saved in {self.store.path}")
        self.undo_button = widgets.Button(description="Undo", tooltip="Take back the last change",
                                          icon="undo")
        self.undo_button.on_click(self._undo)
        legend = widgets.Label("CC very consistent · C consistent · N neutral · I inconsistent (1 point) · "
                               "II very inconsistent (2 points) · NA not applicable")
        self.widget = widgets.VBox([legend, self.grid, self.scores_label,
                                    widgets.HBox([self.undo_button, self.status]), self.output])
        self._refresh_scores()

    # -- pure views of the state
    def matrix(self) -> pd.DataFrame:
        """The current matrix of this rater's ratings (see :func:`ach_matrix`)."""
        return ach_matrix(self.case, self.store.frame(), claim_id=self.claim_id, rater=self.rater)

    def dropdown(self, testimony_id: str, hypothesis_id: str):
        """The drop-down of one cell."""
        return self._dropdowns[(hypothesis_id, testimony_id)]

    # -- callbacks
    def _saver(self, hypothesis_id: str, testimony_id: str):
        def save(change) -> None:
            if self._quiet:
                return
            with self.output:  # a failure is shown in the panel, and in the status line
                try:
                    self.store.set((hypothesis_id, testimony_id), rating=change["new"])
                except Exception as exc:
                    self.status.value = f"NOT SAVED: {testimony_id} × {hypothesis_id} ({exc})"
                    raise
                self.status.value = f"Saved {testimony_id} × {hypothesis_id} = {change['new'] or 'nothing'}"
                self._refresh_scores()
        return save

    def _undo(self, _button=None) -> None:
        with self.output:
            if not self.store.undo():
                self.status.value = "Nothing to undo"
                return
            self._quiet = True
            try:
                for (h, t), dd in self._dropdowns.items():
                    value = (self.store.get((h, t)) or {}).get("rating", "")
                    if value not in dd.options:
                        dd.options = [*dd.options, value]
                    dd.value = value
            finally:
                self._quiet = False
            self.status.value = "Undone"
            self._refresh_scores()

    def _refresh_scores(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = ach_scores(self.matrix(), self.credibility)
        if scores.empty:
            self.scores_label.value = "No hypotheses."
            return

        def fmt(x: float) -> str:
            return f"{x:g}"

        least = scores.loc[scores["rank"] == 1, "hypothesis_id"]
        best = fmt(scores["inconsistency"].min())
        by_h = dict(zip(scores["hypothesis_id"], scores["inconsistency"]))
        parts = ", ".join(f"{h} {fmt(by_h[h])}" for h in self.hypotheses)
        self.scores_label.value = f"Least inconsistent: {', '.join(least)} ({best}). Inconsistency: {parts}."

    # -- display
    def __repr__(self) -> str:
        return (f"AchPanel(claim={self.claim_id!r}, rater={self.rater!r}, items={len(self.items)}, "
                f"hypotheses={len(self.hypotheses)})")

    def _repr_mimebundle_(self, **kwargs):
        bundle = None
        method = getattr(self.widget, "_repr_mimebundle_", None)
        if callable(method):
            bundle = method(**kwargs)
        bundle = dict(bundle or {})
        bundle["text/plain"] = repr(self)
        return bundle
