"""What the importers share: errors a user can act on, identifiers, dates, and the merge.

An importer reads a file exported by another tool into rows of a contract table,
then :func:`merge_rows` merges them into the case's CSV file:

- a row whose key is new is added at the end;
- a row already in the case keeps every value the user wrote: an empty cell is
  filled from the import; a cell that differs from the import is reported and
  kept, unless ``update=True`` (then the import's value is written and the old
  one reported);
- rows that are not in the import, extra columns, row order and the text of every
  row that does not change stay as they were (:class:`~workbook.case.editing.CsvFile`);
- the file is written once, atomically.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..contract import SLUG_PATTERN, TABLES
from ..dates import DateError, edtf_bounds
from ..editing import CsvFile, table_key

__all__ = ["ImportFailure", "ImportProblem", "MergeReport", "merge_rows", "slug", "unique_ids", "plain_text",
           "edtf_or_none"]

_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class ImportProblem:
    """One thing in an exported file that could not be imported as it is.

    ``str()`` is ``file: item N ('id'): field: message``, the parts that are known.
    """

    file: str
    item: int | None
    ident: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.item is not None:
            where.append(f"item {self.item}" + (f" ('{self.ident}')" if self.ident else ""))
        if self.field:
            where.append(self.field)
        return ": ".join(where + [self.message])


class ImportFailure(Exception):
    """A file that cannot be imported at all (not the expected format); the message says why."""


def slug(text: str, limit: int = 60) -> str:
    """An identifier made from ``text``: ASCII lower case, digits and ``-``.

    >>> slug("Sagan to Grinspoon: comments on dissertation")
    'sagan-to-grinspoon-comments-on-dissertation'
    >>> slug("MillionDemiDinfirmes1968")
    'milliondemidinfirmes1968'
    >>> slug("Lettre à Trotsky (1937)")
    'lettre-a-trotsky-1937'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9_.]+", "-", text).strip("-._")
    text = text[:limit].rstrip("-._")
    return text if _SLUG.match(text) else ""


def unique_ids(wanted: list[str], fallback: str = "item") -> list[str]:
    """Make ids unique in order: the second ``x`` becomes ``x-2``, an empty one ``item-N``.

    >>> unique_ids(["a", "a", "", "a"])
    ['a', 'a-2', 'item-3', 'a-3']
    """
    taken: set[str] = set()
    out = []
    for n, ident in enumerate(wanted, start=1):
        base = ident or f"{fallback}-{n}"
        ident, k = base, 2
        while ident in taken:
            ident, k = f"{base}-{k}", k + 1
        taken.add(ident)
        out.append(ident)
    return out


_TAG = re.compile(r"<[^>]+>")


def plain_text(value: object) -> str:
    """Text without HTML markup (CSL titles carry ``<i>``, ``<span class="nocase">``), spaces tidied."""
    if value is None:
        return ""
    text = html.unescape(_TAG.sub("", str(value)))
    return re.sub(r"\s+", " ", text).strip()


def edtf_or_none(text: str) -> str | None:
    """``text`` if it is an EDTF date the case accepts, else None."""
    try:
        edtf_bounds(text)
    except (DateError, ValueError, TypeError):
        return None
    return text


@dataclass
class MergeReport:
    """What an import did to one table of a case."""

    file: str
    added: list[str] = field(default_factory=list)
    filled: list[tuple[str, str, str]] = field(default_factory=list)               # id, column, value
    differs: list[tuple[str, str, str, str, bool]] = field(default_factory=list)   # id, column, case, import, applied
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    written: bool = False

    def lines(self) -> list[str]:
        out = [f"{self.file}: {len(self.added)} added, {len(self.filled)} cells filled, "
               f"{len(self.differs)} differing, {self.unchanged} unchanged"]
        out += [f"  added {ident}" for ident in self.added]
        out += [f"  filled {ident} {column}: {value!r}" for ident, column, value in self.filled]
        for ident, column, old, new, applied in self.differs:
            verb = "replaced" if applied else "kept"
            out.append(f"  {verb} {ident} {column}: the case has {old!r}, the import has {new!r}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def merge_rows(folder: str | Path, table: str, rows: list[dict[str, str]], *, update: bool = False,
               same=None, dry_run: bool = False, only_new: tuple[str, ...] = ()) -> MergeReport:
    """Merge imported ``rows`` into ``folder/<table>.csv`` (see the module's rules).

    ``same(column, case_value, imported_value)`` may say that two different texts
    mean the same (e.g. a date at the precision the other tool keeps): they are
    then not reported. Columns in ``only_new`` are written in new rows only (e.g. a
    draft's to-do list, which the user empties when done). With ``dry_run`` nothing is written.
    """
    path = Path(folder) / TABLES[table].file
    data = CsvFile(path, default_header=TABLES[table].column_names)
    key = table_key(table)
    report = MergeReport(path.name)
    for row in rows:
        values = {k: v for k, v in row.items() if v not in (None, "")}
        ident = ", ".join(row.get(c, "") for c in key)
        index = data.find({c: row.get(c, "") for c in key})
        if index is None:
            data.append(values)
            report.added.append(ident)
            continue
        current = data.rows[index]
        reported = len(report.filled) + len(report.differs)
        for column, value in values.items():
            if column in only_new:
                continue
            old = current.get(column, "")
            if old == value:
                continue
            if not old:
                data.set(index, column, value)
                report.filled.append((ident, column, value))
            elif same is not None and same(column, old, value):
                continue
            else:
                report.differs.append((ident, column, old, value, update))
                if update:
                    data.set(index, column, value)
        if len(report.filled) + len(report.differs) == reported:
            report.unchanged += 1
    if not dry_run and (not data.exists or data.changed()):
        data.write()
        report.written = True
    return report
