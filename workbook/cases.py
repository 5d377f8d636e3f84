"""Load and validate a case: a folder of CSV tables described by the contract.

A case is read in one pass that collects *every* problem before it gives up, so
that a person fixing a spreadsheet sees all that is wrong at once.  Each problem
names the file, the row as a spreadsheet numbers it (the header is row 1), the
column, the value, and what is expected:

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "sources.csv").write_text("source_id,title,kind\\nrep,Report,trial_transcript\\n")
>>> _ = (folder / "claims.csv").write_text("claim_id,statement\\nmet,They met\\n")
>>> _ = (folder / "testimonies.csv").write_text(
...     "testimony_id,source_id,given,setting,quote\\nt1,rep,12/12/1936,open_court,We met.\\n")
>>> _ = (folder / "evidence.csv").write_text("testimony_id,claim_id,stance\\nt1,met,agrees\\n")
>>> for problem in validate(folder):
...     print(problem)
evidence.csv:2:stance: 'agrees' is not allowed; use one of: supports, contradicts, qualifies
testimonies.csv:2:given: '12/12/1936' is not an EDTF date; write 1936-12-12 (year-month-day)
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import REQUIRED_TABLES, SLUG_PATTERN, TABLES, VOCABULARIES, Table
from .dates import bounds_frame

__all__ = ["Case", "CaseError", "Problem", "load_case", "validate", "split_list", "DEFAULT_RUBRIC_PATH"]

DEFAULT_RUBRIC_PATH = Path(__file__).with_name("rubrics") / "default.csv"
_SLUG = re.compile(SLUG_PATTERN)
_MAX_SHOWN = 60  # longest value quoted in full in a message


def split_list(value: object) -> list[str]:
    """Split a ``;`` list cell into its items, stripped, empty items dropped.

    >>> split_list("Pyatakov; Piatakov;")
    ['Pyatakov', 'Piatakov']
    >>> split_list("")
    []
    """
    if not isinstance(value, str) or not value:
        return []
    return [item.strip() for item in value.split(";") if item.strip()]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a case, precise enough to fix without reading code.

    ``row`` is the row number a spreadsheet shows (the header is row 1); ``None``
    for a problem with the whole file.  ``str(problem)`` is
    ``file:row:column: message``, with ``-`` for a missing row or column.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    value: str | None = field(default=None, compare=False)

    def _key(self) -> tuple:
        return (self.file, -1 if self.row is None else self.row, self.column or "", self.message)

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        line = f"{self.file}:{row}:{self.column or '-'}: {self.message}"
        return line.replace("\r", "\\r").replace("\n", "\\n")  # one problem, one line


class CaseError(Exception):
    """A case that cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, path: str | Path, problems: list[Problem]):
        self.path = Path(path)
        self.problems = list(problems)
        noun = "problem" if len(problems) == 1 else "problems"
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"the case in '{self.path.name}' has {len(problems)} {noun}:\n{lines}")


@dataclass(frozen=True, eq=False)
class Case:
    """A loaded case: every contract table as a pandas DataFrame attribute.

    Text cells are strings, an empty cell is ``""`` (not known).  Each EDTF
    column ``c`` is followed by ``c_earliest`` and ``c_latest`` (``datetime64[s]``,
    ``NaT`` where unknown or open).  ``custody.seq``, ``rubric.min`` and
    ``rubric.max`` are integers and ``rubric.weight`` a float.  An optional table
    that is absent is an empty frame with the contract's columns, except
    ``rubric``, which is the package's default rubric when the case has none.
    """

    path: Path
    name: str
    title: str
    descriptor: dict
    sources: pd.DataFrame
    people: pd.DataFrame
    claims: pd.DataFrame
    testimonies: pd.DataFrame
    evidence: pd.DataFrame
    custody: pd.DataFrame
    hypotheses: pd.DataFrame
    whereabouts: pd.DataFrame
    rubric: pd.DataFrame
    present: tuple[str, ...] = ()  # the tables that have a file in the case

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (``"sources"``, ``"testimonies"``...)."""
        if name not in TABLES:
            raise KeyError(f"no table called {name!r}; the tables are {', '.join(TABLES)}")
        return getattr(self, name)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(getattr(self, n))}" for n in TABLES)
        return f"<Case {self.name!r}: {counts}>"


# --------------------------------------------------------------------------- reading


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(value: str) -> str:
    """A cell as quoted in a message: control characters made visible, long values cut."""
    value = "".join(_ESCAPES.get(ch, f"\\x{ord(ch):02x}") if ch in _ESCAPES or ord(ch) < 32 or ord(ch) == 127
                    else ch for ch in value)
    return value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"


def _decode(file: str, data: bytes, problems: list[Problem]) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        problems.append(Problem(file, line, None,
                                f"the file is not UTF-8 (byte 0x{bad} on line {line}); "
                                "save it as 'CSV UTF-8' from your spreadsheet", f"0x{bad}"))
        return None
    if not text.strip():
        problems.append(Problem(file, None, None,
                                "the file is empty; it needs at least a header row naming its columns"))
        return None
    return text


def _read_fast(data: bytes, header: list[str]) -> pd.DataFrame | None:
    """Read with pyarrow; ``None`` when any row is ragged or blank (then the slow path locates it).

    ``data`` is known to be UTF-8 (checked or decoded before), so pyarrow need not check it again.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if len(set(header)) != len(header) or any(h == "" for h in header):
        return None
    ragged: list[object] = []

    def handler(row):
        ragged.append(row)
        return "skip"

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            # one thread, blocks of 1 MiB: a third less memory at its peak than threads, hardly slower
            read_options=pacsv.ReadOptions(block_size=1 << 20, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                              invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[], check_utf8=False),
        )
    except Exception:  # anything odd: let the careful reader explain it
        return None
    if ragged or table.column_names != header:
        return None
    if table.num_rows:
        import pyarrow.compute as pc

        blank = functools.reduce(pc.and_, (pc.equal(column, "") for column in table.columns))
        if pc.any(blank).as_py():
            return None  # a blank row: let the slow path name it
    frame = table.to_pandas()
    for col in frame.columns:
        if frame[col].dtype != "str":  # pandas 3 reads text as str already
            frame[col] = frame[col].astype("str")
    return frame


def _unclosed_quote(text: str) -> bool:
    """Whether the file ends inside a quoted cell (a quote opened and never closed).

    Both CSV readers then silently read the rest of the file into that cell; the
    strict reader is the one that notices.
    """
    if '"' not in text:
        return False
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


_ASCII_SPACES = re.compile(rb"[\t\n\x0b\x0c\r\x1c-\x1f ]*")  # the ASCII characters that str.strip() removes
_BYTE_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _surely_text(data: bytes) -> bool:
    """Whether ``data`` is surely UTF-8 and not blank, found without decoding it into a str.

    Then :func:`_decode` would return its text; a file read quickly need not be
    decoded at all (a 25 MB file is 25 to 100 MB as a str).  ``False`` when it
    cannot tell cheaply: then :func:`_decode` decides, and says what is wrong.
    """
    import pyarrow as pa

    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    first = _ASCII_SPACES.match(data, start).end()
    if first >= len(data) or data[first] >= 0x80:  # blank, or maybe only non-ASCII spaces
        return False
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:  # pyarrow checks UTF-8 in place, exactly as Python's strict decoder does
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _byte_lines(data: bytes):
    """The lines of the UTF-8 ``data`` as :func:`_lines` gives those of its text, decoded one at a time."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    return (m.group().decode("utf-8") for m in _BYTE_LINE.finditer(data, start))


def _lines(text: str):
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them, one at a time.

    For reading the header row without copying the whole file into a StringIO.
    """
    return (m.group() for m in _LINE.finditer(text))


def _may_end_in_quote(data: bytes, frame: pd.DataFrame) -> bool:
    """Whether a file that the quick reader read whole may still end inside a quoted cell.

    Such a cell runs to the end of the file, so it is the last cell of the last
    row and ends with the file's last line break; a file whose last cell does not
    cannot end inside a quote, and the slow strict reading is spared.
    """
    if not data.endswith(b"\n") or not len(frame) or not len(frame.columns):
        return True
    return str(frame.iat[-1, -1]).endswith(("\n", "\r"))


def _read_slow(file: str, text: str, header: list[str], problems: list[Problem],
               unclosed: bool = False, ragged: list[int] | None = None) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    width = len(header)
    rows: list[list[str]] = []
    keep: list[int] = []
    ragged = [] if ragged is None else ragged  # rows reported whole (index labels): cells not checked one by one
    records = list(enumerate(reader, start=2))
    for number, row in records:
        if unclosed and number == records[-1][0]:
            column = header[len(row) - 1].strip() if len(row) <= width else None
            problems.append(Problem(
                file, number, column or None,
                "a quote opened in this row is never closed, so the rest of the file was read into one cell; "
                'close it (a quote inside a quoted cell is written "")', row[-1]))
            row = (row + [""] * width)[:width]
            ragged.append(number - 2)
        elif all(cell.strip() == "" for cell in row):
            problems.append(Problem(file, number, None, "the row is blank; delete it"))
            continue
        elif len(row) != width:
            what = "more" if len(row) > width else "fewer"
            problems.append(Problem(
                file, number, None,
                f"the row has {len(row)} cells, {what} than the {width} columns of the header; "
                "check for a stray comma or a quote that is not closed", ",".join(row)))
            row = (row + [""] * width)[:width]
            ragged.append(number - 2)
        rows.append(row)
        keep.append(number)
    if unclosed and not records:
        problems.append(Problem(
            file, 1, None,
            "a quote opened in the header is never closed, so the rest of the file was read into it; "
            "close it or remove it"))
    frame = pd.DataFrame(rows, columns=range(width), dtype="str") if rows else \
        pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    frame.columns = header
    frame.index = pd.Index(np.array(keep, dtype="int64") - 2)
    return frame


def _read_table(file: str, path: Path, problems: list[Problem],
                ragged: list[int] | None = None) -> pd.DataFrame | None:
    """The table in ``path`` as text cells, or ``None`` when it cannot be read at all.

    The index labels of rows reported whole (ragged, or with a quote never
    closed) are appended to ``ragged``.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(file, None, None, f"the file cannot be read ({exc.strerror})"))
        return None
    quick = _surely_text(data)  # then the file is decoded only if the quick reader needs help
    text = None if quick else _decode(file, data, problems)
    if text is None and not quick:
        return None
    try:
        header = next(csv.reader(_byte_lines(data) if quick else _lines(text)))
    except csv.Error as exc:
        problems.append(Problem(file, 1, None, f"the header row cannot be read as CSV ({exc})"))
        return None
    unclosed = None  # not known yet: the strict reader reads the whole file, so it is asked only when needed
    if any("\n" in name or "\r" in name for name in header):
        text = data.decode("utf-8-sig") if text is None else text
        unclosed = _unclosed_quote(text)
    if unclosed:
        problems.append(Problem(
            file, 1, None,
            "a quote opened in the header is never closed, so the rest of the file was read into it; "
            "close it or remove it"))
        return None
    if all(name.strip() == "" for name in header):
        problems.append(Problem(file, 1, None, "the first row is blank; it must be the header naming the columns"))
        return None
    names = [name.strip() for name in header]  # checked below as written, used as trimmed
    for i, (raw, name) in enumerate(zip(header, names)):
        if name == "":
            problems.append(Problem(file, 1, None, f"column {i + 1} of the header has no name; name it or delete it"))
        elif raw != name:
            problems.append(Problem(file, 1, name,
                                    f"the column name '{_shown(raw)}' has spaces around it; write '{name}'", raw))
    seen: set[str] = set()
    for name in names:
        if name in seen and name:
            problems.append(Problem(file, 1, name, f"the column '{name}' appears twice in the header; keep one", name))
        seen.add(name)
    frame = _read_fast(data, header)
    if frame is None or _may_end_in_quote(data, frame):
        text = data.decode("utf-8-sig") if text is None else text
        unclosed = _unclosed_quote(text)
        if unclosed:
            frame = None
    if frame is None:
        try:
            frame = _read_slow(file, text, header, problems, bool(unclosed), ragged)
        except csv.Error as exc:
            problems.append(Problem(file, None, None, f"the file cannot be read as CSV ({exc})"))
            return None
    frame.columns = names
    # keep only the first of duplicated columns so the checks below see plain Series
    return frame.loc[:, ~frame.columns.duplicated()]


# --------------------------------------------------------------------------- descriptor


def _read_descriptor(folder: Path, problems: list[Problem]) -> tuple[dict, dict[str, str]]:
    """The case's ``datapackage.json`` (or ``{}``) and its table name -> file map."""
    files = {name: t.file for name, t in TABLES.items()}
    path = folder / "datapackage.json"
    if not path.exists():
        return {}, files
    try:
        descriptor = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:  # a folder called datapackage.json, no permission...
        problems.append(Problem("datapackage.json", None, None, f"the file cannot be read ({exc.strerror})"))
        return {}, files
    except UnicodeDecodeError:
        problems.append(Problem("datapackage.json", None, None, "the file is not UTF-8"))
        return {}, files
    except json.JSONDecodeError as exc:
        problems.append(Problem("datapackage.json", exc.lineno, None,
                                f"the file is not valid JSON ({exc.msg} at column {exc.colno})"))
        return {}, files
    if not isinstance(descriptor, dict):
        problems.append(Problem("datapackage.json", None, None, "the file must hold a JSON object"))
        return {}, files
    resources = descriptor.get("resources", [])
    if not isinstance(resources, list):
        problems.append(Problem("datapackage.json", None, "resources", "'resources' must be a list"))
        return descriptor, files
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict):
            problems.append(Problem("datapackage.json", None, f"resources[{i}]", "each resource must be an object"))
            continue
        name, rpath = resource.get("name"), resource.get("path")
        if name not in TABLES:
            continue  # other resources are the user's own: kept, not checked
        if not isinstance(rpath, str) or not rpath:
            problems.append(Problem("datapackage.json", None, f"resources[{i}].path",
                                    f"the resource '{name}' needs a 'path' such as '{name}.csv'"))
            continue
        p = Path(rpath)
        if p.is_absolute() or ".." in p.parts or "\\" in rpath:
            problems.append(Problem("datapackage.json", None, f"resources[{i}].path",
                                    f"'{rpath}' must be a relative path inside the case folder", rpath))
            continue
        files[name] = p.as_posix()
    return descriptor, files


# --------------------------------------------------------------------------- checks


_CHECKED_KINDS = ("id", "enum", "enums", "integer", "number", "edtf")  # kinds whose cells _check_table reads


def _check_table(table: Table, file: str, frame: pd.DataFrame, problems: list[Problem],
                 skip: list[int] | None = None, bounds: dict | None = None) -> None:
    """Check each cell of one table; with ``bounds``, keep there each date column's bounds (for :func:`_typed`)."""
    header = list(frame.columns)
    for name in table.required_columns:
        if name not in header:
            near = [h for h in header if h.lower() == name.lower()]
            hint = f"; rename '{near[0]}' to '{name}'" if near else ""
            problems.append(Problem(file, 1, name,
                                    f"the required column '{name}' is missing; the header has: "
                                    f"{', '.join(_shown(h) for h in header)}{hint}"))
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        if not column.required and column.kind not in _CHECKED_KINDS:
            continue  # optional text or references (checked with their targets): nothing to check here
        s = frame[column.name].drop(skip) if skip else frame[column.name]  # a ragged row is reported whole
        empty = _blank(s)  # a cell of spaces is as empty as an empty one
        if column.required:
            for idx in s.index[empty]:
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"the cell is empty; '{column.name}' is required", ""))
        filled = s[~empty] if empty.any() else s
        if column.kind == "id":
            bad = filled[~filled.str.fullmatch(SLUG_PATTERN)]
            for idx, value in bad.items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{_shown(value)}' is not an identifier; use lower-case letters, digits "
                                        f"and . _ - only, starting with a letter or digit (e.g. '{_slugify(value)}')",
                                        value))
        elif column.kind in ("enum", "enums"):
            allowed = VOCABULARIES[f"{table.name}.{column.name}"]
            if column.kind == "enum":
                items = filled
            else:
                items = _list_items(filled)
            bad = items[~items.isin(allowed)]
            for idx, value in bad.items():
                if value.strip() in allowed:
                    message = f"'{_shown(value)}' has spaces around it; write '{value.strip()}'"
                else:
                    message = f"'{_shown(value)}' is not allowed; use one of: {', '.join(allowed)}"
                problems.append(Problem(file, int(idx) + 2, column.name, message, value))
        elif column.kind == "integer":
            numbers = _integers(filled)
            for idx, value in filled[numbers.isna()].items():
                message = (f"'{_shown(value)}' is too large for a whole number here" if _INTEGER.fullmatch(value)
                           else f"'{_shown(value)}' is not a whole number")
                problems.append(Problem(file, int(idx) + 2, column.name, message, value))
        elif column.kind == "number":
            numbers = pd.to_numeric(filled, errors="coerce")
            for idx, value in filled[numbers.isna() | ~np.isfinite(numbers)].items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{_shown(value)}' is not a number; write it with a dot, e.g. 1.5", value))
        elif column.kind == "edtf":
            earliest, latest, errors = bounds_frame(filled)
            if bounds is not None:
                bounds[column.name] = (earliest, latest)
            for idx, message in errors.items():
                problems.append(Problem(file, int(idx) + 2, column.name, message, filled[idx]))
    # identifiers that repeat
    if table.primary_key:
        (key,) = table.primary_key
        if key in frame.columns:
            s = frame[key]
            dup = s.duplicated(keep="first") & (s != "")
            first_row = {v: int(i) + 2 for i, v in s[~s.duplicated(keep="first")].items()} if dup.any() else {}
            for idx, value in s[dup].items():
                problems.append(Problem(file, int(idx) + 2, key,
                                        f"'{_shown(value)}' is used twice; it was already used on row {first_row[value]}; "
                                        f"each {key} must be unique", value))
    if table.unique and all(c in frame.columns for c in table.unique):
        sub = frame[list(table.unique)]
        dup = _duplicated_rows(sub) & (sub != "").all(axis=1)
        names = " and ".join(table.unique)
        for idx in sub.index[dup]:
            value = ", ".join(sub.loc[idx])
            what = "custody step number" if table.name == "custody" else "pair"
            problems.append(Problem(file, int(idx) + 2, table.unique[-1],
                                    f"the {what} ({value}) repeats; each {names} may appear once", value))


_INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() would also take '٣'


def _integers(s: pd.Series) -> pd.Series:
    """Each cell of ``s`` as a whole number (``Int64``), ``<NA>`` where empty, not whole or out of range."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def one(value: str):
        if not _INTEGER.fullmatch(value):
            return None
        number = int(value)
        return number if -(2**63) <= number < 2**63 else None

    # whole numbers of at most 18 digits fit: pyarrow reads them all at once, Python the rest
    text = pa.array(s, type=pa.large_string(), from_pandas=True)
    whole = pc.fill_null(pc.match_substring_regex(text, r"^[+-]?[0-9]{1,18}$"), False)
    digits = pc.if_else(whole, pc.utf8_ltrim(text, characters="+"), "0")
    values = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False).copy()
    missing = ~whole.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(missing & (pc.utf8_length(text).to_numpy(zero_copy_only=False) > 18)).tolist():
        number = one(s.iat[i])
        if number is not None:
            values[i], missing[i] = number, False
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=s.index, dtype="Int64")


def _duplicated_rows(frame: pd.DataFrame) -> pd.Series:
    """``frame.duplicated(keep="first")``, computed on one integer code a row (several times faster on text)."""
    factorized = [pd.factorize(frame[column]) for column in frame.columns]
    if np.prod([len(uniques) + 1.0 for _, uniques in factorized]) >= 2.0**62:
        return frame.duplicated(keep="first")  # too many distinct rows for one int64 code
    key = np.zeros(len(frame), dtype="int64")
    for codes, uniques in factorized:
        key = key * (len(uniques) + 1) + (codes + 1)  # a missing value (-1) becomes 0
    return pd.Series(pd.Series(key).duplicated(keep="first").to_numpy(), index=frame.index)


def _blank(s: pd.Series) -> pd.Series:
    """``s.str.strip() == ""`` without making the stripped copy of every cell (a quote column is large)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(s, type=pa.large_string(), from_pandas=True)
    blank = pc.or_(pc.equal(text, ""), pc.utf8_is_space(text))  # is_space: all characters are white space
    return pd.Series(blank.to_numpy(zero_copy_only=False), index=s.index, dtype=bool)


def _list_items(s: pd.Series) -> pd.Series:
    """The items of ``;`` list cells, stripped, empty ones dropped, each under its cell's index label.

    The same as ``s.str.split(";").explode().str.strip()`` without the empty
    items, computed by pyarrow instead of a Python list for every cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    lists = pc.split_pattern(pa.array(s, type=pa.large_string(), from_pandas=True), ";")
    items = pd.Series(pc.utf8_trim_whitespace(pc.list_flatten(lists)),
                      index=s.index[pc.list_parent_indices(lists).to_numpy()], dtype="str")
    return items[items != ""]


def _isin(s: pd.Series, values: pd.Series) -> np.ndarray:
    """``s.isin(values)`` for columns of text, by pyarrow.

    pandas' own ``isin`` on text first turns every value into a Python object,
    which takes most of the validation time of a large case.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(s, type=pa.large_string(), from_pandas=True),
                     value_set=pa.array(values, type=pa.large_string(), from_pandas=True))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", value.strip().lower()).strip("-._")
    return slug or "an-id"


def _check_references(tables: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem],
                      broken: set[str] = frozenset(), skip: dict[str, list[int]] | None = None) -> None:
    """Every id that points to a row that does not exist.

    References into a table in ``broken`` (its file is missing though required, or
    cannot be read) are not checked: that table's own problem says what to fix, and
    a line for every reference to it would bury it.  An optional table that is
    simply absent is empty, so references into it are reported.
    """
    for table in TABLES.values():
        frame = tables.get(table.name)
        if frame is None:
            continue
        for column in table.columns:
            if column.kind not in ("ref", "refs") or column.name not in frame.columns:
                continue
            target_table, target_column = column.ref.split(".")
            target = tables.get(target_table)
            if target_table in broken or (target is not None and target_column not in target.columns):
                continue  # the target's own problem is reported
            s = frame[column.name]
            if skip and skip.get(table.name):
                s = s.drop(skip[table.name])  # a ragged row is reported whole
            s = s[~_blank(s)]  # empty cells: reported as empty where required
            if s.empty:
                continue
            if column.kind == "refs":
                s = _list_items(s)
            targets = pd.Series([], dtype="str") if target is None else target[target_column]
            bad = s[~_isin(s, targets)]
            known: set[str] = set(targets) if len(bad) else set()  # for the messages only
            target_file = files.get(target_table, f"{target_table}.csv")
            for idx, value in bad.items():
                if value.strip() in known:
                    message = f"'{_shown(value)}' has spaces around it; write '{value.strip()}'"
                else:
                    message = f"'{_shown(value)}' is not a {target_column} in {target_file}"
                problems.append(Problem(files[table.name], int(idx) + 2, column.name, message, value))


def _acyclic(edges: list[tuple[str, str, int]]) -> bool:
    """Whether the edges make no circle (Kahn's algorithm: peel off what nothing points to)."""
    targets: dict[str, list[str]] = {}
    pointed: dict[str, int] = {}
    for a, b, _ in edges:
        targets.setdefault(a, []).append(b)
        pointed[b] = pointed.get(b, 0) + 1
        pointed.setdefault(a, 0)
    ready = [node for node, count in pointed.items() if count == 0]
    peeled = 0
    while ready:
        peeled += 1
        for b in targets.get(ready.pop(), ()):
            pointed[b] -= 1
            if pointed[b] == 0:
                ready.append(b)
    return peeled == len(pointed)


def _find_cycle(edges: list[tuple[str, str, int]]) -> list[tuple[str, str, int]] | None:
    if _acyclic(edges):  # the usual case, decided quickly; networkx names the circle otherwise
        return None
    import networkx as nx

    graph = nx.DiGraph()
    for a, b, row in edges:
        if a == b:
            return [(a, b, row)]
        graph.add_edge(a, b, row=row)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [(a, b, graph.edges[a, b]["row"]) for a, b in cycle]


def _check_cycles(tables: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem]) -> None:
    sources, custody, claims = tables.get("sources"), tables.get("custody"), tables.get("claims")
    if sources is not None and {"source_id", "derived_from"} <= set(sources.columns):
        # (source, parent, row): every item of derived_from, then every from_source_id (row < 0)
        items = _list_items(sources["derived_from"].set_axis(np.arange(len(sources))))
        at = items.index.to_numpy()
        edges: list[tuple[str, str, int]] = list(zip(
            sources["source_id"].iloc[at].tolist(), items.tolist(),
            (sources.index.to_numpy()[at].astype("int64") + 2).tolist()))
        if custody is not None and {"source_id", "from_source_id"} <= set(custody.columns):
            given = (custody["from_source_id"] != "").to_numpy()
            edges += zip(custody["source_id"][given].tolist(), custody["from_source_id"][given].tolist(),
                         (-(custody.index.to_numpy()[given].astype("int64") + 2)).tolist())
        cycle = _find_cycle(edges)
        if cycle:
            names = " → ".join([cycle[0][0]] + [b for _, b, _ in cycle])
            a, _, row = cycle[0]
            if row >= 0:
                problems.append(Problem(files["sources"], row, "derived_from",
                                        f"sources derive from each other in a circle ({names}); "
                                        "a source can only derive from older ones", a))
            else:
                problems.append(Problem(files["custody"], -row, "from_source_id",
                                        f"sources derive from each other in a circle ({names}); "
                                        "a source can only derive from older ones", a))
    if claims is not None and {"claim_id", "parent_id"} <= set(claims.columns):
        edges = [(cid, parent, int(idx) + 2)
                 for idx, cid, parent in claims[["claim_id", "parent_id"]].itertuples() if parent]
        cycle = _find_cycle(edges)
        if cycle:
            names = " → ".join([cycle[0][0]] + [b for _, b, _ in cycle])
            a, _, row = cycle[0]
            problems.append(Problem(files["claims"], row, "parent_id",
                                    f"claims are each other's parents in a circle ({names}); "
                                    "the claims must form a tree", a))


def _check_rubric(frame: pd.DataFrame | None, file: str, problems: list[Problem]) -> None:
    if frame is None or not {"min", "max"} <= set(frame.columns):
        return
    lo = _integers(frame["min"]).astype("float64")  # NaN where not a whole number (reported already)
    hi = _integers(frame["max"]).astype("float64")
    for idx in frame.index[(lo > hi).fillna(False)]:
        problems.append(Problem(file, int(idx) + 2, "min",
                                f"min ({frame.at[idx, 'min']}) is greater than max ({frame.at[idx, 'max']})",
                                frame.at[idx, "min"]))
    if "levels" in frame.columns:
        for idx, levels in frame["levels"].items():
            words = split_list(levels)
            if words and pd.notna(lo[idx]) and pd.notna(hi[idx]) and lo[idx] <= hi[idx]:
                expected = int(hi[idx] - lo[idx] + 1)
                if len(words) != expected:
                    problems.append(Problem(file, int(idx) + 2, "levels",
                                            f"{len(words)} level words for {expected} levels "
                                            f"({int(lo[idx])} to {int(hi[idx])}); give one word a level, separated by ;",
                                            levels))


def _check_whereabouts(frame: pd.DataFrame | None, file: str, problems: list[Problem],
                       bounds: dict | None = None) -> None:
    if frame is None or not {"start", "end"} <= set(frame.columns):
        return
    if bounds and {"start", "end"} <= set(bounds):  # as _check_table found them; empty cells NaT
        start, end = bounds["start"][0].reindex(frame.index), bounds["end"][1].reindex(frame.index)
    else:
        start, _, _ = bounds_frame(frame["start"])
        _, end, _ = bounds_frame(frame["end"])
    for idx in frame.index[(end < start).fillna(False)]:
        problems.append(Problem(file, int(idx) + 2, "end",
                                f"the stay ends ({frame.at[idx, 'end']}) before it starts ({frame.at[idx, 'start']})",
                                frame.at[idx, "end"]))


# --------------------------------------------------------------------------- assembling


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in table.column_names})


def _typed(table: Table, frame: pd.DataFrame, bounds: dict | None = None) -> pd.DataFrame:
    """Contract types on a clean frame: integers, numbers, and EDTF bounds beside each date.

    ``bounds`` holds the dates' bounds as :func:`_check_table` found them (on the
    filled cells), so that no date is parsed twice.
    """
    rows = frame.index
    frame = frame.reset_index(drop=True)
    for column in table.columns:
        if column.name not in frame.columns:
            frame[column.name] = pd.Series([""] * len(frame), dtype="str")
    out = {}
    for name in frame.columns:
        s = frame[name]
        try:
            column = table.column(name)
        except KeyError:
            out[name] = s
            continue
        if column.kind == "integer":
            out[name] = _integers(s)
        elif column.kind == "number":
            out[name] = pd.to_numeric(s.replace("", None), errors="coerce").astype("Float64")
        else:
            out[name] = s
        if column.kind == "edtf":
            if bounds and name in bounds:  # empty cells: NaT, as bounds_frame gives them
                earliest, latest = (pd.Series(b.reindex(rows).to_numpy(), index=frame.index) for b in bounds[name])
            else:
                earliest, latest, _ = bounds_frame(s)
            out[f"{name}_earliest"] = earliest
            out[f"{name}_latest"] = latest
    # contract columns first, in contract order, then the case's own extra columns
    order = []
    for column in table.columns:
        order.append(column.name)
        if column.kind == "edtf":
            order += [f"{column.name}_earliest", f"{column.name}_latest"]
    order += [c for c in out if c not in order]
    return pd.DataFrame({c: out[c] for c in order})


def _progress_bar(folder: Path, files: dict[str, str], enabled: bool):
    """A progress bar over the bytes of the case's files (``tqdm.auto``: a widget in a notebook), or None."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    total = sum((folder / f).stat().st_size for f in files.values() if (folder / f).is_file())
    return tqdm(total=total, unit="B", unit_scale=True, desc=f"reading {folder.name}")


def _collect(path: str | Path, progress: bool = False) -> tuple[list[Problem], dict | None]:
    folder = Path(path)
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(folder.name or str(folder), None, None,
                                f"there is no case folder at '{folder}'"))
        return problems, None
    descriptor, files = _read_descriptor(folder, problems)
    tables: dict[str, pd.DataFrame] = {}
    broken: set[str] = set()  # tables whose file is there (or required) but could not be read
    skip: dict[str, list[int]] = {}  # per table, rows reported whole (ragged): their cells are not checked
    bounds: dict[str, dict] = {}  # per table, the bounds of its dates, kept for load_case
    bar = _progress_bar(folder, files, progress)
    for name, table in TABLES.items():
        file = files[name]
        fpath = folder / file
        if not fpath.is_file():
            if name in REQUIRED_TABLES:
                broken.add(name)
                problems.append(Problem(file, None, None,
                                        f"the required file is missing; a case needs {', '.join(t + '.csv' for t in REQUIRED_TABLES)}"))
            continue
        skip[name] = []
        frame = _read_table(file, fpath, problems, skip[name])
        if frame is None:
            broken.add(name)
            continue
        _check_table(table, file, frame, problems, skip[name], bounds.setdefault(name, {}))
        tables[name] = frame
        if bar is not None:
            bar.update(fpath.stat().st_size)
    _check_references(tables, files, problems, broken, skip)
    _check_cycles(tables, files, problems)
    _check_rubric(tables.get("rubric"), files["rubric"], problems)
    _check_whereabouts(tables.get("whereabouts"), files["whereabouts"], problems,
                       None if skip.get("whereabouts") else bounds.get("whereabouts"))
    if bar is not None:
        bar.close()
    problems = sorted(set(problems), key=Problem._key)
    return problems, {"tables": tables, "descriptor": descriptor, "files": files, "folder": folder,
                      "bounds": bounds}


def validate(path: str | Path, *, progress: bool = False) -> list[Problem]:
    """Every problem of the case in ``path``, sorted by file and row (empty when clean).

    ``progress=True`` shows a progress bar (worth it for a large case).
    """
    problems, _ = _collect(path, progress)
    return problems


def load_case(path: str | Path, *, progress: bool = False) -> Case:
    """Load and validate the case in the folder ``path``.

    Raises :class:`CaseError` carrying every problem found.  Loading never writes
    into the case folder.  ``progress=True`` shows a progress bar while the files
    are read and checked (``tqdm.auto``: a bar widget in a notebook), worth it for
    a case of tens of thousands of testimonies.
    """
    problems, state = _collect(path, progress)
    if problems:
        raise CaseError(path, problems)
    assert state is not None
    tables = state["tables"]
    typed = {}
    for name, table in TABLES.items():
        frame = tables.get(name)
        if frame is None and name == "rubric":
            frame = _read_table("rubric.csv", DEFAULT_RUBRIC_PATH, []) if DEFAULT_RUBRIC_PATH.exists() else None
        typed[name] = _typed(table, frame if frame is not None else _empty(table), state["bounds"].get(name))
    folder: Path = state["folder"]
    descriptor = state["descriptor"]
    name = descriptor.get("name") if isinstance(descriptor.get("name"), str) else None
    title = descriptor.get("title") if isinstance(descriptor.get("title"), str) else None
    return Case(
        path=folder,
        name=name or folder.resolve().name,
        title=title or name or folder.resolve().name,
        descriptor=descriptor,
        present=tuple(n for n in TABLES if n in tables),
        **typed,
    )
