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
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


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


def _shown(value: str) -> str:
    value = value.replace("\n", "\\n")
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
    """Read with pyarrow; ``None`` when any row is ragged or blank (then the slow path locates it)."""
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
            read_options=pacsv.ReadOptions(block_size=1 << 26),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                              invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[]),
        )
    except Exception:  # anything odd: let the careful reader explain it
        return None
    if ragged or table.column_names != header:
        return None
    frame = table.to_pandas()
    for col in frame.columns:
        frame[col] = frame[col].astype("str")
    if len(header) == 1 and (frame[header[0]] == "").any():
        return None  # a blank line in a one-column file: let the slow path name it
    return frame


def _read_slow(file: str, text: str, header: list[str], problems: list[Problem]) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    width = len(header)
    rows: list[list[str]] = []
    keep: list[int] = []
    for number, row in enumerate(reader, start=2):
        if not row or all(cell == "" for cell in row) and len(row) <= 1:
            problems.append(Problem(file, number, None, "the row is blank; delete it"))
            continue
        if len(row) != width:
            what = "more" if len(row) > width else "fewer"
            problems.append(Problem(
                file, number, None,
                f"the row has {len(row)} cells, {what} than the {width} columns of the header; "
                "check for a stray comma or a quote that is not closed", ",".join(row)))
            row = (row + [""] * width)[:width]
        rows.append(row)
        keep.append(number)
    frame = pd.DataFrame(rows, columns=range(width), dtype="str") if rows else \
        pd.DataFrame({i: pd.Series([], dtype="str") for i in range(width)})
    frame.columns = header
    frame.index = pd.Index(np.array(keep, dtype="int64") - 2)
    return frame


def _read_table(file: str, path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(file, None, None, f"the file cannot be read ({exc.strerror})"))
        return None
    text = _decode(file, data, problems)
    if text is None:
        return None
    try:
        header = next(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.append(Problem(file, 1, None, f"the header row cannot be read as CSV ({exc})"))
        return None
    for i, name in enumerate(header):
        if name == "":
            problems.append(Problem(file, 1, None, f"column {i + 1} of the header has no name; name it or delete it"))
        elif name != name.strip():
            problems.append(Problem(file, 1, name, f"the column name '{name}' has spaces around it; remove them", name))
    seen: set[str] = set()
    for name in header:
        if name in seen and name:
            problems.append(Problem(file, 1, name, f"the column '{name}' appears twice in the header; keep one", name))
        seen.add(name)
    frame = _read_fast(data, header)
    if frame is None:
        try:
            frame = _read_slow(file, text, header, problems)
        except csv.Error as exc:
            problems.append(Problem(file, None, None, f"the file cannot be read as CSV ({exc})"))
            return None
        # keep only the first of duplicated columns so the checks below see plain Series
        frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame


# --------------------------------------------------------------------------- descriptor


def _read_descriptor(folder: Path, problems: list[Problem]) -> tuple[dict, dict[str, str]]:
    """The case's ``datapackage.json`` (or ``{}``) and its table name -> file map."""
    files = {name: t.file for name, t in TABLES.items()}
    path = folder / "datapackage.json"
    if not path.exists():
        return {}, files
    try:
        descriptor = json.loads(path.read_bytes().decode("utf-8-sig"))
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


def _check_table(table: Table, file: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    header = list(frame.columns)
    for name in table.required_columns:
        if name not in header:
            problems.append(Problem(file, 1, name,
                                    f"the required column '{name}' is missing; the header has: {', '.join(header)}"))
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        s = frame[column.name]
        empty = s == ""
        if column.required:
            for idx in s.index[empty]:
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"the cell is empty; '{column.name}' is required", ""))
        filled = s[~empty]
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
                items = filled.str.split(";").explode().str.strip()
                items = items[items != ""]
            bad = items[~items.isin(allowed)]
            for idx, value in bad.items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{_shown(value)}' is not allowed; use one of: {', '.join(allowed)}", value))
        elif column.kind == "integer":
            bad = filled[~filled.str.fullmatch(r"[+-]?\d+")]
            for idx, value in bad.items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{_shown(value)}' is not a whole number", value))
        elif column.kind == "number":
            numbers = pd.to_numeric(filled, errors="coerce")
            for idx, value in filled[numbers.isna() | ~np.isfinite(numbers)].items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{_shown(value)}' is not a number; write it with a dot, e.g. 1.5", value))
        elif column.kind == "edtf":
            _, _, errors = bounds_frame(filled)
            for idx, message in errors.items():
                problems.append(Problem(file, int(idx) + 2, column.name, message, filled[idx]))
    # identifiers that repeat
    if table.primary_key:
        (key,) = table.primary_key
        if key in frame.columns:
            s = frame[key]
            dup = s.duplicated(keep="first") & (s != "")
            first_row = {v: int(i) + 2 for i, v in s[~s.duplicated(keep="first")].items()}
            for idx, value in s[dup].items():
                problems.append(Problem(file, int(idx) + 2, key,
                                        f"'{_shown(value)}' is used twice; it was already used on row {first_row[value]}; "
                                        f"each {key} must be unique", value))
    if table.unique and all(c in frame.columns for c in table.unique):
        sub = frame[list(table.unique)]
        dup = sub.duplicated(keep="first") & (sub != "").all(axis=1)
        names = " and ".join(table.unique)
        for idx in sub.index[dup]:
            value = ", ".join(sub.loc[idx])
            what = "custody step number" if table.name == "custody" else "pair"
            problems.append(Problem(file, int(idx) + 2, table.unique[-1],
                                    f"the {what} ({value}) repeats; each {names} may appear once", value))


def _slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", value.strip().lower()).strip("-._")
    return slug or "an-id"


def _check_references(tables: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem]) -> None:
    for table in TABLES.values():
        frame = tables.get(table.name)
        if frame is None:
            continue
        for column in table.columns:
            if column.kind not in ("ref", "refs") or column.name not in frame.columns:
                continue
            target_table, target_column = column.ref.split(".")
            target = tables.get(target_table)
            s = frame[column.name]
            s = s[s != ""]
            if s.empty:
                continue
            if column.kind == "refs":
                s = s.str.split(";").explode().str.strip()
                s = s[s != ""]
            if target is None or target_column not in target.columns:
                known: set[str] = set()
            else:
                known = set(target[target_column])
            bad = s[~s.isin(known)]
            target_file = files.get(target_table, f"{target_table}.csv")
            for idx, value in bad.items():
                problems.append(Problem(files[table.name], int(idx) + 2, column.name,
                                        f"'{_shown(value)}' is not a {target_column} in {target_file}", value))


def _find_cycle(edges: list[tuple[str, str, int]]) -> list[tuple[str, str, int]] | None:
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
        edges: list[tuple[str, str, int]] = []
        for idx, sid, derived in sources[["source_id", "derived_from"]].itertuples():
            for parent in split_list(derived):
                edges.append((sid, parent, int(idx) + 2))
        if custody is not None and {"source_id", "from_source_id"} <= set(custody.columns):
            for idx, sid, parent in custody[["source_id", "from_source_id"]].itertuples():
                if parent:
                    edges.append((sid, parent, -(int(idx) + 2)))
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
    lo = pd.to_numeric(frame["min"], errors="coerce")
    hi = pd.to_numeric(frame["max"], errors="coerce")
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


def _check_whereabouts(frame: pd.DataFrame | None, file: str, problems: list[Problem]) -> None:
    if frame is None or not {"start", "end"} <= set(frame.columns):
        return
    start, _, _ = bounds_frame(frame["start"])
    _, end, _ = bounds_frame(frame["end"])
    for idx in frame.index[(end < start).fillna(False)]:
        problems.append(Problem(file, int(idx) + 2, "end",
                                f"the stay ends ({frame.at[idx, 'end']}) before it starts ({frame.at[idx, 'start']})",
                                frame.at[idx, "end"]))


# --------------------------------------------------------------------------- assembling


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in table.column_names})


def _typed(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Contract types on a clean frame: integers, numbers, and EDTF bounds beside each date."""
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
            out[name] = pd.to_numeric(s.replace("", None), errors="coerce").astype("Int64")
        elif column.kind == "number":
            out[name] = pd.to_numeric(s.replace("", None), errors="coerce").astype("Float64")
        else:
            out[name] = s
        if column.kind == "edtf":
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


def _collect(path: str | Path) -> tuple[list[Problem], dict | None]:
    folder = Path(path)
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(folder.name or str(folder), None, None,
                                f"there is no case folder at '{folder}'"))
        return problems, None
    descriptor, files = _read_descriptor(folder, problems)
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        file = files[name]
        fpath = folder / file
        if not fpath.is_file():
            if name in REQUIRED_TABLES:
                problems.append(Problem(file, None, None,
                                        f"the required file is missing; a case needs {', '.join(t + '.csv' for t in REQUIRED_TABLES)}"))
            continue
        frame = _read_table(file, fpath, problems)
        if frame is None:
            continue
        _check_table(table, file, frame, problems)
        tables[name] = frame
    _check_references(tables, files, problems)
    _check_cycles(tables, files, problems)
    _check_rubric(tables.get("rubric"), files["rubric"], problems)
    _check_whereabouts(tables.get("whereabouts"), files["whereabouts"], problems)
    problems = sorted(set(problems), key=Problem._key)
    return problems, {"tables": tables, "descriptor": descriptor, "files": files, "folder": folder}


def validate(path: str | Path) -> list[Problem]:
    """Every problem of the case in ``path``, sorted by file and row (empty when clean)."""
    problems, _ = _collect(path)
    return problems


def load_case(path: str | Path) -> Case:
    """Load and validate the case in the folder ``path``.

    Raises :class:`CaseError` carrying every problem found.  Loading never writes
    into the case folder.
    """
    problems, state = _collect(path)
    if problems:
        raise CaseError(path, problems)
    assert state is not None
    tables = state["tables"]
    typed = {}
    for name, table in TABLES.items():
        frame = tables.get(name)
        if frame is None and name == "rubric":
            frame = _read_table("rubric.csv", DEFAULT_RUBRIC_PATH, []) if DEFAULT_RUBRIC_PATH.exists() else None
        typed[name] = _typed(table, frame if frame is not None else _empty(table))
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
