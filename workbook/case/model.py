"""The case as loaded: :class:`Case`, and the :class:`Problem` and :class:`CaseError` that name what is wrong.

Nothing here reads a file; :mod:`workbook.case.loading` builds these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contract import TABLES

__all__ = ["Case", "CaseError", "Problem", "split_list", "shown"]

MAX_SHOWN = 60  # longest value quoted in full in a message
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


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

    def _render_traceback_(self) -> list[str]:
        """What IPython (and so Jupyter) shows for this error: the problem list alone.

        The library's own traceback above it would only hide what to fix.  IPython
        looks for this method by name; nothing here imports IPython.
        """
        return f"CaseError: {self}".splitlines()


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



def shown(value: str) -> str:
    """A cell as quoted in a message: control characters made visible, long values cut."""
    value = "".join(_ESCAPES.get(ch, f"\\x{ord(ch):02x}") if ch in _ESCAPES or ord(ch) < 32 or ord(ch) == 127
                    else ch for ch in value)
    return value if len(value) <= MAX_SHOWN else value[: MAX_SHOWN - 1] + "…"

