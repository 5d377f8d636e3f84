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
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from ._io import append_line, atomic_write_text

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
    workbook.store.RaterNameError: '../etc/passwd' is not a usable rater name: use 1 to 64 lower-case letters, digits, - or _, starting with a letter or digit (e.g. 'etc-passwd')
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

    Columns of the file: ``rater``, the keys, the values, ``updated_at``.  Every
    :meth:`set` rewrites the file atomically and appends to the history.  Values
    are strings; ``""`` means unknown or not given.  Rows whose values are all
    empty are kept (an explicit "unknown" is a judgement too).
    """

    def __init__(self, folder: str | Path, rater: str, *, keys: tuple[str, ...], values: tuple[str, ...],
                 clock: Callable[[], str] = utc_now):
        self.rater = check_rater(rater)
        self.folder = Path(folder)
        self.keys = tuple(keys)
        self.values = tuple(values)
        self.columns = ("rater", *self.keys, *self.values, "updated_at")
        self.clock = clock
        self.path = self.folder / f"{self.rater}.csv"
        self.history_path = self.folder / f"{self.rater}.history.jsonl"
        self._rows: dict[tuple[str, ...], dict[str, str]] = {}
        self._extra_rows: list[dict[str, str]] = []
        if self.path.exists():
            self._load()

    # ------------------------------------------------------------------ reading
    def _load(self) -> None:
        text = self.path.read_bytes().decode("utf-8-sig")
        for row in csv.DictReader(io.StringIO(text, newline="")):
            key = tuple(row.get(k) or "" for k in self.keys)
            self._rows[key] = {c: (row.get(c) or "") for c in (*self.values, "updated_at")}

    def get(self, key: Iterable[str]) -> dict[str, str] | None:
        """The values stored under ``key`` (without ``updated_at``), or ``None``."""
        row = self._rows.get(tuple(key))
        return None if row is None else {v: row[v] for v in self.values}

    def frame(self) -> pd.DataFrame:
        """Every row as a DataFrame with the file's columns, sorted by key."""
        rows = [{"rater": self.rater, **dict(zip(self.keys, key)), **vals} for key, vals in sorted(self._rows.items())]
        return pd.DataFrame(rows, columns=list(self.columns), dtype="str")

    def history(self) -> pd.DataFrame:
        """Every change, oldest first: ``at``, the keys, ``old_*`` and ``new_*`` values, ``undo``."""
        records = []
        if self.history_path.exists():
            lines = self.history_path.read_text(encoding="utf-8").split("\n")
            for line in lines[:-1]:  # the part after the last newline is a write cut short
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
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
            writer.writerow([self.rater, *key, *(vals[v] for v in self.values), vals["updated_at"]])
        return buffer.getvalue()

    def set(self, key: Iterable[str], **values: str) -> None:
        """Store ``values`` under ``key`` (other values of the row are kept) and save at once."""
        key = tuple(str(k) for k in key)
        if len(key) != len(self.keys):
            raise ValueError(f"a key has {len(self.keys)} parts ({', '.join(self.keys)}), not {len(key)}")
        unknown = set(values) - set(self.values)
        if unknown:
            raise ValueError(f"unknown value names {sorted(unknown)}; expected some of {list(self.values)}")
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
            self._rows[key] = {**new, "updated_at": self.clock()}
        atomic_write_text(self.path, self._render())
        entry = {"at": self.clock(), "key": list(key), "old": old, "new": new}
        if undo:
            entry["undo"] = True
        append_line(self.history_path, json.dumps(entry, ensure_ascii=False, sort_keys=True))

    def undo(self) -> bool:
        """Undo the last change that has not been undone; ``False`` when there is none."""
        if not self.history_path.exists():
            return False
        lines = self.history_path.read_text(encoding="utf-8").split("\n")[:-1]
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        # walk back: each undo entry cancels the most recent change before it
        pending = 0
        for entry in reversed(entries):
            if entry.get("undo"):
                pending += 1
                continue
            if pending:
                pending -= 1
                continue
            key = tuple(entry["key"])
            self._apply(key, entry.get("new"), entry.get("old"), undo=True)
            return True
        return False
