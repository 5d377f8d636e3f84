"""Checking a case's frames against the contract: cells, references, cycles, rubric, whereabouts.

Each check appends :class:`~workbook.case.model.Problem` objects to the list
given; none raises.  The helpers on cell columns (:func:`blank`, :func:`integers`,
:func:`list_items`) are public within the case layer.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .contract import SLUG_PATTERN, TABLES, VOCABULARIES, Table
from .dates import bounds_frame
from .model import Problem, shown, split_list

__all__ = ["check_table", "check_references", "check_cycles", "check_rubric", "check_whereabouts",
           "blank", "integers", "list_items"]

_SLUG = re.compile(SLUG_PATTERN)


_CHECKED_KINDS = ("id", "enum", "enums", "integer", "number", "edtf")  # kinds whose cells check_table reads


def check_table(table: Table, file: str, frame: pd.DataFrame, problems: list[Problem],
                 skip: list[int] | None = None, bounds: dict | None = None) -> None:
    """Check each cell of one table; with ``bounds``, keep there each date column's bounds (for :func:`typed`)."""
    header = list(frame.columns)
    for name in table.required_columns:
        if name not in header:
            near = [h for h in header if h.lower() == name.lower()]
            hint = f"; rename '{near[0]}' to '{name}'" if near else ""
            problems.append(Problem(file, 1, name,
                                    f"the required column '{name}' is missing; the header has: "
                                    f"{', '.join(shown(h) for h in header)}{hint}"))
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        if not column.required and column.kind not in _CHECKED_KINDS:
            continue  # optional text or references (checked with their targets): nothing to check here
        s = frame[column.name].drop(skip) if skip else frame[column.name]  # a ragged row is reported whole
        empty = blank(s)  # a cell of spaces is as empty as an empty one
        if column.required:
            for idx in s.index[empty]:
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"the cell is empty; '{column.name}' is required", ""))
        filled = s[~empty] if empty.any() else s
        if column.kind == "id":
            bad = filled[~filled.str.fullmatch(SLUG_PATTERN)]
            for idx, value in bad.items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{shown(value)}' is not an identifier; use lower-case letters, digits "
                                        f"and . _ - only, starting with a letter or digit (e.g. '{_slugify(value)}')",
                                        value))
        elif column.kind in ("enum", "enums"):
            allowed = VOCABULARIES[f"{table.name}.{column.name}"]
            if column.kind == "enum":
                items = filled
            else:
                items = list_items(filled)
            bad = items[~items.isin(allowed)]
            for idx, value in bad.items():
                if value.strip() in allowed:
                    message = f"'{shown(value)}' has spaces around it; write '{value.strip()}'"
                else:
                    message = f"'{shown(value)}' is not allowed; use one of: {', '.join(allowed)}"
                problems.append(Problem(file, int(idx) + 2, column.name, message, value))
        elif column.kind == "integer":
            numbers = integers(filled)
            for idx, value in filled[numbers.isna()].items():
                message = (f"'{shown(value)}' is too large for a whole number here" if _INTEGER.fullmatch(value)
                           else f"'{shown(value)}' is not a whole number")
                problems.append(Problem(file, int(idx) + 2, column.name, message, value))
        elif column.kind == "number":
            numbers = pd.to_numeric(filled, errors="coerce")
            for idx, value in filled[numbers.isna() | ~np.isfinite(numbers)].items():
                problems.append(Problem(file, int(idx) + 2, column.name,
                                        f"'{shown(value)}' is not a number; write it with a dot, e.g. 1.5", value))
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
                                        f"'{shown(value)}' is used twice; it was already used on row {first_row[value]}; "
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


def integers(s: pd.Series) -> pd.Series:
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


def blank(s: pd.Series) -> pd.Series:
    """``s.str.strip() == ""`` without making the stripped copy of every cell (a quote column is large)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(s, type=pa.large_string(), from_pandas=True)
    blank = pc.or_(pc.equal(text, ""), pc.utf8_is_space(text))  # is_space: all characters are white space
    return pd.Series(blank.to_numpy(zero_copy_only=False), index=s.index, dtype=bool)


def list_items(s: pd.Series) -> pd.Series:
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


def check_references(tables: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem],
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
            s = s[~blank(s)]  # empty cells: reported as empty where required
            if s.empty:
                continue
            if column.kind == "refs":
                s = list_items(s)
            targets = pd.Series([], dtype="str") if target is None else target[target_column]
            bad = s[~_isin(s, targets)]
            known: set[str] = set(targets) if len(bad) else set()  # for the messages only
            target_file = files.get(target_table, f"{target_table}.csv")
            for idx, value in bad.items():
                if value.strip() in known:
                    message = f"'{shown(value)}' has spaces around it; write '{value.strip()}'"
                else:
                    message = f"'{shown(value)}' is not a {target_column} in {target_file}"
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


def check_cycles(tables: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem]) -> None:
    sources, custody, claims = tables.get("sources"), tables.get("custody"), tables.get("claims")
    if sources is not None and {"source_id", "derived_from"} <= set(sources.columns):
        # (source, parent, row): every item of derived_from, then every from_source_id (row < 0)
        items = list_items(sources["derived_from"].set_axis(np.arange(len(sources))))
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


def check_rubric(frame: pd.DataFrame | None, file: str, problems: list[Problem]) -> None:
    if frame is None or not {"min", "max"} <= set(frame.columns):
        return
    lo = integers(frame["min"]).astype("float64")  # NaN where not a whole number (reported already)
    hi = integers(frame["max"]).astype("float64")
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


def check_whereabouts(frame: pd.DataFrame | None, file: str, problems: list[Problem],
                       bounds: dict | None = None) -> None:
    if frame is None or not {"start", "end"} <= set(frame.columns):
        return
    if bounds and {"start", "end"} <= set(bounds):  # as check_table found them; empty cells NaT
        start, end = bounds["start"][0].reindex(frame.index), bounds["end"][1].reindex(frame.index)
    else:
        start, _, _ = bounds_frame(frame["start"])
        _, end, _ = bounds_frame(frame["end"])
    for idx in frame.index[(end < start).fillna(False)]:
        problems.append(Problem(file, int(idx) + 2, "end",
                                f"the stay ends ({frame.at[idx, 'end']}) before it starts ({frame.at[idx, 'start']})",
                                frame.at[idx, "end"]))


# --------------------------------------------------------------------------- assembling

