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

Ratings are the user's work: :func:`workbook.case.scores.ach_store` saves them per rater in
``<ach_dir>/<rater>.csv`` (the columns ``rater``, ``hypothesis_id``,
``testimony_id``, ``rating``, ``updated_at``), atomically with an undoable
history; :class:`workbook.views.ach_panel.AchPanel` is the widget for entering them.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..case.contract import ACH_COLUMNS, ACH_RATINGS
from .custody import dependence_groups, is_assessment

if TYPE_CHECKING:  # pragma: no cover
    from ..case.model import Case

__all__ = ["ACH_POINTS", "CELL_VALUES", "ach_evidence", "ach_matrix", "ach_scores", "diagnosticity", "sensitivity"]

#: Inconsistency points of each rating (consistency never adds).
ACH_POINTS = {"CC": 0, "C": 0, "N": 0, "I": 1, "II": 2, "NA": 0, "": 0}
_CONSISTENT = ("CC", "C")
CELL_VALUES = {"II": -2.0, "I": -1.0, "N": 0.0, "C": 1.0, "CC": 2.0}  # for the heatmap; NA and "" are blank


# --------------------------------------------------------------------------- the matrix


def hypotheses_for(case: Case, claim_id: str | None) -> tuple[str, pd.DataFrame]:
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


def ach_evidence(case: Case, claim_id: str | None = None) -> pd.DataFrame:
    """The items of a claim's matrix, in its row order, each said to be testimony or an assessment.

    Columns ``testimony_id``, ``speaker_id``, ``kind`` (``testimony``, or
    ``assessment`` for a scholar's, a commission's or a court's judgement: see
    :func:`workbook.is_assessment`; an assessment is evidence *about the
    evidence*, and a reader rates it knowing that) and ``quote_kind``.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> ach_evidence(case)[["testimony_id", "kind", "quote_kind"]].values.tolist()[-2:]
    [['t-miller-letter', 'testimony', 'verbatim'], ['t-history', 'testimony', 'paraphrase']]
    """
    claim_id, _ = hypotheses_for(case, claim_id)
    items = _items_for(case, claim_id)
    t = case.testimonies.set_index("testimony_id")
    judged = is_assessment(case)
    known = [i for i in items if i in t.index]
    quote_kind = t.loc[known, "quote_kind"] if "quote_kind" in t.columns else pd.Series("", index=known)
    return pd.DataFrame({
        "testimony_id": pd.Series(known, dtype="str"),
        "speaker_id": pd.Series(t.loc[known, "speaker_id"].to_numpy(dtype=object), dtype="str"),
        "kind": pd.Series(["assessment" if judged[i] else "testimony" for i in known], dtype="str"),
        "quote_kind": pd.Series([q or "verbatim" for q in quote_kind.to_numpy(dtype=object)], dtype="str"),
    })


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
    >>> from workbook.case.loading import DEFAULT_RUBRIC_PATH
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
    claim_id, hyp = hypotheses_for(case, claim_id)
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
