"""Corroboration: how many testimonies bear on a claim, and how many of them independently.

Ten testimonies copied from one interrogation record are one piece of
evidence, not ten.  :func:`corroboration` counts, for each claim and stance,
the testimonies (``raw``) and the groups of dependent testimonies among them
(``independent``, see :func:`workbook.dependence_groups`); with credibility
scores it also sums their credibility (``weighted``) and the credibility of
the most credible member of each group (``independent_weighted``).

>>> from pathlib import Path
>>> from workbook import load_case
>>> case = load_case(Path(__file__).parents[1] / "template_case")
>>> corroboration(case)[["claim_id", "stance", "raw", "independent"]]
  claim_id       stance  raw  independent
0     fire     supports    2            1
1     fire  contradicts    2            1
2  meeting     supports    1            1
3   motive     supports    1            1

The neighbour's court testimony and the 1950 history that repeats it are one
line of evidence for the fire; the miller's two denials are one speaker.

:func:`unanimity_posterior` shows why many witnesses who all agree can be
*less* convincing than a few, when the process that produced them may have
been compromised.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..case.contract import SCORE_COLUMNS
from ..case.model import Case
from .custody import TIES, check_ties, group_roots, is_assessment, positions, spread, tie_edges
from .scoring import credibility

__all__ = [
    "STANCES",
    "corroboration",
    "corroboration_tree",
    "unanimity_posterior",
    "unanimity_curve",
]

#: Stances in the order tables and charts show them.
STANCES = ("supports", "qualifies", "contradicts")


# --------------------------------------------------------------------------- scores


def _credibility(case: Case, scores: pd.DataFrame | pd.Series | None) -> pd.Series | None:
    """One credibility (0-1) per testimony id, averaged over raters; None without scores."""
    if scores is None:
        return None
    if isinstance(scores, pd.Series):
        values = pd.to_numeric(scores, errors="coerce").astype("float64")
        values = values.groupby(level=0).mean()
    elif isinstance(scores, pd.DataFrame):
        columns = set(scores.columns)
        if {"testimony_id", "credibility"} <= columns:
            frame = scores
        elif {"rater", "testimony_id", "criterion", "value"} <= columns:
            frame = credibility(scores, case.rubric)
        else:
            raise ValueError(
                "scores must be a frame with the columns testimony_id and credibility "
                f"(one row per rater and testimony, as credibility() returns) or a scores frame "
                f"with the columns {', '.join(SCORE_COLUMNS)}; it has: {', '.join(map(str, scores.columns))}")
        values = pd.to_numeric(frame["credibility"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        codes, ids = pd.factorize(frame["testimony_id"])
        known = ~np.isnan(values)
        total = np.bincount(codes[known], weights=values[known], minlength=len(ids))
        count = np.bincount(codes[known], minlength=len(ids))
        with np.errstate(invalid="ignore", divide="ignore"):
            values = pd.Series(total / count, index=ids)  # the mean over raters; NaN when none knows
    else:
        raise TypeError(f"scores must be a pandas DataFrame or Series, not {type(scores).__name__}")
    bad = values[(values < 0) | (values > 1)]
    if len(bad):
        raise ValueError(f"credibility must lie between 0 and 1; testimony '{bad.index[0]}' has {bad.iloc[0]}")
    return values


# --------------------------------------------------------------------------- tallies


def _evidence_codes(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each evidence row as (testimony row in testimonies.csv, claim row in claims.csv, stance number).

    (testimony_id, claim_id) pairs are unique by the contract, so each row is
    one testimony bearing on one claim.  Rows naming an unknown testimony or
    claim (possible only in a case that was not validated) are left out.
    """
    evidence = case.evidence
    t_code = positions(evidence["testimony_id"], case.testimonies["testimony_id"])
    claim_code = positions(evidence["claim_id"], case.claims["claim_id"])
    stance_code = positions(evidence["stance"], list(STANCES))
    ok = (t_code >= 0) & (claim_code >= 0) & (stance_code >= 0)
    return t_code[ok], claim_code[ok], stance_code[ok]


def _tally(case: Case, t_code: np.ndarray, claim_code: np.ndarray, stance_code: np.ndarray,
           credibility: pd.Series | None, edges: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """Counts per claim and stance over distinct (testimony, claim, stance) items.

    All claims and stances are done in one pass: each item is linked to the
    keys of its testimony *within its own claim and stance*, so groups never
    cross from one claim or stance to another.  Rows come out sorted by claim
    code, then stance in the order of ``STANCES``; the column ``_pair`` holds
    ``claim code * 3 + stance code`` for merging.
    """
    edge_t, edge_k = edges
    if len(edge_k):  # a key held by one testimony can link nothing
        shared = np.bincount(edge_k)[edge_k] > 1
        edge_t, edge_k = edge_t[shared], edge_k[shared]
    pair_code, group = np.unique(claim_code * len(STANCES) + stance_code, return_inverse=True)
    group = group.astype("int64").ravel()
    n_items, n_groups = len(t_code), len(pair_code)
    # expand each item into its testimony's keys (edges sorted by testimony)
    order = np.argsort(edge_t, kind="stable")
    edge_t, edge_k = edge_t[order], edge_k[order]
    start = np.searchsorted(edge_t, t_code, side="left")
    item, at = spread(start, np.searchsorted(edge_t, t_code, side="right") - start)
    n_keys = int(edge_k.max()) + 1 if len(edge_k) else 1
    roots = group_roots(n_items, item, group[item] * n_keys + edge_k[at])
    is_root = roots == np.arange(n_items)
    claim_ids = case.claims["claim_id"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "claim_id": pd.Series(claim_ids[pair_code // len(STANCES)], dtype="str"),
        "stance": pd.Series(np.array(STANCES, dtype=object)[pair_code % len(STANCES)], dtype="str"),
        "raw": np.bincount(group, minlength=n_groups).astype("int64"),
        "independent": np.bincount(group[is_root], minlength=n_groups).astype("int64"),
        "_pair": pair_code.astype("int64"),
    })
    if credibility is not None:
        by_row = np.full(len(case.testimonies), np.nan)
        where = positions(pd.Series(credibility.index), case.testimonies["testimony_id"])
        by_row[where[where >= 0]] = credibility.to_numpy(dtype="float64")[where >= 0]
        cred = by_row[t_code]
        scored = ~np.isnan(cred)
        cred = np.where(scored, cred, 0.0)
        best = np.zeros(n_items)
        np.maximum.at(best, roots, cred)
        out["scored"] = np.bincount(group, weights=scored.astype("float64"), minlength=n_groups).astype("int64")
        out["weighted"] = np.bincount(group, weights=cred, minlength=n_groups)
        out["independent_weighted"] = np.bincount(group[is_root], weights=best[is_root], minlength=n_groups)
    return out


#: How :func:`corroboration` treats assessments: kept apart (the default) or counted as testimony.
ASSESSMENT_MODES = ("apart", "count")


def _split_tally(case: Case, t_code: np.ndarray, claim_code: np.ndarray, stance_code: np.ndarray,
                 credibility: pd.Series | None, ties: tuple[str, ...], assessments: str,
                 inferred: bool) -> pd.DataFrame:
    """:func:`_tally` with first-order testimony and assessments counted apart (or together)."""
    if assessments not in ASSESSMENT_MODES:
        raise ValueError(f"assessments must be one of: {', '.join(ASSESSMENT_MODES)}; not {assessments!r}")
    together = assessments == "count"
    edges = tie_edges(case, ties, inferred=inferred, through_assessments=together)
    judged = is_assessment(case).to_numpy()[t_code] if len(t_code) else np.zeros(0, dtype=bool)
    first = np.ones(len(t_code), dtype=bool) if together else ~judged
    out = _tally(case, t_code[first], claim_code[first], stance_code[first], credibility, edges)
    part = _tally(case, t_code[judged], claim_code[judged], stance_code[judged], None, edges)
    part = part.rename(columns={"raw": "assessments", "independent": "assessments_independent"})
    out = out.merge(part, on="_pair", how="outer", suffixes=("", "_a"), sort=True)
    for name in ("claim_id", "stance"):
        out[name] = out[name].fillna(out[f"{name}_a"]).astype("str")
    counts = ["raw", "independent", "assessments", "assessments_independent"]
    if credibility is not None:
        counts.append("scored")
    for name in counts:
        out[name] = out[name].fillna(0).astype("int64")
    for name in ("weighted", "independent_weighted"):
        if name in out.columns:
            out[name] = out[name].fillna(0.0).astype("float64")
    keep = ["claim_id", "stance", "raw", "independent"]
    keep += [c for c in ("scored", "weighted", "independent_weighted") if c in out.columns]
    if not together:  # counted with testimony, they have no columns of their own: the frame is as before
        keep += ["assessments", "assessments_independent"]
    return out[keep].reset_index(drop=True)


def corroboration(case: Case, scores: pd.DataFrame | pd.Series | None = None,
                  ties: str | Iterable[str] = TIES, *, assessments: str = "apart",
                  inferred: bool = True) -> pd.DataFrame:
    """One row per claim and stance found in evidence.csv, with how much evidence there is.

    Columns: ``claim_id``, ``statement``, ``stance``, ``raw`` (number of
    testimonies) and ``independent`` (number of dependence groups among
    *those* testimonies: ``dependence_groups(case, ties, testimonies=...)``
    over the testimonies of that claim and stance).  With ``scores``, also
    ``scored`` (how many of the testimonies have a credibility), ``weighted``
    (the sum of their credibility) and ``independent_weighted`` (each group
    counts once, by its most credible member).  A testimony without a score
    counts 0 in the weighted sums: an unscored testimony adds nothing until
    someone weighs it (compare ``scored`` with ``raw``).

    **Assessments are counted apart.**  An assessment (a scholar's, a
    commission's or a court's judgement about the evidence; see
    :func:`workbook.is_assessment` and ``docs/assessments.md``) is not
    testimony about the event: by default (``assessments="apart"``) ``raw``,
    ``independent`` and the weighted columns count first-order testimony only,
    and two more columns report the assessments with that stance:
    ``assessments`` (how many) and ``assessments_independent`` (how many
    groups: one scholar's eight judgements are one voice).  A claim and stance
    held only by assessments keeps its row, with ``raw`` 0.
    ``assessments="count"`` counts them as testimony, as before (and under the
    old tie rule, ``dependence_groups(..., through_assessments=True)``), with
    no assessment columns.  ``inferred=False`` leaves out custody steps the
    case marks as inferred when forming the groups.

    ``scores`` is either per-testimony credibility (a frame with
    ``testimony_id`` and ``credibility`` between 0 and 1, averaged over raters
    when there are several rows per testimony, or a Series indexed by
    testimony id) or a raw scores frame with the contract's score columns,
    turned into credibility by :func:`workbook.scoring.credibility` with the
    case's rubric.  Rows are in the order of claims.csv, then supports,
    qualifies, contradicts.

    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> cred = pd.DataFrame({"testimony_id": ["t-neighbour-court", "t-history", "t-miller-court"],
    ...                      "credibility": [0.75, 0.5, 0.25]})
    >>> corroboration(case, cred)[["claim_id", "stance", "raw", "independent", "weighted", "independent_weighted"]]
      claim_id       stance  raw  independent  weighted  independent_weighted
    0     fire     supports    2            1      1.25                  0.75
    1     fire  contradicts    2            1      0.25                  0.25
    2  meeting     supports    1            1      0.00                  0.00
    3   motive     supports    1            1      0.00                  0.00
    """
    ties = check_ties(ties)
    credibility = _credibility(case, scores)
    out = _split_tally(case, *_evidence_codes(case), credibility, ties, assessments, inferred)
    statements = dict(zip(case.claims["claim_id"], case.claims["statement"]))
    out.insert(1, "statement", out["claim_id"].map(statements).astype("str"))
    return out


def _claim_tree(case: Case) -> tuple[list[str], dict[str, int], dict[str, list[str]]]:
    """Claims in tree order (each parent before its children, siblings in file order), depths, ancestors."""
    claims = case.claims
    ids = list(claims["claim_id"])
    known = set(ids)
    children: dict[str, list[str]] = {}
    roots = []
    for cid, parent in zip(ids, claims["parent_id"]):
        if parent and parent in known:
            children.setdefault(parent, []).append(cid)
        else:
            roots.append(cid)
    order: list[str] = []
    depth: dict[str, int] = {}
    lineage: dict[str, list[str]] = {}
    stack = [(c, 0, []) for c in reversed(roots)]
    while stack:
        cid, d, above = stack.pop()
        if cid in depth:  # pragma: no cover - the loader rejects cycles
            continue
        order.append(cid)
        depth[cid] = d
        lineage[cid] = above
        stack.extend((child, d + 1, above + [cid]) for child in reversed(children.get(cid, [])))
    return order, depth, lineage


def corroboration_tree(case: Case, scores: pd.DataFrame | pd.Series | None = None,
                       ties: str | Iterable[str] = TIES, *, assessments: str = "apart",
                       inferred: bool = True) -> pd.DataFrame:
    """:func:`corroboration` rolled up the claim tree: each claim with its sub-claims' evidence.

    A claim's testimonies are its own and those of all its descendants (each
    testimony counted once per stance); ``independent`` is recomputed over
    that union.  The extra column ``depth`` is 0 for a top claim, 1 for its
    sub-claims and so on; rows are in tree order (each claim followed by its
    sub-claims, siblings in the order of claims.csv), then by stance.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> corroboration_tree(case)[["depth", "claim_id", "stance", "raw", "independent"]]
       depth claim_id       stance  raw  independent
    0      0     fire     supports    4            1
    1      0     fire  contradicts    2            1
    2      1  meeting     supports    1            1
    3      1   motive     supports    1            1
    """
    ties = check_ties(ties)
    credibility = _credibility(case, scores)
    order, depth, lineage = _claim_tree(case)
    row_of = {c: i for i, c in enumerate(case.claims["claim_id"])}
    # each claim carries its own evidence up to itself and every claim above it
    above = [[row_of[c] for c in [cid] + lineage[cid]] for cid in case.claims["claim_id"]]
    count = np.array([len(a) for a in above], dtype="int64")
    start = np.cumsum(count) - count
    flat = np.array([c for a in above for c in a], dtype="int64")
    t_code, claim_code, stance_code = _evidence_codes(case)
    run, at = spread(start[claim_code], count[claim_code])
    rank = np.empty(len(order), dtype="int64")  # tree order, so that rows come out in it
    rank[[row_of[c] for c in order]] = np.arange(len(order))
    n_t = max(len(case.testimonies), 1)
    items = np.unique((rank[flat[at]] * len(STANCES) + stance_code[run]) * n_t + t_code[run])
    position = np.empty(len(order), dtype="int64")
    position[rank] = np.arange(len(order))
    pairs, t_rolled = items // n_t, items % n_t
    out = _split_tally(case, t_rolled, position[pairs // len(STANCES)], pairs % len(STANCES), credibility, ties,
                       assessments, inferred)
    out = out.assign(_rank=rank[[row_of[c] for c in out["claim_id"]]]).sort_values(
        ["_rank"], kind="stable").drop(columns="_rank").reset_index(drop=True)
    statements = dict(zip(case.claims["claim_id"], case.claims["statement"]))
    out.insert(0, "depth", out["claim_id"].map(depth).astype("int64"))
    out.insert(2, "statement", out["claim_id"].map(statements).astype("str"))
    return out


# --------------------------------------------------------------------------- unanimity


def _probability(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability between 0 and 1, not {value}")
    return value


def unanimity_posterior(n_witnesses: int, prior: float = 0.5, p_true_report: float = 0.8,
                        p_false_report: float = 0.2, p_common_cause: float = 0.05) -> float:
    """The probability that a claim is true, given that all ``n_witnesses`` assert it.

    The model of Gunn et al. (2016), "Too good to be true: when overwhelming
    evidence fails to convince", *Proc. R. Soc. A* 472: 20150748.  With
    probability ``c = p_common_cause`` the process that produced the testimony
    is compromised (a script, coercion, a copied source) and every witness
    asserts the claim whatever the truth.  Otherwise the witnesses are
    independent: each asserts the claim with probability ``p = p_true_report``
    when it is true and ``q = p_false_report`` when it is false.  With the
    prior ``π``:

    .. code-block:: text

        P(all n agree | true)  = c + (1 − c) · pⁿ
        P(all n agree | false) = c + (1 − c) · qⁿ
        posterior = π · P(all | true) / (π · P(all | true) + (1 − π) · P(all | false))

    As n grows both likelihoods tend to ``c``, so the posterior first rises
    and then falls back towards the prior: unanimity among many witnesses is
    better explained by a common cause than by truth.

    Worked example with the defaults (π = 0.5, p = 0.8, q = 0.2, c = 0.05) and
    three witnesses: P(all | true) = 0.05 + 0.95 · 0.512 = 0.5364, P(all |
    false) = 0.05 + 0.95 · 0.008 = 0.0576, posterior = 0.5364 / (0.5364 +
    0.0576) = 0.90303...  Without a common cause it would be 0.512 / 0.520 =
    0.98462...; with ten witnesses it falls to 0.75248...

    >>> round(unanimity_posterior(3), 5)
    0.90303
    >>> round(unanimity_posterior(3, p_common_cause=0), 5)
    0.98462
    >>> round(unanimity_posterior(10), 5)
    0.75248
    """
    if isinstance(n_witnesses, bool) or int(n_witnesses) != n_witnesses or n_witnesses < 0:
        raise ValueError(f"n_witnesses must be a whole number of witnesses (0 or more), not {n_witnesses!r}")
    n = int(n_witnesses)
    prior = _probability("prior", prior)
    p = _probability("p_true_report", p_true_report)
    q = _probability("p_false_report", p_false_report)
    c = _probability("p_common_cause", p_common_cause)
    if_true = c + (1 - c) * p**n
    if_false = c + (1 - c) * q**n
    evidence = prior * if_true + (1 - prior) * if_false
    if evidence == 0:
        raise ValueError("all witnesses agreeing is impossible under these parameters "
                         "(probability 0), so there is no posterior")
    return prior * if_true / evidence


def unanimity_curve(max_n: int, **params: float) -> pd.DataFrame:
    """:func:`unanimity_posterior` for 1 to ``max_n`` unanimous witnesses.

    Columns ``n``, ``posterior`` (with the given ``p_common_cause``) and
    ``posterior_if_independent`` (the same with no common cause).  Keyword
    arguments are those of :func:`unanimity_posterior`; their values are kept
    in ``frame.attrs`` (so that a chart can draw the prior).

    >>> curve = unanimity_curve(10)
    >>> int(curve.loc[curve["posterior"].idxmax(), "n"])
    3
    >>> curve.round(3).tail(2)
        n  posterior  posterior_if_independent
    8   9      0.780                       1.0
    9  10      0.752                       1.0
    """
    if isinstance(max_n, bool) or int(max_n) != max_n or max_n < 1:
        raise ValueError(f"max_n must be a whole number of witnesses (1 or more), not {max_n!r}")
    unknown = set(params) - {"prior", "p_true_report", "p_false_report", "p_common_cause"}
    if unknown:
        raise TypeError(f"unknown parameter {sorted(unknown)[0]!r}; use prior, p_true_report, "
                        "p_false_report, p_common_cause")
    independent = {**params, "p_common_cause": 0.0}
    ns = range(1, int(max_n) + 1)
    frame = pd.DataFrame({
        "n": np.array(ns, dtype="int64"),
        "posterior": [unanimity_posterior(n, **params) for n in ns],
        "posterior_if_independent": [unanimity_posterior(n, **independent) for n in ns],
    })
    defaults = {name: p.default for name, p in inspect.signature(unanimity_posterior).parameters.items()
                if p.default is not inspect.Parameter.empty}
    frame.attrs.update({**defaults, **{k: float(v) for k, v in params.items()}})
    return frame
