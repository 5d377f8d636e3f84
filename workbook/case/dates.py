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
workbook.case.dates.DateError: '12/12/1936' is not an EDTF date; write 1936-12-12 (year-month-day)
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
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

# ASCII digits only ([0-9], not \d): int() would also read other scripts' digits.
_DATE = re.compile(r"(?P<y>-?[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?(?P<q>[?~%])?")
_DMY = re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})")
_MY = re.compile(r"([0-9]{1,2})[./]([0-9]{4})")
_SHORT_PARTS = re.compile(r"[0-9]{4}-[0-9]{1,2}(-[0-9]{1,2})?")
_MAX_LENGTH = 100  # the longest level 0-1 forms (two date-times with zones) are about 50
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class DateError(ValueError):
    """A text that is not an EDTF date (level 0 or 1); the message says how to write it."""


class _Invalid(Exception):
    """Internal: why a text is not a date, as the end of a sentence (starts with ': ' or '; ')."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _is_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


_MONTH_NUMBER = {name.casefold(): number for number, name in enumerate(_MONTHS) if name}
_MONTH_NUMBER.update({name[:3].casefold(): number for name, number in list(_MONTH_NUMBER.items())})
_MONTH_NUMBER["sept"] = 9
_MONTH_WORD = r"(?P<month>[A-Za-z]{3,9})\.?"
_SEASON_NUMBER = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_ABOUT = re.compile(r"(?:c\.|ca\.|circa|about|around|approx\.|approximately)\s*(?P<rest>.+)", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_WORD + r",?\s+(?P<year>[0-9]{4})")
_MONTH_DAY_YEAR = re.compile(_MONTH_WORD + r"\s+(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>[0-9]{4})")
_MONTH_YEAR = re.compile(_MONTH_WORD + r",?\s+(?P<year>[0-9]{4})")
_SEASON_YEAR = re.compile(r"(?P<season>[A-Za-z]+)\s+(?P<year>[0-9]{4})")
_DECADE = re.compile(r"(?P<decade>[0-9]{3})0\s*'?s")


def _from_words(text: str) -> str | None:
    """The EDTF for a date written in words ("April 1940", "30 July 1912", "c. 1935"), or None.

    >>> _from_words("April 1940"), _from_words("30 July 1912"), _from_words("July 30, 1912")
    ('1940-04', '1912-07-30', '1912-07-30')
    >>> _from_words("spring 1934"), _from_words("c. 1935"), _from_words("1930s"), _from_words("a while ago")
    ('1934-21', '1935~', '193X', None)
    """
    text = " ".join(text.split())
    about = _ABOUT.fullmatch(text)
    if about:
        rest = about["rest"]
        inner = rest if _DATE.fullmatch(rest) else _from_words(rest)
        return None if inner is None or inner.endswith(("~", "?", "%")) else inner + "~"
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        m = pattern.fullmatch(text)
        if m and m["month"].casefold() in _MONTH_NUMBER:
            year, month, day = int(m["year"]), _MONTH_NUMBER[m["month"].casefold()], int(m["day"])
            if not _is_day(year, month, day):
                raise _Invalid(f"; {year:04d}-{month:02d} has no day {day:02d}")
            return f"{year:04d}-{month:02d}-{day:02d}"
    m = _MONTH_YEAR.fullmatch(text)
    if m and m["month"].casefold() in _MONTH_NUMBER:
        return f"{int(m['year']):04d}-{_MONTH_NUMBER[m['month'].casefold()]:02d}"
    m = _SEASON_YEAR.fullmatch(text)
    if m and m["season"].casefold() in _SEASON_NUMBER:
        return f"{int(m['year']):04d}-{_SEASON_NUMBER[m['season'].casefold()]}"
    m = _DECADE.fullmatch(text)
    if m:
        return f"{m['decade']}X"
    return None


def _reason(text: str) -> str:
    """How to write ``text`` as EDTF, as the end of the sentence "'text' is not an EDTF date"."""
    if text != text.strip():
        return "; remove the spaces around it"
    try:
        words = _from_words(text)
    except _Invalid as exc:
        return exc.reason
    if words is not None:
        return f"; write {words}"
    m = _DMY.fullmatch(text)
    if m:
        a, b, year = (int(g) for g in m.groups())
        if a != b and _is_day(year, a, b) and _is_day(year, b, a):  # 03/04/1936: which is the month?
            return (f"; write {year:04d}-{b:02d}-{a:02d} ({a} {_MONTHS[b]}) or {year:04d}-{a:02d}-{b:02d} "
                    f"({b} {_MONTHS[a]}) (year-month-day)")
        if _is_day(year, b, a):
            return f"; write {year:04d}-{b:02d}-{a:02d} (year-month-day)"
        if _is_day(year, a, b):
            return f"; write {year:04d}-{a:02d}-{b:02d} (year-month-day)"
    m = _MY.fullmatch(text)
    if m and 1 <= int(m[1]) <= 12:
        return f"; write {m[2]}-{int(m[1]):02d} (year-month)"
    if _SHORT_PARTS.fullmatch(text):
        parts = text.split("-")
        return f"; write months and days with two digits, e.g. {'-'.join([parts[0]] + [p.zfill(2) for p in parts[1:]])}"
    return f"; {EDTF_HELP}"


def _suggest(text: str) -> str:
    return f"'{text}' is not an EDTF date{_reason(text)}"


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
        raise _Invalid(f": month {month:02d} does not exist (01-12 are months, 21-24 are seasons)")
    day = int(m["d"])
    if not 1 <= month <= 12:
        raise _Invalid(f": month {month:02d} does not exist")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _Invalid(f": {year:04d}-{month:02d} has no day {day:02d}")
    d = _dt.date(year, month, day)
    return d, d


def _struct_to_date(value) -> _dt.date | None:
    if isinstance(value, float):  # edtf returns +-inf for open ends
        return None
    try:
        return _dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None  # outside datetime.date's years 1-9999: no bound


@functools.lru_cache(maxsize=4096)
def _edtf_parsed(text: str) -> tuple[_dt.date | None, _dt.date | None] | None:
    """Bounds by the ``edtf`` package, ``None`` when it does not read ``text``; kept, as it is slow."""
    import edtf  # imported lazily: it is slow to import and rarely needed

    try:
        parsed = edtf.parse_edtf(text)
        return _struct_to_date(parsed.lower_strict()), _struct_to_date(parsed.upper_strict())
    except Exception:  # edtf raises its own exception types (and sometimes others)
        return None


def _slow(text: str) -> tuple[_dt.date | None, _dt.date | None]:
    bounds = _edtf_parsed(text)
    if bounds is None:
        raise _Invalid(_reason(text))
    return bounds


def _one(text: str) -> tuple[_dt.date | None, _dt.date | None]:
    if text != text.strip():  # edtf itself would let '1936 ' pass
        raise _Invalid("; remove the spaces around it")
    fast = _single(text)
    return fast if fast is not None else _slow(text)


def edtf_bounds(text: str) -> tuple[_dt.date | None, _dt.date | None]:
    """Earliest and latest possible day of an EDTF date (``None`` where open or unknown).

    Qualifiers (``?``, ``~``, ``%``) do not widen the range: the bounds are those of
    the date as written, and the qualifier stays in the text for the reader.
    Raises :class:`DateError` with a message that says how to write the date.

    >>> edtf_bounds("1936-02-30")
    Traceback (most recent call last):
    ...
    workbook.case.dates.DateError: '1936-02-30' is not an EDTF date: 1936-02 has no day 30
    >>> edtf_bounds("1937/1936")
    Traceback (most recent call last):
    ...
    workbook.case.dates.DateError: '1937/1936' is an interval whose end precedes its start; write the earlier date first
    """
    if not isinstance(text, str) or not text:
        raise DateError(f"{text!r} is not an EDTF date; {EDTF_HELP}")
    if len(text) > _MAX_LENGTH:
        raise DateError(f"'{text[:20]}…' ({len(text)} characters) is not an EDTF date; {EDTF_HELP}")
    if text != text.strip():
        raise DateError(_suggest(text))
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        if "/" in end_text or (start_text in ("", "..") and end_text in ("", "..")):
            raise DateError(_suggest(text))
        bounds = []
        for which, side in (("start", start_text), ("end", end_text)):
            if side in ("", ".."):  # unknown or open
                bounds.append((None, None))
                continue
            try:
                bounds.append(_one(side))
            except _Invalid as exc:
                if _MY.fullmatch(text):  # 12/1936: a month written the other way round
                    raise DateError(_suggest(text)) from None
                if exc.reason.startswith(": "):
                    raise DateError(f"'{text}' is not an EDTF date: in its {which} '{side}', {exc.reason[2:]}") from None
                raise DateError(f"'{text}' is not an EDTF date: its {which} '{side}' is not a date{exc.reason}") from None
        start, end = bounds[0][0], bounds[1][1]
        if start is not None and end is not None and end < start:
            raise DateError(f"'{text}' is an interval whose end precedes its start; "
                            "write the earlier date first")
        return start, end
    try:
        return _one(text)
    except _Invalid as exc:
        raise DateError(f"'{text}' is not an EDTF date{exc.reason}") from None


def _to_datetime64(values: Iterable[_dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64(v, "s") if v is not None else np.datetime64("NaT", "s") for v in values],
                    dtype="datetime64[s]")


# The common forms, for whole columns at once: a date (year, year-month, year-month-day or
# year-season, with a qualifier) or an interval of two such dates, either end open or unknown.
_SIDE = r"(?:(?P<y{0}>[0-9]{{4}})(?:-(?P<m{0}>[0-9]{{2}})(?:-(?P<d{0}>[0-9]{{2}}))?)?[?~%]?|(?P<o{0}>\.\.))?"
_COMMON = "^" + _SIDE.format(1) + "(?:(?P<slash>/)" + _SIDE.format(2) + ")?$"
_SEASON_FIRST = np.array([3, 6, 9, 12])
_SEASON_LAST = np.array([5, 8, 11, 2])
_SEASON_CARRY = np.array([0, 0, 0, 1])


def _side_bounds(y: np.ndarray, m: np.ndarray, d: np.ndarray, has_m: np.ndarray, has_d: np.ndarray):
    """Earliest and latest day (``datetime64[D]``) of dates given as numbers, and which are surely valid.

    A date is *surely valid* when :func:`_single` would return the same bounds;
    the others (months 13-20, day 31 of a 30-day month, year 0, ...) are left to it.
    """
    season = has_m & ~has_d & (m >= 21) & (m <= 24)
    month = has_m & (m >= 1) & (m <= 12)
    k = np.clip(m - 21, 0, 3)
    first = np.where(season, _SEASON_FIRST[k], np.where(month, m, 1))
    last = np.where(season, _SEASON_LAST[k], np.where(month, m, 12))
    end_year = y + np.where(season, _SEASON_CARRY[k], 0)
    safe_y = np.clip(y, 1, 9999)
    start_month = ((safe_y - 1970) * 12 + first - 1).astype("datetime64[M]")
    end_month = ((np.clip(end_year, 1, 9999) - 1970) * 12 + last - 1).astype("datetime64[M]")
    low = start_month.astype("datetime64[D]")
    high = (end_month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    days_in_month = (high - low).astype("int64") + 1
    day = low + (np.clip(d, 1, 31) - 1).astype("timedelta64[D]")
    low = np.where(has_d, day, low)
    high = np.where(has_d, day, high)
    ok = (y >= 1) & (end_year <= 9999) & np.where(
        has_d, month & (d >= 1) & (d <= np.where(month, days_in_month, 0)), ~has_m | month | season)
    return low, high, ok


def _fast_bounds(labels: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds of the distinct texts in the common forms, without a Python loop.

    Returns ``(earliest, latest, done)``: ``datetime64[s]`` arrays (``NaT`` where
    open) and a mask of the texts handled here, empty ones included; the
    others go through :func:`edtf_bounds` one by one, which gives every error
    its message.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(labels)
    nat = np.full(n, np.datetime64("NaT", "s"))
    try:
        texts = pa.array(labels, type=pa.large_string(), from_pandas=True)
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # something other than text: one by one
        return nat, nat.copy(), np.zeros(n, dtype=bool)
    empty = pc.fill_null(pc.equal(texts, ""), False).to_numpy(zero_copy_only=False)
    parts = pc.extract_regex(texts, pattern=_COMMON)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    # the six numbers (year, month, day of each end) in one array, "" where not written
    names = ("y1", "m1", "d1", "y2", "m2", "d2")
    digits = pc.fill_null(pa.concat_arrays([pc.struct_field(parts, name) for name in names]), "")
    given = pc.not_equal(digits, "")
    numbers = pc.cast(pc.if_else(given, digits, "0"), pa.int64()).to_numpy(zero_copy_only=False).reshape(6, n)
    given = given.to_numpy(zero_copy_only=False).reshape(6, n)
    (y1, m1, d1, y2, m2, d2), (dated1, has_m1, has_d1, dated2, has_m2, has_d2) = numbers, given
    slash = pc.not_equal(pc.fill_null(pc.struct_field(parts, "slash"), ""), "").to_numpy(zero_copy_only=False)
    low1, high1, ok1 = _side_bounds(y1, m1, d1, has_m1, has_d1)
    low2, high2, ok2 = _side_bounds(y2, m2, d2, has_m2, has_d2)
    single = matched & ~slash & dated1 & ok1
    interval = (matched & slash & (dated1 | dated2) & (~dated1 | ok1) & (~dated2 | ok2)
                & (~(dated1 & dated2) | (high2 >= low1)))
    low = np.where(single | (interval & dated1), low1, np.datetime64("NaT", "D")).astype("datetime64[s]")
    high = np.where(single, high1, np.where(interval & dated2, high2, np.datetime64("NaT", "D"))).astype(
        "datetime64[s]")
    return low, high, single | interval | empty


def bounds_frame(texts: pd.Series) -> tuple[pd.Series, pd.Series, dict]:
    """Vectorised :func:`edtf_bounds` over a column of text.

    Returns ``(earliest, latest, errors)``: two ``datetime64[s]`` Series on the
    same index (``NaT`` where the cell is empty, open or invalid) and a dict from
    index label to the error message of each invalid cell.  Each distinct text is
    parsed once: the common forms all together, the others one by one.
    """
    codes, labels = pd.factorize(texts, use_na_sentinel=False)
    low, high, done = _fast_bounds(labels)
    errors_by_code: dict[int, str] = {}
    for i in np.flatnonzero(~done).tolist():
        text = labels[i]
        if text == "" or text is None or (isinstance(text, float) and np.isnan(text)):
            continue
        try:
            lo, hi = edtf_bounds(text)
        except DateError as exc:
            errors_by_code[i] = str(exc)
            continue
        low[i], high[i] = _to_datetime64([lo, hi])
    errors = {}
    if errors_by_code:
        bad = np.isin(codes, list(errors_by_code))
        for idx, code in zip(texts.index[bad], codes[bad].tolist()):
            errors[idx] = errors_by_code[code]
    return (pd.Series(low[codes], index=texts.index, name=f"{texts.name}_earliest"),
            pd.Series(high[codes], index=texts.index, name=f"{texts.name}_latest"),
            errors)
