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

from pathlib import Path

import pandas as pd

from .checks import check_cycles, check_references, check_rubric, check_table, check_whereabouts, integers
from .contract import REQUIRED_TABLES, TABLES, Table
from .dates import bounds_frame
from .model import Case, CaseError, Problem, split_list
from .reading import read_descriptor, read_table

__all__ = ["Case", "CaseError", "Problem", "load_case", "validate", "split_list", "DEFAULT_RUBRIC_PATH", "typed"]

DEFAULT_RUBRIC_PATH = Path(__file__).resolve().parents[1] / "rubrics" / "default.csv"


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in table.column_names})


def typed(table: Table, frame: pd.DataFrame, bounds: dict | None = None) -> pd.DataFrame:
    """Contract types on a clean frame: integers, numbers, and EDTF bounds beside each date.

    ``bounds`` holds the dates' bounds as :func:`check_table` found them (on the
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
            out[name] = integers(s)
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
    descriptor, files = read_descriptor(folder, problems)
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
        frame = read_table(file, fpath, problems, skip[name])
        if frame is None:
            broken.add(name)
            continue
        check_table(table, file, frame, problems, skip[name], bounds.setdefault(name, {}))
        tables[name] = frame
        if bar is not None:
            bar.update(fpath.stat().st_size)
    check_references(tables, files, problems, broken, skip)
    check_cycles(tables, files, problems)
    check_rubric(tables.get("rubric"), files["rubric"], problems)
    check_whereabouts(tables.get("whereabouts"), files["whereabouts"], problems,
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
    frames = {}
    for name, table in TABLES.items():
        frame = tables.get(name)
        if frame is None and name == "rubric":
            frame = read_table("rubric.csv", DEFAULT_RUBRIC_PATH, []) if DEFAULT_RUBRIC_PATH.exists() else None
        frames[name] = typed(table, frame if frame is not None else _empty(table), state["bounds"].get(name))
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
        **frames,
    )
