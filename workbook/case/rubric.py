"""Rubrics: the criteria a testimony is scored on, and the helpers that read their levels.

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

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .checks import check_rubric, check_table
from .contract import TABLES
from .loading import typed
from .model import CaseError, Problem, split_list
from .reading import read_table

__all__ = ["RUBRICS", "ScoresWarning", "Criterion", "rubric_criteria", "load_rubric", "rubric", "rubric_levels",
           "as_number", "as_numbers", "by_criterion", "listed", "LEVELS", "WHOLE_NUMBER", "RATER_FILE_NAME"]

#: The folder of the rubrics that ship with the package (``default.csv``, ``nato.csv``).
RUBRICS = Path(__file__).resolve().parents[1] / "rubrics"

LEVELS = ("nominal", "ordinal", "interval", "ratio")
_DIRECTIONS = ("higher_is_better", "lower_is_better")
RATER_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(\.0*)?")


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
    if isinstance(source, str) and RATER_FILE_NAME.fullmatch(source) and (RUBRICS / f"{source}.csv").is_file():
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
    frame = read_table(path.name, path, problems)
    if frame is not None:
        check_table(TABLES["rubric"], path.name, frame, problems)
        check_rubric(frame, path.name, problems)
    if frame is not None and not problems:
        rubric_criteria(typed(TABLES["rubric"], frame), file=path.name, problems=problems)
    if problems or frame is None:
        raise CaseError(path.parent, sorted(set(problems), key=Problem._key))
    return typed(TABLES["rubric"], frame)


def rubric(source: Any = "default") -> pd.DataFrame:
    """The same as :func:`load_rubric`: ``workbook.rubric("nato")``, ``workbook.rubric(case)``."""
    return load_rubric(source)


@dataclass(frozen=True)
class Criterion:
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


def rubric_criteria(frame: pd.DataFrame, *, file: str = "rubric.csv",
              problems: list[Problem] | None = None) -> dict[str, Criterion]:
    """The rubric's criteria in order; bad ``direction``/``unknown_levels`` cells raise (or go to ``problems``)."""
    out: dict[str, Criterion] = {}
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
            if WHOLE_NUMBER.fullmatch(item) and int(float(item)) in range(int(lo), int(hi) + 1):
                unknown.add(int(float(item)))
            else:
                found.append(Problem(file, line, "unknown_levels",
                                     f"'{item}' is not a level of '{name}' ({int(lo)} to {int(hi)})", item))
        weight = row.get("weight")
        weight = 1.0 if weight is None or pd.isna(weight) else float(weight)
        out[name] = Criterion(
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
    crit = rubric_criteria(load_rubric(rubric))[criterion]
    words = list(crit.words) + [""] * (crit.hi - crit.lo + 1 - len(crit.words))
    return list(zip(range(crit.lo, crit.hi + 1), words))


# --------------------------------------------------------------------------- values


def as_number(value: Any) -> float:
    """A score cell as a float (NaN when empty or not a whole number)."""
    if value is None or value is pd.NA:
        return math.nan
    if isinstance(value, str):
        value = value.strip()
        return float(int(float(value))) if WHOLE_NUMBER.fullmatch(value) else math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if number == number and number == int(number) else math.nan


def by_criterion(names: pd.Series, criteria: dict[str, Criterion], get, default=np.nan) -> np.ndarray:
    """``get(criterion)`` for each name (``default`` for names not in the rubric), as a float array."""
    codes, uniques = pd.factorize(names)
    table = np.array([get(criteria[u]) if u in criteria else default for u in uniques] + [default], dtype="float64")
    return table[codes]


def as_numbers(values: pd.Series) -> np.ndarray:
    """:func:`as_number` over a column, vectorised for the common cases (numbers, digit strings)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.dtype == object:  # pragma: no cover - mixed types: cell by cell
        return np.array([as_number(v) for v in values], dtype="float64")
    out = numbers.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    whole = np.isfinite(out) & (out == np.floor(np.where(np.isfinite(out), out, 0)))
    out = np.where(whole, out, np.nan)
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return out
    # text cells: only whole numbers written as such count (e.g. "3", " 3 ", "3.0"), as in as_number
    text = values.astype("str").str.strip()
    ok = text.str.fullmatch(WHOLE_NUMBER.pattern).fillna(False).to_numpy(dtype=bool)
    return np.where(ok, out, np.nan)


def listed(items: Iterable[str], limit: int = 20) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
