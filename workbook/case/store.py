"""A rater's judgements, saved at once on every change and never lost.

One rater, one CSV file (``scores/<rater>.csv`` or ``ach/<rater>.csv``), rewritten
atomically after every change (temporary file, fsync, ``os.replace``), so a process
killed at any instant leaves the state before or after the change in flight.
Beside it, an append-only history ``<rater>.history.jsonl`` records every change
(old and new values), so a rater can look back and undo.

>>> import tempfile
>>> store = RatingStore(tempfile.mkdtemp(), "ana", keys=("testimony_id", "criterion"),
...                     values=("value", "comment"), clock=lambda: "2026-01-01T00:00:00Z")
>>> store.set(("t1", "access"), value="3")
>>> store.set(("t1", "access"), value="4", comment="an eyewitness")
>>> store.get(("t1", "access"))
{'value': '4', 'comment': 'an eyewitness'}
>>> print(store.path.read_text(), end="")
rater,testimony_id,criterion,value,comment,updated_at
ana,t1,access,4,an eyewitness,2026-01-01T00:00:00Z
>>> store.undo()
True
>>> store.get(("t1", "access"))
{'value': '3', 'comment': ''}

The history file has one JSON object a line, oldest first:
``{"at": ..., "key": [...], "old": {...} or null, "new": {...} or null}``, with
``"undo": true`` on the lines that undo an earlier change (``null`` means the
row did not exist).  A last line without its newline is a write cut short and
is ignored.  ``"recovered": true`` marks a line added before the first change
of a session for a difference between the file and its history (a change
whose history line was lost when a process was killed, or a file edited by
hand); undo steps over those.

Rows are never dropped behind the user's back: rows for testimonies or criteria
the caller does not know are kept as they are, columns the store does not know
(added by hand in a spreadsheet) are kept, and when another program (a second
panel for the same rater) has changed the file since this store last read or
wrote it, the store reads it again before applying a change.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import append_line, atomic_write_text

if TYPE_CHECKING:  # pandas is imported only by the methods that return frames
    import pandas as pd

__all__ = ["RatingStore", "RaterNameError", "check_rater", "utc_now"]

_RATER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class RaterNameError(ValueError):
    """A rater name that is not a safe file name."""


def check_rater(rater: object) -> str:
    """Return ``rater`` if it is a safe name for a file, else raise :class:`RaterNameError`.

    >>> check_rater("ana-k")
    'ana-k'
    >>> check_rater("../etc/passwd")
    Traceback (most recent call last):
    ...
    workbook.case.store.RaterNameError: '../etc/passwd' is not a usable rater name: use 1 to 64 lower-case letters, digits, - or _, starting with a letter or digit (e.g. 'etc-passwd')
    """
    if isinstance(rater, str) and _RATER.fullmatch(rater):
        return rater
    text = str(rater)
    example = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")[:64] or "ana"
    raise RaterNameError(
        f"{text!r} is not a usable rater name: use 1 to 64 lower-case letters, digits, - or _, "
        f"starting with a letter or digit (e.g. {example!r})")


def utc_now() -> str:
    """The current time as ISO 8601 UTC to the second, e.g. ``2026-11-27T11:05:57Z``."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class RatingStore:
    """The judgements of one rater: a CSV keyed by ``keys`` holding ``values``.

    Columns of the file: ``rater``, the keys, the values, ``updated_at``, then
    any other columns the file already had.  Every :meth:`set` rewrites the
    file atomically and appends to the history.  Values are strings; ``""``
    means unknown or not given.  Rows whose values are all empty are kept (an
    explicit "unknown" is a judgement too).
    """

    def __init__(self, folder: str | Path, rater: str, *, keys: tuple[str, ...], values: tuple[str, ...],
                 clock: Callable[[], str] = utc_now):
        self.rater = check_rater(rater)
        self.folder = Path(folder)
        self.keys = tuple(keys)
        self.values = tuple(values)
        self.clock = clock
        self.path = self.folder / f"{self.rater}.csv"
        self.history_path = self.folder / f"{self.rater}.history.jsonl"
        self._rows: dict[tuple[str, ...], dict[str, str]] = {}
        self._extra: tuple[str, ...] = ()  # columns found in the file that the store does not know
        self._disk: bytes | None = None  # the file's bytes as last read or written
        self._load()

    @property
    def columns(self) -> tuple[str, ...]:
        return ("rater", *self.keys, *self.values, "updated_at", *self._extra)

    # ------------------------------------------------------------------ reading
    def _read_disk(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def _load(self) -> None:
        data = self._read_disk()
        self._disk = data
        self._rows = {}
        self._extra = ()
        if data is None:
            return
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        known = {"rater", *self.keys, *self.values, "updated_at"}
        self._extra = tuple(c for c in (reader.fieldnames or []) if c and c not in known)
        seen: dict[tuple[str, ...], int] = {}
        for line, row in enumerate(reader, start=2):
            key = tuple(row.get(k) or "" for k in self.keys)
            if key in seen:
                warnings.warn(f"{self.path.name}: rows {seen[key]} and {line} are both for "
                              f"{', '.join(key)}; the later row (row {line}) is used", stacklevel=3)
            seen[key] = line
            self._rows[key] = {c: (row.get(c) or "") for c in (*self.values, "updated_at", *self._extra)}

    def _sync(self) -> None:
        """Before a write: read the file again if someone else changed it, and reconcile the history."""
        if self._read_disk() != self._disk:
            self._load()
            self._reconciled = False
        if not getattr(self, "_reconciled", False):
            self._reconcile()
            self._reconciled = True

    def _reconcile(self) -> None:
        """Record in the history what the file holds but the history does not say.

        The file is written before its history line, so a process killed between
        the two leaves a change that the history lacks; a file edited by hand, or
        one brought from elsewhere, does the same.  Such differences are
        appended as ``"recovered": true`` entries (which undo steps over), so the
        history again ends in the file's state.  Run before the first write of a
        session, never when only reading.
        """
        entries = self._entries()
        if not entries and not self._rows:
            return
        state: dict[tuple[str, ...], dict | None] = {}
        for entry in entries:
            state[tuple(entry.get("key", []))] = entry.get("new")
        now = self.clock()
        lines = []
        for key in sorted(set(state) | set(self._rows)):
            row = self._rows.get(key)
            current = None if row is None else {v: row[v] for v in self.values}
            if state.get(key) != current:
                entry = {"at": now, "key": list(key), "old": state.get(key), "new": current, "recovered": True}
                lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True))
        if lines:  # one write and one fsync for all of them (a file of 20,000 rows took 75 s line by line)
            append_line(self.history_path, "\n".join(lines))

    def get(self, key: Iterable[str]) -> dict[str, str] | None:
        """The values stored under ``key`` (without ``updated_at``), or ``None``."""
        row = self._rows.get(tuple(key))
        return None if row is None else {v: row[v] for v in self.values}

    def items(self) -> list[tuple[tuple[str, ...], dict[str, str]]]:
        """Every ``(key, values)`` pair, sorted by key (values without ``updated_at``)."""
        return [(key, {v: row[v] for v in self.values}) for key, row in sorted(self._rows.items())]

    def iter_items(self):
        """Every ``(key, row)`` pair in no particular order, without copies (fast; do not modify ``row``)."""
        return iter(self._rows.items())

    def frame(self) -> pd.DataFrame:
        """Every row as a DataFrame with the file's columns, sorted by key."""
        import pandas as pd

        rows = [{"rater": self.rater, **dict(zip(self.keys, key)), **vals} for key, vals in sorted(self._rows.items())]
        return pd.DataFrame(rows, columns=list(self.columns), dtype="str")

    def _entries(self) -> list[dict]:
        if not self.history_path.exists():
            return []
        entries = []
        lines = self.history_path.read_text(encoding="utf-8").split("\n")
        for line in lines[:-1]:  # the part after the last newline is a write cut short
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return entries

    def _tail_entries(self, last: int) -> list[dict]:
        """The last ``last`` entries, reading only the end of the history file."""
        try:
            size = self.history_path.stat().st_size
        except FileNotFoundError:
            return []
        block = 8192
        with open(self.history_path, "rb") as handle:
            while True:
                start = max(0, size - block)
                handle.seek(start)
                data = handle.read(size - start)
                lines = data.split(b"\n")[:-1]  # the part after the last newline is a write cut short
                if start > 0:
                    lines = lines[1:]  # the first line may be cut by the block's start
                if len(lines) > last or start == 0:
                    break
                block *= 4
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line.decode("utf-8")))
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
        return entries[-last:]

    def changes(self, last: int | None = None) -> list[dict]:
        """The history's entries (or the ``last`` few), oldest first, as written: ``at``, ``key``, ``old``, ``new``."""
        if last is not None:
            return self._tail_entries(last) if last > 0 else []
        return self._entries()

    def history(self, last: int | None = None) -> pd.DataFrame:
        """Every change (or the ``last`` few), oldest first: ``at``, the keys, ``old_*`` and ``new_*`` values, ``undo``."""
        import pandas as pd

        entries = self.changes(last)
        records = []
        for entry in entries:
            rec = {"at": entry.get("at", ""), **dict(zip(self.keys, entry.get("key", [])))}
            for v in self.values:
                rec[f"old_{v}"] = (entry.get("old") or {}).get(v, "")
                rec[f"new_{v}"] = (entry.get("new") or {}).get(v, "")
            rec["undo"] = bool(entry.get("undo", False))
            records.append(rec)
        cols = ["at", *self.keys, *(f"old_{v}" for v in self.values), *(f"new_{v}" for v in self.values), "undo"]
        return pd.DataFrame(records, columns=cols)

    # ------------------------------------------------------------------ writing
    def _render(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for key, vals in sorted(self._rows.items()):
            writer.writerow([self.rater, *key, *(vals[v] for v in self.values), vals["updated_at"],
                             *(vals.get(c, "") for c in self._extra)])
        return buffer.getvalue()

    def set(self, key: Iterable[str], **values: str | int | None) -> None:
        """Store ``values`` under ``key`` (other values of the row are kept) and save at once.

        ``None`` is stored as ``""`` (unknown).  Nothing is written when nothing changes.
        """
        key = tuple(str(k) for k in key)
        if len(key) != len(self.keys):
            raise ValueError(f"a key has {len(self.keys)} parts ({', '.join(self.keys)}), not {len(key)}")
        unknown = set(values) - set(self.values)
        if unknown:
            raise ValueError(f"unknown value names {sorted(unknown)}; expected some of {list(self.values)}")
        self._sync()
        old = self.get(key)
        new = dict(old or {v: "" for v in self.values})
        new.update({k: "" if v is None else str(v) for k, v in values.items()})
        if old == new:
            return
        self._apply(key, old, new, undo=False)

    def _apply(self, key, old, new, *, undo: bool) -> None:
        if new is None:
            self._rows.pop(key, None)
        else:
            extra = {c: v for c, v in self._rows.get(key, {}).items() if c in self._extra}
            self._rows[key] = {**new, "updated_at": self.clock(), **extra}
        text = self._render()
        atomic_write_text(self.path, text)
        self._disk = text.encode("utf-8")
        entry = {"at": self.clock(), "key": list(key), "old": old, "new": new}
        if undo:
            entry["undo"] = True
        append_line(self.history_path, json.dumps(entry, ensure_ascii=False, sort_keys=True))

    def undo_change(self) -> dict | None:
        """Undo the last change not yet undone and return it (``key``, ``old``, ``new``); ``None`` when there is none.

        Undo works as a stack: each undo takes back the most recent change that
        is still in force, so repeated undos walk back through the history.
        """
        self._sync()
        pending = 0
        for entry in reversed(self._entries()):
            if entry.get("recovered"):
                continue  # not a change made here: undo steps over it
            if entry.get("undo"):
                pending += 1  # each undo entry cancels the most recent change before it
                continue
            if pending:
                pending -= 1
                continue
            key = tuple(entry["key"])
            self._apply(key, entry.get("new"), entry.get("old"), undo=True)
            return {"key": key, "old": entry.get("old"), "new": entry.get("new")}
        return None

    def undo(self) -> bool:
        """Undo the last change that has not been undone; ``False`` when there is none."""
        return self.undo_change() is not None
