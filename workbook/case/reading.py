"""Reading a case's files: bytes to text, CSV to a frame of strings, the descriptor.

Every problem met on the way is appended to the ``problems`` list given (never
raised), naming the file, the row as a spreadsheet numbers it and the column.
pyarrow reads first; Python's csv module is used only to locate ragged rows,
blank rows and open quotes.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import TABLES
from .model import Problem, shown

__all__ = ["read_table", "read_descriptor"]


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


def read_table(file: str, path: Path, problems: list[Problem],
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
                                    f"the column name '{shown(raw)}' has spaces around it; write '{name}'", raw))
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


def read_descriptor(folder: Path, problems: list[Problem]) -> tuple[dict, dict[str, str]]:
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

