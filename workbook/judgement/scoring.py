"""Credibility and agreement between raters, computed from scores frames.

:func:`credibility` turns each rater's scores into one number per testimony
(0 worst, 1 best) by the rubric; :func:`agreement` is Krippendorff's alpha per
criterion; :func:`disagreements` lists the testimonies raters disagree on most.
Reading scores files and rubrics is the case layer's work
(:mod:`workbook.case.scores`, :mod:`workbook.case.rubric`).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..case.contract import SCORE_COLUMNS
from ..case.rubric import LEVELS, Criterion, ScoresWarning, as_number, as_numbers, by_criterion, rubric_criteria, listed, load_rubric

__all__ = ["credibility", "credibility_of", "agreement", "disagreements"]


def _known_values(scores: pd.DataFrame, criteria: dict[str, Criterion] | None,
                  *, what: str) -> pd.DataFrame:
    """``rater, testimony_id, criterion, value`` (float) for the known values, last row of a repeated key kept.

    With ``criteria``, values that are not levels of their criterion are dropped
    with a :class:`ScoresWarning`, and unknown levels are dropped silently (they
    mean "cannot be judged").
    """
    missing = [c for c in ("rater", "testimony_id", "criterion", "value") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores need the columns {', '.join(SCORE_COLUMNS[:4])}; missing: {', '.join(missing)}")
    frame = pd.DataFrame({
        "rater": scores["rater"].astype("str").to_numpy(),
        "testimony_id": scores["testimony_id"].astype("str").to_numpy(),
        "criterion": scores["criterion"].astype("str").to_numpy(),
        "value": as_numbers(scores["value"]),
    })
    frame = frame.drop_duplicates(["rater", "testimony_id", "criterion"], keep="last")
    frame = frame[frame["value"].notna()]
    if criteria is not None and len(frame):
        crit = frame["criterion"]
        lo = by_criterion(crit, criteria, lambda c: c.lo)
        hi = by_criterion(crit, criteria, lambda c: c.hi)
        value = frame["value"]
        in_rubric = ~np.isnan(lo)
        in_range = (value.to_numpy() >= lo) & (value.to_numpy() <= hi)
        unknown_level = np.zeros(len(frame), dtype=bool)
        for name, c in criteria.items():
            if c.unknown:
                unknown_level |= ((crit == name) & value.isin(list(c.unknown))).to_numpy()
        out_of_range = in_rubric & ~in_range
        if out_of_range.any():
            bad = [f"{rater}/{tid}/{name}={int(v)} (allowed {criteria[name].lo} to {criteria[name].hi})"
                   for rater, tid, name, v in frame[out_of_range].itertuples(index=False)]
            warnings.warn(f"{what}: {len(bad)} value(s) outside the rubric's range are left out: "
                          f"{listed(bad)}", ScoresWarning, stacklevel=3)
        frame = frame[in_rubric & in_range & ~unknown_level]
    return frame.reset_index(drop=True)



# --------------------------------------------------------------------------- credibility


def credibility(scores: pd.DataFrame, rubric: Any = "default") -> pd.DataFrame:
    """The credibility of each testimony for each rater, from 0 (worst) to 1 (best).

    For one rater and one testimony, each criterion the rater *knows* (a value,
    not empty and not an ``unknown_levels`` level) is put on a 0-1 scale,
    ``(value - min) / (max - min)`` (reversed for ``lower_is_better``
    criteria, and over the levels that are not unknown levels), and the
    credibility is the mean of these, weighted by the rubric's ``weight``
    (empty weight = 1).  Unknown criteria are left out, not counted as 0: the
    credibility says how good the testimony looks on what is known, and
    ``known_share`` says how much that is — ``known / total``, the share of the
    rubric's criteria (counted, not weighted) that have a known value.
    ``credibility`` is NaN when nothing is known.

    Returns one row per rater and testimony found in ``scores``, with the
    columns ``rater``, ``testimony_id``, ``credibility``, ``known_share``,
    ``known``, ``total``, sorted by rater and testimony.  Values outside a
    criterion's range are left out with a warning; criteria that are not in the
    rubric are left out.

    A worked example: access (weight 2) scored 3 of 0-4, pressure (weight 1)
    scored 1 of 0-4, corroboration (weight 1) unknown.  Access scales to
    3/4 = 0.75, pressure to 1/4 = 0.25; the weighted mean is
    (2 x 0.75 + 1 x 0.25) / (2 + 1) = 1.75 / 3 = 0.583; two of the three
    criteria are known, so known_share = 0.667.

    >>> rubric = pd.DataFrame({"criterion": ["access", "pressure", "corroboration"],
    ...                        "min": [0, 0, 0], "max": [4, 4, 4], "weight": [2, 1, 1]})
    >>> scores = pd.DataFrame({"rater": ["ana", "ana", "ana"], "testimony_id": ["t1", "t1", "t1"],
    ...                        "criterion": ["access", "pressure", "corroboration"],
    ...                        "value": [3, 1, None]})
    >>> credibility(scores, rubric).round(3)
      rater testimony_id  credibility  known_share  known  total
    0   ana           t1        0.583        0.667      2      3

    In the NATO rubric lower grades are better and 6 ("cannot be judged") is
    unknown: reliability B (2 of A-E: 1 - 1/4 = 0.75) and credibility 6 give
    0.75 with half the criteria known.

    >>> nato = pd.DataFrame({"rater": ["ana", "ana"], "testimony_id": ["t1", "t1"],
    ...                      "criterion": ["reliability", "credibility"], "value": [2, 6]})
    >>> credibility(nato, "nato").round(3)
      rater testimony_id  credibility  known_share  known  total
    0   ana           t1         0.75          0.5      1      2
    """
    criteria = rubric_criteria(load_rubric(rubric))
    columns = ["rater", "testimony_id", "credibility", "known_share", "known", "total"]
    if scores is None or not len(scores):
        frame = pd.DataFrame({c: [] for c in columns})
    else:
        pairs = pd.DataFrame({"rater": scores["rater"].astype("str").to_numpy(),
                              "testimony_id": scores["testimony_id"].astype("str").to_numpy()}).drop_duplicates()
        known = _known_values(scores, criteria, what="credibility")
        crit = known["criterion"]
        first = by_criterion(crit, criteria, lambda c: c.known_levels[0] if len(c.known_levels) >= 2 else np.nan)
        last = by_criterion(crit, criteria, lambda c: c.known_levels[-1] if len(c.known_levels) >= 2 else np.nan)
        lower = by_criterion(crit, criteria, lambda c: float(c.lower_is_better), default=0.0) > 0
        weight = pd.Series(by_criterion(crit, criteria, lambda c: c.weight), index=known.index)
        fraction = (known["value"] - first) / (last - first)
        scaled = fraction.where(~lower, 1.0 - fraction)
        parts = pd.DataFrame({"rater": known["rater"], "testimony_id": known["testimony_id"],
                              "weighted": weight * scaled, "weight": weight.where(scaled.notna()),
                              "known": scaled.notna().astype("int64")})
        parts = parts[scaled.notna().to_numpy()]
        sums = parts.groupby(["rater", "testimony_id"], sort=False)[["weighted", "weight", "known"]].sum()
        frame = pairs.merge(sums.reset_index(), on=["rater", "testimony_id"], how="left")
        frame["known"] = frame["known"].fillna(0).astype("int64")
        ok = frame["weight"] > 0
        frame["credibility"] = (frame["weighted"] / frame["weight"].where(ok)).clip(0.0, 1.0)
        frame["total"] = len(criteria)
        frame = frame.sort_values(["rater", "testimony_id"], kind="stable").reset_index(drop=True)
    frame["known_share"] = frame["known"] / frame["total"].where(frame["total"] > 0)
    return frame[columns].astype({"rater": "str", "testimony_id": "str", "credibility": "float64",
                                  "known_share": "float64", "known": "int64", "total": "int64"})


def credibility_of(values: dict[str, Any], criteria: dict[str, Criterion]) -> tuple[float, int, int]:
    """``(credibility, known, total)`` of one rater's values for one testimony (criterion -> value)."""
    weighted = weights = 0.0
    known = 0
    for name, value in values.items():
        crit = criteria.get(name)
        if crit is None:
            continue
        scaled = crit.scale(as_number(value))
        if math.isnan(scaled):
            continue
        known += 1
        weighted += crit.weight * scaled
        weights += crit.weight
    result = min(max(weighted / weights, 0.0), 1.0) if weights > 0 else math.nan
    return result, known, len(criteria)



# --------------------------------------------------------------------------- agreement


def _alpha(data: pd.DataFrame, level: str, domain: list[float] | None) -> dict[str, Any]:
    """Krippendorff's alpha of ``data`` (``rater``, ``unit``, ``value``), with counts and a note."""
    import krippendorff

    raters = data["rater"].nunique()
    counts = data.groupby("unit")["value"].size()
    pairable_units = counts[counts >= 2].index
    pairable = data[data["unit"].isin(pairable_units)]
    out = {"alpha": math.nan, "raters": int(raters), "units": int(len(pairable_units)),
           "pairable": int(len(pairable)), "note": ""}
    if raters < 2:
        out["note"] = "fewer than two raters gave a value: alpha is undefined"
        return out
    if len(pairable_units) == 0:
        out["note"] = "no testimony has values from two raters: alpha is undefined"
        return out
    values = sorted(pairable["value"].unique())
    if len(values) < 2:
        out["note"] = ("every value is the same: alpha is undefined "
                       "(the raters agree, but there is no variation to test the agreement on)")
        return out
    matrix = pairable.pivot_table(index="rater", columns="unit", values="value", aggfunc="last")
    domain = sorted(set(domain or []) | set(values))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        alpha = float(krippendorff.alpha(reliability_data=matrix.to_numpy(dtype="float64"),
                                         level_of_measurement=level, value_domain=domain))
    if math.isnan(alpha):
        out["note"] = "alpha is undefined for these values"
    out["alpha"] = alpha
    return out


def agreement(scores: pd.DataFrame, rubric: Any = None, level: str = "ordinal") -> pd.DataFrame:
    """How far raters agree: Krippendorff's alpha per criterion and overall.

    ``scores`` is a frame with the contract's columns (as :func:`load_scores`
    returns); each testimony is a *unit* and each rater an observer.  Alpha is
    1 for perfect agreement, 0 for agreement no better than chance, negative
    for systematic disagreement; Krippendorff suggests relying on data with
    alpha >= 0.800 and drawing tentative conclusions from 0.667 up.
    ``level`` is ``"ordinal"`` (the default: rubric levels are ranks),
    ``"interval"``, ``"ratio"`` or ``"nominal"``.

    Returns one row per criterion (the rubric's order; criteria not in it
    follow) and a last row ``overall``, with the columns ``criterion``,
    ``label``, ``alpha``, ``raters`` (raters who gave a known value),
    ``units`` (testimonies with known values from at least two raters: only
    these count), ``pairable`` (the values in those units) and ``note``
    (why alpha is undefined, NaN, when it is: one rater, no shared
    testimonies, or no variation at all).  Unknown values do not count.

    The ``overall`` row pools every (testimony, criterion) pair as one unit.
    With a ``rubric`` (a name, frame or Case), the overall row puts each
    criterion on the 0-1 scale of :func:`credibility` first (so that criteria
    with different ranges or directions pool sensibly), ``unknown_levels``
    are left out everywhere, and values outside a criterion's range are left
    out with a warning.  Without a rubric, values are used as they are.

    Krippendorff's own reliability-data example (2011, "Computing
    Krippendorff's Alpha-Reliability": four observers, twelve units):

    >>> grid = {"A": "1 2 3 3 2 1 4 1 2 . . .", "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    ...         "C": ". 3 3 3 2 3 4 2 2 5 1 .", "D": "1 2 3 3 2 4 4 1 2 5 1 ."}
    >>> scores = pd.DataFrame([{"rater": r, "testimony_id": f"u{u:02d}", "criterion": "x", "value": int(v)}
    ...                        for r, row in grid.items() for u, v in enumerate(row.split(), 1) if v != "."])
    >>> agreement(scores)[["criterion", "alpha", "raters", "units", "pairable"]].round(3)
      criterion  alpha  raters  units  pairable
    0         x  0.815       4     11        40
    1   overall  0.815       4     11        40
    >>> round(float(agreement(scores, level="interval")["alpha"].iloc[0]), 3)
    0.849
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    criteria = rubric_criteria(load_rubric(rubric)) if rubric is not None else None
    known = _known_values(scores, criteria, what="agreement")
    if criteria is not None:
        present = set(scores["criterion"].astype("str"))
        extra = sorted(present - set(criteria))
        if extra:
            warnings.warn(f"agreement: criteria not in the rubric are reported on their raw values and left out "
                          f"of 'overall': {listed(extra)}", ScoresWarning, stacklevel=2)
        raw = _known_values(scores[scores["criterion"].astype("str").isin(extra)], None, what="agreement")
        known = pd.concat([known, raw], ignore_index=True)
        order = list(criteria) + extra
    else:
        order = sorted(set(scores["criterion"].astype("str"))) if len(scores) else []
    rows = []
    for name in order:
        data = known[known["criterion"] == name].rename(columns={"testimony_id": "unit"})
        crit = criteria.get(name) if criteria else None
        domain = [float(v) for v in crit.known_levels] if crit else None
        result = _alpha(data[["rater", "unit", "value"]], level, domain)
        note = result.pop("note")
        if criteria is not None and crit is None:
            note = ("not in the rubric; " + note).strip("; ")
        rows.append({"criterion": name, "label": crit.label if crit else name, **result, "note": note})
    pooled = known.copy()
    if criteria is not None:
        pooled = pooled[pooled["criterion"].isin(list(criteria))]
        pooled["value"] = [criteria[c].scale(v) for c, v in zip(pooled["criterion"], pooled["value"])]
        pooled = pooled[pooled["value"].notna()]
    pooled = pooled.assign(unit=pooled["testimony_id"] + "\x1f" + pooled["criterion"])
    result = _alpha(pooled[["rater", "unit", "value"]], level, None)
    note = result.pop("note")
    rows.append({"criterion": "overall", "label": "All criteria (pooled)", **result, "note": note})
    frame = pd.DataFrame(rows, columns=["criterion", "label", "alpha", "raters", "units", "pairable", "note"])
    return frame.astype({"criterion": "str", "label": "str", "alpha": "float64", "raters": "int64",
                         "units": "int64", "pairable": "int64", "note": "str"})


def disagreements(scores: pd.DataFrame, top: int | None = 10, rubric: Any = None) -> pd.DataFrame:
    """The testimonies and criteria on which raters disagree most, for discussion in class.

    One row per (testimony, criterion) with known values from at least two
    raters: ``testimony_id``, ``criterion``, ``range`` (highest minus lowest
    value), ``std`` (population standard deviation), ``raters`` (how many gave a
    value), ``values`` (each rater's value, e.g. ``"ana 4, ben 0"``), sorted
    by range then std, largest first; the first ``top`` rows (all when
    ``top`` is None).  With a ``rubric``, its ``unknown_levels`` do not count.

    >>> scores = pd.DataFrame({"rater": ["ana", "ben", "ana", "ben"], "testimony_id": ["t1", "t1", "t2", "t2"],
    ...                        "criterion": ["access"] * 4, "value": [4, 0, 2, 2]})
    >>> disagreements(scores)
      testimony_id criterion  range  std  raters        values
    0           t1    access      4  2.0       2  ana 4, ben 0
    1           t2    access      0  0.0       2  ana 2, ben 2
    """
    criteria = rubric_criteria(load_rubric(rubric)) if rubric is not None else None
    known = _known_values(scores, None, what="disagreements")
    if criteria is not None and len(known):
        keep = [not (c in criteria and int(v) in criteria[c].unknown)
                for c, v in zip(known["criterion"], known["value"])]
        known = known[np.array(keep, dtype=bool)]
    columns = ["testimony_id", "criterion", "range", "std", "raters", "values"]
    rows = []
    for (tid, crit), group in known.sort_values("rater").groupby(["testimony_id", "criterion"], sort=True):
        if len(group) < 2:
            continue
        values = group["value"].to_numpy()
        rows.append({"testimony_id": tid, "criterion": crit, "range": int(values.max() - values.min()),
                     "std": float(values.std()), "raters": len(group),
                     "values": ", ".join(f"{r} {int(v)}" for r, v in zip(group["rater"], values))})
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        frame = frame.sort_values(["range", "std", "testimony_id", "criterion"],
                                  ascending=[False, False, True, True], kind="stable")
    frame = frame.astype({"testimony_id": "str", "criterion": "str", "range": "int64", "std": "float64",
                          "raters": "int64", "values": "str"})
    if top is not None:
        frame = frame.head(top)
    return frame.reset_index(drop=True)
