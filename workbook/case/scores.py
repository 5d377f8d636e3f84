"""Raters' scores files: reading every ``<rater>.csv`` of a scores folder, with a warning for what needs a look.

Scores files (``scores/<rater>.csv``) have the contract's columns ``rater``,
``testimony_id``, ``criterion``, ``value`` (a whole number within the rubric's
range; empty = unknown, which is not 0), ``comment``, ``updated_at``.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from .contract import ACH_COLUMNS, ACH_RATINGS, SCORE_COLUMNS
from .store import RaterNameError, RatingStore, check_rater, utc_now
from .rubric import RATER_FILE_NAME, ScoresWarning, as_number, rubric_criteria, listed, load_rubric, Criterion

if TYPE_CHECKING:
    from .model import Case

__all__ = ["load_scores", "scores_problems", "ScoresWarning", "ach_store", "load_ach"]


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
    if not RATER_FILE_NAME.fullmatch(rater):
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
            number = as_number(cells["value"])
            if math.isnan(number):
                bad_values.append(f"row {line}: '{cells['value']}'")
            else:
                value = int(number)
        rows.append({"row": line, "rater": rater, "testimony_id": cells["testimony_id"],
                     "criterion": cells["criterion"], "value": value, "comment": cells["comment"],
                     "updated_at": cells["updated_at"]})
    if other_rater:
        messages.append(f"{name}: the rater column disagrees with the file name ({listed(other_rater)}); "
                        f"the rows are loaded as rater '{rater}', the file's name")
    if bad_values:
        messages.append(f"{name}: values that are not whole numbers are loaded as unknown: {listed(bad_values)}")
    return rows, messages


def _check_rows(name: str, rows: list[dict[str, Any]], criteria: dict[str, Criterion] | None,
                testimonies: set[str] | None) -> list[str]:
    """Messages for rows that name unknown testimonies or criteria, or hold values out of range."""
    messages = []
    if testimonies is not None:
        unknown = sorted({r["testimony_id"] for r in rows if r["testimony_id"] not in testimonies})
        if unknown:
            lines = [r["row"] for r in rows if r["testimony_id"] in set(unknown)]
            messages.append(f"{name}: testimony ids not in the case (kept): {listed(unknown)} "
                            f"(rows {listed(map(str, lines), 10)})")
    if criteria is not None:
        unknown = sorted({r["criterion"] for r in rows if r["criterion"] not in criteria})
        if unknown:
            messages.append(f"{name}: criteria not in the rubric, perhaps from an older rubric (kept): "
                            f"{listed(unknown)}")
        out = [f"row {r['row']}: {r['criterion']}={r['value']} (allowed {criteria[r['criterion']].lo} "
               f"to {criteria[r['criterion']].hi})"
               for r in rows if r["criterion"] in criteria and r["value"] is not pd.NA
               and not criteria[r["criterion"]].lo <= r["value"] <= criteria[r["criterion"]].hi]
        if out:
            messages.append(f"{name}: values outside the rubric's range (kept): {listed(out)}")
    return messages


def scores_problems(path: str | Path, case: Case | None = None, rubric: Any = None) -> list[str]:
    """What :func:`load_scores` would warn about for the one file ``path`` (used by the panel)."""
    path = Path(path)
    if not path.is_file():
        return []
    rows, messages = _read_scores_file(path)
    criteria = rubric_criteria(load_rubric(rubric if rubric is not None else case)) if (
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
        criteria = rubric_criteria(load_rubric(rubric if rubric is not None else case))
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


# --------------------------------------------------------------------------- competing-hypotheses ratings


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
