"""EDTF dates as ranges of days.

A date in a case is written in EDTF (levels 0 and 1), and the loader keeps the
text as written and adds the *earliest* and *latest* possible day beside it, so
that sorting, gaps and overlaps are computed on bounds, never on a guess.

The common forms are parsed by a regular expression; everything else goes to
the ``edtf`` package (the reference implementation, correct but about 3 ms a
value).  Tests check the fast path against ``edtf`` on random samples.

>>> edtf_bounds("1936-12")
(datetime.date(1936, 12, 1), datetime.date(1936, 12, 31))
>>> edtf_bounds("1934-23")                       # autumn 1934
(datetime.date(1934, 9, 1), datetime.date(1934, 11, 30))
>>> edtf_bounds("1923/1930")
(datetime.date(1923, 1, 1), datetime.date(1930, 12, 31))
>>> edtf_bounds("1935-12~")                      # approximately: the stated month
(datetime.date(1935, 12, 1), datetime.date(1935, 12, 31))
>>> edtf_bounds("193X")
(datetime.date(1930, 1, 1), datetime.date(1939, 12, 31))
>>> edtf_bounds("1923/..")                       # open end: no latest day
(datetime.date(1923, 1, 1), None)
>>> edtf_bounds("12/12/1936")
Traceback (most recent call last):
...
workbook.dates.DateError: '12/12/1936' is not an EDTF date; write 1936-12-12 (year-month-day)
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["DateError", "edtf_bounds", "bounds_frame", "EDTF_HELP"]

EDTF_HELP = (
    "use EDTF: 1936, 1936-12 or 1936-12-12; add ? (uncertain) or ~ (approximate) at the end; "
    "1934-21..24 for spring, summer, autumn, winter; X for an unknown digit (193X); "
    "start/end for an interval (1923/1930, 1923/.. when open)"
)

# Seasons (EDTF level 1, months 21-24): first and last month, and a year offset for the end.
_SEASONS = {21: (3, 5, 0), 22: (6, 8, 0), 23: (9, 11, 0), 24: (12, 2, 1)}

_DATE = re.compile(r"(?P<y>-?\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?P<q>[?~%])?")
_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_MDY_TEXT = re.compile(r"\d{4}-\d{1,2}(-\d{1,2})?")


class DateError(ValueError):
    """A text that is not an EDTF date (level 0 or 1); the message says how to write it."""


def _suggest(text: str) -> str:
    m = _DMY.fullmatch(text.strip())
    if m:
        day, month, year = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"'{text}' is not an EDTF date; write {year:04d}-{month:02d}-{day:02d} (year-month-day)"
    if _MDY_TEXT.fullmatch(text.strip()):
        parts = text.strip().split("-")
        return (f"'{text}' is not an EDTF date; write months and days with two digits, "
                f"e.g. {'-'.join([parts[0]] + [p.zfill(2) for p in parts[1:]])}")
    if text != text.strip():
        return f"'{text}' is not an EDTF date; remove the spaces around it"
    return f"'{text}' is not an EDTF date; {EDTF_HELP}"


def _single(text: str) -> tuple[_dt.date | None, _dt.date | None] | None:
    """Bounds of one date by the fast path, or None when the fast path does not apply."""
    m = _DATE.fullmatch(text)
    if not m:
        return None
    year = int(m["y"])
    if not 1 <= year <= 9999:
        return None  # let edtf decide about years outside datetime.date's range
    if m["m"] is None:
        return _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    month = int(m["m"])
    if m["d"] is None:
        if 1 <= month <= 12:
            return _dt.date(year, month, 1), _dt.date(year, month, calendar.monthrange(year, month)[1])
        if month in _SEASONS:
            first, last, carry = _SEASONS[month]
            end_year = year + carry
            if end_year > 9999:
                return None
            return _dt.date(year, first, 1), _dt.date(end_year, last, calendar.monthrange(end_year, last)[1])
        raise DateError(f"'{text}' is not an EDTF date: month {month:02d} does not exist "
                        "(01-12 are months, 21-24 are seasons)")
    day = int(m["d"])
    if not 1 <= month <= 12:
        raise DateError(f"'{text}' is not an EDTF date: month {month:02d} does not exist")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateError(f"'{text}' is not an EDTF date: {year:04d}-{month:02d} has no day {day:02d}")
    d = _dt.date(year, month, day)
    return d, d


def _struct_to_date(value) -> _dt.date | None:
    if isinstance(value, float):  # edtf returns +-inf for open ends
        return None
    try:
        return _dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    except ValueError:
        return None


def _slow(text: str) -> tuple[_dt.date | None, _dt.date | None]:
    import edtf  # imported lazily: it is slow to import and rarely needed

    try:
        parsed = edtf.parse_edtf(text)
    except Exception:  # edtf raises its own exception types (and sometimes others)
        raise DateError(_suggest(text)) from None
    return _struct_to_date(parsed.lower_strict()), _struct_to_date(parsed.upper_strict())


def _side(text: str, *, end: bool) -> tuple[_dt.date | None, _dt.date | None]:
    if text in ("", ".."):
        return None, None
    fast = _single(text)
    return fast if fast is not None else _slow(text)


def edtf_bounds(text: str) -> tuple[_dt.date | None, _dt.date | None]:
    """Earliest and latest possible day of an EDTF date (``None`` where open or unknown).

    Qualifiers (``?``, ``~``, ``%``) do not widen the range: the bounds are those of
    the date as written, and the qualifier stays in the text for the reader.
    Raises :class:`DateError` with a message that says how to write the date.
    """
    if not isinstance(text, str) or not text:
        raise DateError(f"{text!r} is not an EDTF date; {EDTF_HELP}")
    if text != text.strip():
        raise DateError(f"'{text}' is not an EDTF date; remove the spaces around it")
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        if "/" in end_text or (start_text in ("", "..") and end_text in ("", "..")):
            raise DateError(_suggest(text))
        try:
            start = _side(start_text, end=False)[0]
            end = _side(end_text, end=True)[1]
        except DateError:
            raise DateError(_suggest(text)) from None
        if start is not None and end is not None and end < start:
            raise DateError(f"'{text}' is an interval whose end precedes its start; "
                            "write the earlier date first")
        return start, end
    fast = _single(text)
    return fast if fast is not None else _slow(text)


def _to_datetime64(values: Iterable[_dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64(v, "s") if v is not None else np.datetime64("NaT", "s") for v in values],
                    dtype="datetime64[s]")


def bounds_frame(texts: pd.Series) -> tuple[pd.Series, pd.Series, dict]:
    """Vectorised :func:`edtf_bounds` over a column of text.

    Returns ``(earliest, latest, errors)``: two ``datetime64[s]`` Series on the
    same index (``NaT`` where the cell is empty, open or invalid) and a dict from
    index label to the error message of each invalid cell.  Each distinct text is
    parsed once.
    """
    uniques = pd.unique(texts)
    lows, highs, errors_by_text = {}, {}, {}
    for text in uniques:
        if text == "" or text is None or (isinstance(text, float) and np.isnan(text)):
            lows[text] = highs[text] = None
            continue
        try:
            lows[text], highs[text] = edtf_bounds(text)
        except DateError as exc:
            lows[text] = highs[text] = None
            errors_by_text[text] = str(exc)
    codes, labels = pd.factorize(texts, use_na_sentinel=False)
    low = _to_datetime64(lows[t] for t in labels)[codes] if len(labels) else np.array([], "datetime64[s]")
    high = _to_datetime64(highs[t] for t in labels)[codes] if len(labels) else np.array([], "datetime64[s]")
    errors = {}
    if errors_by_text:
        bad = texts.isin(list(errors_by_text))
        for idx, text in texts[bad].items():
            errors[idx] = errors_by_text[text]
    return (pd.Series(low, index=texts.index, name=f"{texts.name}_earliest"),
            pd.Series(high, index=texts.index, name=f"{texts.name}_latest"),
            errors)
