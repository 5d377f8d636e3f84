"""Rubrics, raters' scores, credibility, and agreement between raters.

A *rubric* is a table of criteria, each scored on whole numbers from ``min`` to
``max`` with a word for every level (``rubric.csv`` in the contract).  Two ship
with the package: ``"default"`` (seven criteria of source criticism, 0-4) and
``"nato"`` (the NATO/Admiralty grading: source reliability A-F and information
credibility 1-6).  A case may bring its own ``rubric.csv``.

Two optional rubric columns (extra columns are allowed by the contract) tell
:func:`credibility` and :func:`agreement` how to read the levels:

``direction``
    ``higher_is_better`` (the default when the column or the cell is empty) or
    ``lower_is_better`` (the NATO grades: ``1``/A is the best).
``unknown_levels``
    a ``;`` list of levels that mean "cannot be judged" (NATO's F and 6).  They
    are kept in the scores file as the rater chose them, but count as unknown:
    they are left out of credibility and agreement, and the scale runs over the
    other levels.

Scores files (``scores/<rater>.csv``) have the contract's columns ``rater``,
``testimony_id``, ``criterion``, ``value`` (a whole number within the rubric's
range; empty = unknown, which is not 0), ``comment``, ``updated_at``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .cases import CaseError, Problem, _check_rubric, _check_table, _read_table, _typed, split_list
from .contract import SCORE_COLUMNS, TABLES

if TYPE_CHECKING:
    from .cases import Case

__all__ = [
    "RUBRICS",
    "ScoresWarning",
    "load_rubric",
    "rubric",
    "rubric_levels",
    "credibility",
    "load_scores",
    "agreement",
    "disagreements",
]

#: The folder of the rubrics that ship with the package (``default.csv``, ``nato.csv``).
RUBRICS = Path(__file__).with_name("rubrics")

_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_DIRECTIONS = ("higher_is_better", "lower_is_better")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_INT = re.compile(r"[+-]?[0-9]+(\.0*)?")


class ScoresWarning(UserWarning):
    """Scores that load but need a look: unknown testimonies or criteria, values out of range."""


# --------------------------------------------------------------------------- rubrics


def _rubric_from_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A rubric frame typed like ``Case.rubric``: text as ``str``, min/max ``Int64``, weight ``Float64``."""
    frame = frame.copy()
    for column in TABLES["rubric"].column_names:
        if column not in frame.columns:
            frame[column] = pd.Series([""] * len(frame), dtype="str", index=frame.index)
    text = {}
    for column in frame.columns:
        s = frame[column]
        if column in ("min", "max"):
            text[column] = pd.to_numeric(s.replace("", None), errors="coerce").astype("Int64")
        elif column == "weight":
            text[column] = pd.to_numeric(s.replace("", None), errors="coerce").astype("Float64")
        else:
            text[column] = s.astype("str").where(s.notna(), "")
    out = pd.DataFrame(text, index=frame.index).reset_index(drop=True)
    order = TABLES["rubric"].column_names
    return out[order + [c for c in out.columns if c not in order]]


def load_rubric(source: Any = "default") -> pd.DataFrame:
    """A rubric as a frame typed like ``Case.rubric``.

    ``source`` is the name of a rubric shipped with the package (``"default"``,
    ``"nato"``), the path of a ``rubric.csv`` or of a case folder (its
    ``rubric.csv``, else the default), a loaded :class:`~workbook.Case` (its
    rubric), or a rubric frame (typed and returned as a new frame).  A file is
    checked like a case's ``rubric.csv``; its problems raise :class:`~workbook.CaseError`.

    >>> nato = load_rubric("nato")
    >>> nato[["criterion", "min", "max", "direction", "unknown_levels"]]
         criterion  min  max        direction unknown_levels
    0  reliability    1    6  lower_is_better              6
    1  credibility    1    6  lower_is_better              6
    >>> list(load_rubric()["criterion"])[:3]
    ['authenticity', 'access', 'contemporaneity']
    """
    if isinstance(source, pd.DataFrame):
        return _rubric_from_frame(source)
    if hasattr(source, "rubric") and isinstance(getattr(source, "rubric"), pd.DataFrame):
        return _rubric_from_frame(source.rubric)
    if isinstance(source, str) and _NAME.fullmatch(source) and (RUBRICS / f"{source}.csv").is_file():
        path = RUBRICS / f"{source}.csv"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            path = path / "rubric.csv" if (path / "rubric.csv").is_file() else RUBRICS / "default.csv"
        if not path.is_file():
            shipped = ", ".join(sorted(p.stem for p in RUBRICS.glob("*.csv")))
            raise FileNotFoundError(f"there is no rubric called {str(source)!r}: give one of the shipped rubrics "
                                    f"({shipped}), the path of a rubric.csv, or a case folder")
    else:
        raise TypeError(f"a rubric is a name, a path, a Case or a DataFrame, not {type(source).__name__}")
    problems: list[Problem] = []
    frame = _read_table(path.name, path, problems)
    if frame is not None:
        _check_table(TABLES["rubric"], path.name, frame, problems)
        _check_rubric(frame, path.name, problems)
    if frame is not None and not problems:
        _criteria(_typed(TABLES["rubric"], frame), file=path.name, problems=problems)
    if problems or frame is None:
        raise CaseError(path.parent, sorted(set(problems), key=Problem._key))
    return _typed(TABLES["rubric"], frame)


def rubric(source: Any = "default") -> pd.DataFrame:
    """The same as :func:`load_rubric`: ``workbook.rubric("nato")``, ``workbook.rubric(case)``."""
    return load_rubric(source)


@dataclass(frozen=True)
class _Criterion:
    name: str
    label: str
    question: str
    help: str
    lo: int
    hi: int
    weight: float
    lower_is_better: bool
    unknown: frozenset[int]
    words: tuple[str, ...]

    @property
    def known_levels(self) -> list[int]:
        return [v for v in range(self.lo, self.hi + 1) if v not in self.unknown]

    def scale(self, value: Any) -> float:
        """``value`` on 0 (worst) to 1 (best); NaN when unknown, an unknown level, or out of range."""
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return math.nan
        value = int(value)
        levels = self.known_levels
        if value not in levels or len(levels) < 2:
            return math.nan
        lo, hi = levels[0], levels[-1]
        fraction = (value - lo) / (hi - lo)
        return 1.0 - fraction if self.lower_is_better else fraction


def _criteria(frame: pd.DataFrame, *, file: str = "rubric.csv",
              problems: list[Problem] | None = None) -> dict[str, _Criterion]:
    """The rubric's criteria in order; bad ``direction``/``unknown_levels`` cells raise (or go to ``problems``)."""
    out: dict[str, _Criterion] = {}
    found: list[Problem] = []
    get = lambda row, c: row.get(c, "") if isinstance(row.get(c, ""), str) else ""  # noqa: E731
    for idx, row in enumerate(frame.to_dict("records")):
        line = idx + 2
        name = str(row["criterion"])
        lo, hi = row.get("min"), row.get("max")
        if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
            found.append(Problem(file, line, "min", f"criterion '{name}' needs a whole-number min and max"))
            continue
        direction = get(row, "direction").strip() or "higher_is_better"
        if direction not in _DIRECTIONS:
            found.append(Problem(file, line, "direction",
                                 f"'{direction}' is not a direction; use higher_is_better or lower_is_better", direction))
        unknown: set[int] = set()
        for item in split_list(get(row, "unknown_levels")):
            if _INT.fullmatch(item) and int(float(item)) in range(int(lo), int(hi) + 1):
                unknown.add(int(float(item)))
            else:
                found.append(Problem(file, line, "unknown_levels",
                                     f"'{item}' is not a level of '{name}' ({int(lo)} to {int(hi)})", item))
        weight = row.get("weight")
        weight = 1.0 if weight is None or pd.isna(weight) else float(weight)
        out[name] = _Criterion(
            name=name, label=get(row, "label") or name, question=get(row, "question"), help=get(row, "help"),
            lo=int(lo), hi=int(hi), weight=weight, lower_is_better=direction == "lower_is_better",
            unknown=frozenset(unknown), words=tuple(split_list(get(row, "levels"))))
    if problems is not None:
        problems.extend(found)
    elif found:
        raise CaseError(file, found)
    return out


def rubric_levels(rubric: Any, criterion: str) -> list[tuple[int, str]]:
    """The levels of one criterion, lowest first, as ``(value, word)`` pairs (word ``""`` when none).

    >>> rubric_levels("default", "access")
    [(0, 'no access'), (1, 'rumour'), (2, 'hearsay'), (3, 'eyewitness'), (4, 'participant')]
    """
    crit = _criteria(load_rubric(rubric))[criterion]
    words = list(crit.words) + [""] * (crit.hi - crit.lo + 1 - len(crit.words))
    return list(zip(range(crit.lo, crit.hi + 1), words))


# --------------------------------------------------------------------------- values


def _as_number(value: Any) -> float:
    """A score cell as a float (NaN when empty or not a whole number)."""
    if value is None or value is pd.NA:
        return math.nan
    if isinstance(value, str):
        value = value.strip()
        return float(int(float(value))) if _INT.fullmatch(value) else math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if number == number and number == int(number) else math.nan


def _by_criterion(names: pd.Series, criteria: dict[str, _Criterion], get, default=np.nan) -> np.ndarray:
    """``get(criterion)`` for each name (``default`` for names not in the rubric), as a float array."""
    codes, uniques = pd.factorize(names)
    table = np.array([get(criteria[u]) if u in criteria else default for u in uniques] + [default], dtype="float64")
    return table[codes]


def _as_numbers(values: pd.Series) -> np.ndarray:
    """:func:`_as_number` over a column, vectorised for the common cases (numbers, digit strings)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.dtype == object:  # pragma: no cover - mixed types: cell by cell
        return np.array([_as_number(v) for v in values], dtype="float64")
    out = numbers.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    whole = np.isfinite(out) & (out == np.floor(np.where(np.isfinite(out), out, 0)))
    out = np.where(whole, out, np.nan)
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return out
    # text cells: only whole numbers written as such count (e.g. "3", " 3 ", "3.0"), as in _as_number
    text = values.astype("str").str.strip()
    ok = text.str.fullmatch(_INT.pattern).fillna(False).to_numpy(dtype=bool)
    return np.where(ok, out, np.nan)


def _known_values(scores: pd.DataFrame, criteria: dict[str, _Criterion] | None,
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
        "value": _as_numbers(scores["value"]),
    })
    frame = frame.drop_duplicates(["rater", "testimony_id", "criterion"], keep="last")
    frame = frame[frame["value"].notna()]
    if criteria is not None and len(frame):
        crit = frame["criterion"]
        lo = _by_criterion(crit, criteria, lambda c: c.lo)
        hi = _by_criterion(crit, criteria, lambda c: c.hi)
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
                          f"{_listed(bad)}", ScoresWarning, stacklevel=3)
        frame = frame[in_rubric & in_range & ~unknown_level]
    return frame.reset_index(drop=True)


def _listed(items: Iterable[str], limit: int = 20) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


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
    criteria = _criteria(load_rubric(rubric))
    columns = ["rater", "testimony_id", "credibility", "known_share", "known", "total"]
    if scores is None or not len(scores):
        frame = pd.DataFrame({c: [] for c in columns})
    else:
        pairs = pd.DataFrame({"rater": scores["rater"].astype("str").to_numpy(),
                              "testimony_id": scores["testimony_id"].astype("str").to_numpy()}).drop_duplicates()
        known = _known_values(scores, criteria, what="credibility")
        crit = known["criterion"]
        first = _by_criterion(crit, criteria, lambda c: c.known_levels[0] if len(c.known_levels) >= 2 else np.nan)
        last = _by_criterion(crit, criteria, lambda c: c.known_levels[-1] if len(c.known_levels) >= 2 else np.nan)
        lower = _by_criterion(crit, criteria, lambda c: float(c.lower_is_better), default=0.0) > 0
        weight = pd.Series(_by_criterion(crit, criteria, lambda c: c.weight), index=known.index)
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


def _credibility_of(values: dict[str, Any], criteria: dict[str, _Criterion]) -> tuple[float, int, int]:
    """``(credibility, known, total)`` of one rater's values for one testimony (criterion -> value)."""
    weighted = weights = 0.0
    known = 0
    for name, value in values.items():
        crit = criteria.get(name)
        if crit is None:
            continue
        scaled = crit.scale(_as_number(value))
        if math.isnan(scaled):
            continue
        known += 1
        weighted += crit.weight * scaled
        weights += crit.weight
    result = min(max(weighted / weights, 0.0), 1.0) if weights > 0 else math.nan
    return result, known, len(criteria)


# --------------------------------------------------------------------------- scores files


def _empty_scores() -> pd.DataFrame:
    return pd.DataFrame({
        "rater": pd.Series([], dtype="str"),
        "testimony_id": pd.Series([], dtype="str"),
        "criterion": pd.Series([], dtype="str"),
        "value": pd.Series([], dtype="Int64"),
        "comment": pd.Series([], dtype="str"),
        "updated_at": pd.Series([], dtype="str"),
    })


def _read_scores_file(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of one scores file (``row`` = spreadsheet row number) and the problems met reading it."""
    name = path.name
    rater = path.stem
    messages: list[str] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [f"{name}: the file is not UTF-8 and was not read; save it as 'CSV UTF-8'"]
    except OSError as exc:
        return [], [f"{name}: the file cannot be read ({exc.strerror}); it was not loaded"]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    lacking = [c for c in ("testimony_id", "criterion") if c not in header]
    if lacking:
        return [], [f"{name}: not a scores file (no {' or '.join(lacking)} column; the header has: "
                    f"{', '.join(header) or 'nothing'}); it was not loaded"]
    if not _NAME.fullmatch(rater):
        messages.append(f"{name}: '{rater}' is not a usable rater name (lower-case letters, digits, - or _); "
                        "its rows are loaded under that name; rename the file")
    rows: list[dict[str, Any]] = []
    other_rater: list[str] = []
    bad_values: list[str] = []
    for line, raw in enumerate(reader, start=2):
        cells = {c: (raw.get(c) or "").strip() if c != "comment" else (raw.get(c) or "")
                 for c in SCORE_COLUMNS}
        if not any(cells.values()):
            continue  # a blank line
        if cells["rater"] and cells["rater"] != rater:
            other_rater.append(f"row {line} says '{cells['rater']}'")
        value: Any = pd.NA
        if cells["value"]:
            number = _as_number(cells["value"])
            if math.isnan(number):
                bad_values.append(f"row {line}: '{cells['value']}'")
            else:
                value = int(number)
        rows.append({"row": line, "rater": rater, "testimony_id": cells["testimony_id"],
                     "criterion": cells["criterion"], "value": value, "comment": cells["comment"],
                     "updated_at": cells["updated_at"]})
    if other_rater:
        messages.append(f"{name}: the rater column disagrees with the file name ({_listed(other_rater)}); "
                        f"the rows are loaded as rater '{rater}', the file's name")
    if bad_values:
        messages.append(f"{name}: values that are not whole numbers are loaded as unknown: {_listed(bad_values)}")
    return rows, messages


def _check_rows(name: str, rows: list[dict[str, Any]], criteria: dict[str, _Criterion] | None,
                testimonies: set[str] | None) -> list[str]:
    """Messages for rows that name unknown testimonies or criteria, or hold values out of range."""
    messages = []
    if testimonies is not None:
        unknown = sorted({r["testimony_id"] for r in rows if r["testimony_id"] not in testimonies})
        if unknown:
            lines = [r["row"] for r in rows if r["testimony_id"] in set(unknown)]
            messages.append(f"{name}: testimony ids not in the case (kept): {_listed(unknown)} "
                            f"(rows {_listed(map(str, lines), 10)})")
    if criteria is not None:
        unknown = sorted({r["criterion"] for r in rows if r["criterion"] not in criteria})
        if unknown:
            messages.append(f"{name}: criteria not in the rubric, perhaps from an older rubric (kept): "
                            f"{_listed(unknown)}")
        out = [f"row {r['row']}: {r['criterion']}={r['value']} (allowed {criteria[r['criterion']].lo} "
               f"to {criteria[r['criterion']].hi})"
               for r in rows if r["criterion"] in criteria and r["value"] is not pd.NA
               and not criteria[r["criterion"]].lo <= r["value"] <= criteria[r["criterion"]].hi]
        if out:
            messages.append(f"{name}: values outside the rubric's range (kept): {_listed(out)}")
    return messages


def scores_problems(path: str | Path, case: Case | None = None, rubric: Any = None) -> list[str]:
    """What :func:`load_scores` would warn about for the one file ``path`` (used by the panel)."""
    path = Path(path)
    if not path.is_file():
        return []
    rows, messages = _read_scores_file(path)
    criteria = _criteria(load_rubric(rubric if rubric is not None else case)) if (
        rubric is not None or case is not None) else None
    testimonies = set(case.testimonies["testimony_id"]) if case is not None else None
    return messages + _check_rows(path.name, rows, criteria, testimonies)


def load_scores(scores_dir: str | Path, case: Case | None = None, rubric: Any = None) -> pd.DataFrame:
    """Every rater's scores in the folder ``scores_dir``, merged into one frame.

    Reads each ``<rater>.csv`` (not the ``.history.jsonl`` sidecars, nor
    hidden or temporary files such as ``.ana.csv.x1y2.tmp``) and returns the
    contract's columns ``rater``, ``testimony_id``, ``criterion``, ``value``
    (nullable ``Int64``; ``<NA>`` = unknown), ``comment``, ``updated_at``,
    sorted by rater, testimony and criterion.  The rater is the file's name.
    A folder that does not exist gives an empty frame.

    Nothing is dropped silently: a :class:`ScoresWarning` names the file, the
    rows and the ids when a file's ``rater`` column disagrees with its name, a
    value is not a whole number (loaded as unknown), or — given a ``case``
    (or a ``rubric``) — a testimony id is not in the case, a criterion is not
    in the rubric (an older rubric) or a value is out of range; those rows are
    kept.  A file without ``testimony_id`` and ``criterion`` columns is not a
    scores file: it is skipped with a warning.  The messages are also in
    ``frame.attrs["problems"]``.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ana.csv").write_text(
    ...     "rater,testimony_id,criterion,value,comment,updated_at\\n"
    ...     "ana,t1,access,3,,2026-01-01T00:00:00Z\\nana,t1,pressure,,not clear,2026-01-01T00:00:00Z\\n")
    >>> load_scores(folder)
      rater testimony_id criterion  value    comment            updated_at
    0   ana           t1    access      3             2026-01-01T00:00:00Z
    1   ana           t1  pressure   <NA>  not clear  2026-01-01T00:00:00Z
    """
    folder = Path(scores_dir)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"'{folder}' is a file; give the folder that holds the raters' <rater>.csv files")
    if not folder.is_dir():
        frame = _empty_scores()
        frame.attrs["problems"] = []
        return frame
    if rubric is not None or case is not None:
        criteria = _criteria(load_rubric(rubric if rubric is not None else case))
    else:
        criteria = None
    testimonies = set(case.testimonies["testimony_id"]) if case is not None else None
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        if path.name.startswith(".") or not path.is_file():
            continue
        file_rows, messages = _read_scores_file(path)
        messages += _check_rows(path.name, file_rows, criteria, testimonies)
        rows += file_rows
        problems += messages
    for message in problems:
        warnings.warn(message, ScoresWarning, stacklevel=2)
    if not rows:
        frame = _empty_scores()
    else:
        data = pd.DataFrame(rows)
        frame = pd.DataFrame({
            "rater": data["rater"].astype("str"),
            "testimony_id": data["testimony_id"].astype("str"),
            "criterion": data["criterion"].astype("str"),
            "value": pd.array(list(data["value"]), dtype="Int64"),
            "comment": data["comment"].astype("str"),
            "updated_at": data["updated_at"].astype("str"),
        })
        frame = frame.sort_values(["rater", "testimony_id", "criterion"], kind="stable").reset_index(drop=True)
    frame.attrs["problems"] = problems
    return frame


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
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(_LEVELS)}, not {level!r}")
    criteria = _criteria(load_rubric(rubric)) if rubric is not None else None
    known = _known_values(scores, criteria, what="agreement")
    if criteria is not None:
        present = set(scores["criterion"].astype("str"))
        extra = sorted(present - set(criteria))
        if extra:
            warnings.warn(f"agreement: criteria not in the rubric are reported on their raw values and left out "
                          f"of 'overall': {_listed(extra)}", ScoresWarning, stacklevel=2)
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
    criteria = _criteria(load_rubric(rubric)) if rubric is not None else None
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
