"""Editing a case's CSV files without losing a byte of what is not edited.

A case is edited in a spreadsheet, in the notebook's form (:mod:`workbook.views.editor`)
or by an importer (:mod:`workbook.case.importers`). Here is what they share:

- :class:`CsvFile` reads a CSV file keeping each record's text exactly as it is
  in the file, so that writing it back changes only the rows that were changed
  or added: row order, extra columns, quoting and line endings of every other
  row stay byte for byte. Every write is atomic (a temporary file, fsync, replace).
- :func:`check_values` checks one row against the contract as the user types:
  required fields, identifiers, vocabularies, EDTF dates (with the EDTF to write),
  references to other tables.
- :class:`CaseEditor` adds or changes a row of a case's table, and undoes its saves.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "people.csv").write_text('person_id,name,extra\\r\\nradek,Karl Radek,"kept, as is"\\r\\n', newline="")
>>> editor = CaseEditor(folder)
>>> editor.save("people", {"person_id": "romm", "name": "Vladimir Romm"})
'people.csv: added romm'
>>> (folder / "people.csv").read_bytes()
b'person_id,name,extra\\r\\nradek,Karl Radek,"kept, as is"\\r\\nromm,Vladimir Romm,\\r\\n'
>>> editor.undo()
'people.csv: undid "added romm"'
>>> (folder / "people.csv").read_bytes()
b'person_id,name,extra\\r\\nradek,Karl Radek,"kept, as is"\\r\\n'
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write_text
from .contract import SLUG_PATTERN, TABLES, VOCABULARIES
from .dates import EDTF_HELP, DateError, edtf_bounds

__all__ = ["CaseEditor", "CsvFile", "EditError", "check_value", "check_values", "choices", "ids", "table_key"]

_SLUG = re.compile(SLUG_PATTERN)


class EditError(ValueError):
    """A save that was refused; the message says what to fix (nothing was written)."""


def table_key(table: str) -> tuple[str, ...]:
    """The columns that identify a row of ``table`` (its primary key, or its unique pair)."""
    t = TABLES[table]
    return t.primary_key or t.unique


class CsvFile:
    """A CSV file read so that what is not changed is written back exactly.

    ``header`` is the list of column names, ``rows`` one dict a record (every
    value a string). Change ``rows[i]`` with :meth:`set`, add with :meth:`append`;
    :meth:`text` rebuilds the file from the original text of each unchanged record.
    """

    def __init__(self, path: str | Path, default_header: list[str] | None = None):
        self.path = Path(path)
        self.exists = self.path.exists()
        self.original = self.path.read_bytes().decode("utf-8-sig") if self.exists else ""
        self._bom = self.exists and self.path.read_bytes().startswith(b"\xef\xbb\xbf")
        self.newline = "\r\n" if "\r\n" in self.original else "\n"
        self.header: list[str] = []
        self.rows: list[dict[str, str]] = []
        self._raw: list[str | None] = []   # each record's text as read; None once changed
        self._header_raw: str | None = None
        if not self.original.strip():
            self.header = list(default_header or [])
            self._header_raw = None
            self.original_header = list(self.header)
            return
        lines = list(io.StringIO(self.original, newline=""))  # \n, \r\n, \r only (not U+2028 and the like)
        consumed = []

        def feed():
            for line in lines:
                consumed.append(line)
                yield line

        reader = csv.reader(feed())
        first = next(reader)
        self.header = [h.strip() for h in first]
        self._header_raw = "".join(consumed)
        consumed.clear()
        for record in reader:
            raw = "".join(consumed)
            consumed.clear()
            if not any(cell.strip() for cell in record):  # a blank line: keep it, as a raw record
                self.rows.append({})
                self._raw.append(raw)
                continue
            values = record + [""] * (len(self.header) - len(record))
            row = {name: values[i] for i, name in enumerate(self.header)}
            if len(record) > len(self.header):
                row[None] = record[len(self.header):]  # cells beyond the header: kept in the raw text
            self.rows.append(row)
            self._raw.append(raw)
        self.original_header = list(self.header)

    # ------------------------------------------------------------------ changing
    def add_column(self, name: str) -> None:
        """Add an empty column at the end (every record is then written again)."""
        if name not in self.header:
            self.header.append(name)
            self._header_raw = None
            for i, row in enumerate(self.rows):
                if row:
                    row[name] = ""
                    self._raw[i] = None

    def set(self, index: int, column: str, value: str) -> bool:
        """Set one cell; True if it changed."""
        if column not in self.header:
            self.add_column(column)
        row = self.rows[index]
        if row.get(column, "") == value:
            return False
        row[column] = value
        self._raw[index] = None
        return True

    def append(self, values: dict[str, str]) -> int:
        """Add a record at the end; returns its index."""
        for column in values:
            if column not in self.header:
                self.add_column(column)
        self.rows.append({name: str(values.get(name, "") or "") for name in self.header})
        self._raw.append(None)
        return len(self.rows) - 1

    def find(self, key: dict[str, str]) -> int | None:
        """The index of the first record whose columns equal ``key``, or None."""
        for i, row in enumerate(self.rows):
            if row and all(row.get(c, "") == v for c, v in key.items()):
                return i
        return None

    # ------------------------------------------------------------------ writing
    def _format(self, values: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=self.newline).writerow(values)
        return buffer.getvalue()

    def text(self) -> str:
        parts = [self._header_raw if self._header_raw is not None else self._format(self.header)]
        for row, raw in zip(self.rows, self._raw):
            if raw is not None:
                parts.append(raw)
            else:
                extra = row.get(None, [])
                parts.append(self._format([row.get(name, "") for name in self.header] + list(extra)))
        for i in range(len(parts) - 1):  # a last record without a final newline, now followed by another
            if not parts[i].endswith(("\n", "\r")):
                parts[i] += self.newline
        return ("\ufeff" if self._bom else "") + "".join(parts)

    def changed(self) -> bool:
        return self.text() != (("\ufeff" if self._bom else "") + self.original)

    def write(self) -> None:
        """Write the file atomically (nothing is written when nothing changed)."""
        if self.exists and not self.changed():
            return
        atomic_write_text(self.path, self.text())


# ---------------------------------------------------------------------- checking
def ids(folder: str | Path, table: str, column: str) -> list[str]:
    """The distinct values of ``table.column`` in the case's file (sorted; empty when there is no file)."""
    path = Path(folder) / f"{table}.csv"
    if not path.exists():
        return []
    return sorted({row.get(column, "") for row in CsvFile(path).rows if row and row.get(column, "")})


def choices(folder: str | Path, table: str, column: str) -> list[str]:
    """What a cell of ``table.column`` may hold, when the contract says so: a vocabulary or
    the ids of the table it refers to (sorted). Empty for free text."""
    col = TABLES[table].column(column)
    if col.kind in ("enum", "enums"):
        return list(VOCABULARIES[f"{table}.{column}"])
    if col.kind in ("ref", "refs") and col.ref:
        ref_table, ref_column = col.ref.split(".")
        return ids(Path(folder), ref_table, ref_column)
    return []


def check_value(folder: str | Path | None, table: str, column: str, value: str) -> str | None:
    """What is wrong with one cell, as a sentence (None when it is fine).

    >>> check_value(None, "testimonies", "given", "12/05/1937")
    "'12/05/1937' is not an EDTF date; write 1937-05-12 (12 May) or 1937-12-05 (5 December) (year-month-day)"
    >>> check_value(None, "evidence", "stance", "for") is not None
    True
    """
    col = TABLES[table].column(column)
    value = value if isinstance(value, str) else ""
    if not value.strip():
        return f"{column} is required" if col.required else None
    if value != value.strip():
        return f"remove the spaces around '{value}'"
    if col.kind == "id" and not _SLUG.match(value):
        return (f"'{value}' is not an identifier: use lower-case letters, digits and - _ . "
                f"(e.g. {_slug(value) or 'my-source'})")
    if col.kind == "edtf":
        try:
            edtf_bounds(value)
        except DateError as exc:
            return str(exc)
    if col.kind == "integer" and not re.fullmatch(r"-?[0-9]+", value):
        return f"'{value}' is not a whole number"
    if col.kind in ("enum", "enums"):
        allowed = VOCABULARIES[f"{table}.{column}"]
        items = [v.strip() for v in value.split(";")] if col.kind == "enums" else [value]
        wrong = [v for v in items if v and v not in allowed]
        if wrong:
            return f"'{wrong[0]}' is not one of: {', '.join(allowed)}"
    if col.kind in ("ref", "refs") and col.ref and folder is not None:
        ref_table, ref_column = col.ref.split(".")
        known = set(ids(Path(folder), ref_table, ref_column))
        items = [v.strip() for v in value.split(";")] if col.kind == "refs" else [value]
        missing = [v for v in items if v and v not in known]
        if missing:
            return f"'{missing[0]}' is not a {ref_column} in {ref_table}.csv; add it there first"
    return None


def check_values(folder: str | Path | None, table: str, values: dict[str, str]) -> dict[str, str]:
    """Every cell of one row that is wrong: column -> what to fix (empty when the row is fine)."""
    problems = {}
    for col in TABLES[table].columns:
        message = check_value(folder, table, col.name, str(values.get(col.name, "") or ""))
        if message:
            problems[col.name] = message
    return problems


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-._")


EDTF_HINT = EDTF_HELP


# ---------------------------------------------------------------------- the editor
@dataclass
class _Save:
    path: Path
    before: str | None       # the file's text before the save (None: there was no file)
    after: str
    what: str


@dataclass
class CaseEditor:
    """Add or change rows of a case's tables; every save is atomic and can be undone.

    ``save(table, values)`` adds a row, or changes the row with the same key
    (:func:`table_key`), after :func:`check_values` finds nothing wrong. Columns of
    the file that the form does not know (extra columns) are kept; a value left out
    of ``values`` keeps what the row had. ``undo()`` puts back the file as it was
    before the last save, if nobody has changed it since.
    """

    folder: Path
    history: list[_Save] = field(default_factory=list)

    def __post_init__(self):
        self.folder = Path(self.folder)

    def row(self, table: str, key: dict[str, str]) -> dict[str, str] | None:
        """The row of ``table`` with this key (all its columns), or None."""
        path = self.folder / TABLES[table].file
        if not path.exists():
            return None
        data = CsvFile(path)
        index = data.find(key)
        return None if index is None else {k: v for k, v in data.rows[index].items() if k is not None}

    def keys(self, table: str) -> list[tuple[str, ...]]:
        """The keys of the rows of ``table``, in file order."""
        path = self.folder / TABLES[table].file
        if not path.exists():
            return []
        key = table_key(table)
        return [tuple(row.get(c, "") for c in key) for row in CsvFile(path).rows if row]

    def save(self, table: str, values: dict[str, str]) -> str:
        if table not in TABLES:
            raise EditError(f"there is no table called '{table}'; the tables are {', '.join(TABLES)}")
        values = {k: ("" if v is None else str(v)) for k, v in values.items()}
        path = self.folder / TABLES[table].file
        data = CsvFile(path, default_header=TABLES[table].column_names)
        key = {c: values.get(c, "") for c in table_key(table)}
        index = data.find(key)
        merged = dict(data.rows[index]) if index is not None else {}
        merged.pop(None, None)
        merged.update(values)
        problems = check_values(self.folder, table, merged)
        if problems:
            lines = "; ".join(f"{c}: {m}" for c, m in problems.items())
            raise EditError(f"{path.name}: not saved: {lines}")
        label = ", ".join(key.values())
        if index is None:
            data.append(merged)
            what = f"added {label}"
        else:
            changed = [c for c, v in values.items() if data.set(index, c, v)]
            if not changed:
                return f"{path.name}: {label} unchanged"
            what = f"changed {label}: {', '.join(changed)}"
        before = (("\ufeff" if data._bom else "") + data.original) if data.exists else None
        data.write()
        self.history.append(_Save(path, before, data.text(), what))
        return f"{path.name}: {what}"

    def undo(self) -> str:
        if not self.history:
            return "nothing to undo"
        last = self.history[-1]
        now = last.path.read_bytes().decode("utf-8", errors="replace") if last.path.exists() else None
        if now != last.after:
            raise EditError(f"{last.path.name} was changed since \"{last.what}\" was saved; "
                            "it was not undone (edit it by hand)")
        self.history.pop()
        if last.before is None:
            last.path.unlink()
        else:
            atomic_write_text(last.path, last.before)
        return f"{last.path.name}: undid \"{last.what}\""
