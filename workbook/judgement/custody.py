"""Derivation paths, chains of custody and dependence between testimonies.

A testimony is read in one source; that source may have been made from older
ones (``sources.derived_from``, or a custody step's ``from_source_id``).  The
source and all its ancestors are the testimony's *derivation path*, and the
custody steps of every source on it are its *chain of custody*, oldest first:

>>> from pathlib import Path
>>> from workbook import load_case
>>> case = load_case(Path(__file__).parents[1] / "template_case")
>>> print(custody_line(case, "t-history").replace(" + ", "\\n  + ").replace(" → ", "\\n→ "))
court-record-1850: recorded by clerk 1850-07-02, archived by county-archive 1851
  + letter-1850: created by miller 1850-06-03, archived by county-archive 1851
→ history-1950: quoted by historian 1950, published 1950

Two testimonies are *dependent* when they share a speaker, a source on their
paths, or a custodian who shaped the text of a source on each path.  The
groups are formed among the testimonies asked about only, and each group is
labelled by the smallest testimony id in it:

>>> for testimony, group in dependence_groups(case, ties=("speaker",)).items():
...     print(f"{testimony:20} {group}")
t-neighbour-court    t-neighbour-court
t-miller-court       t-miller-court
t-miller-letter      t-miller-court
t-history            t-history
t-neighbour-market   t-neighbour-court
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..case.contract import ASSESSMENT_SETTINGS, CONTENT_SHAPING_ACTIONS
from ..case.model import Case, split_list

if TYPE_CHECKING:  # imported lazily at run time: both are slow to import
    import networkx as nx
    from prov.model import ProvDocument

__all__ = [
    "TIES",
    "derivation_path",
    "custody_chain",
    "custody_line",
    "derivation_graph",
    "custody_prov",
    "dependence_groups",
    "is_assessment",
]

#: The kinds of tie that make two testimonies dependent, in the order they are documented.
TIES = ("speaker", "origin", "custodian")

_CHAIN_COLUMNS = ["source_id", "depth", "seq", "date", "date_earliest", "date_latest",
                  "custodian", "action", "from_source_id", "notes", "attested"]


# --------------------------------------------------------------------------- derivation


def _derivation_columns(case: Case) -> tuple[tuple, tuple, tuple, tuple]:
    """The four columns that derivation depends on, as tuples (hashable: the cache key below)."""
    sources, custody = case.sources, case.custody
    return (tuple(sources["source_id"].to_numpy(dtype=object)), tuple(sources["derived_from"].to_numpy(dtype=object)),
            tuple(custody["source_id"].to_numpy(dtype=object)), tuple(custody["from_source_id"].to_numpy(dtype=object)))


@functools.lru_cache(maxsize=8)
def _edges(source_ids: tuple, derived_from: tuple, custody_ids: tuple, from_ids: tuple) -> tuple[tuple[str, str], ...]:
    """Every derivation edge (child, parent) once, sorted; cached on the columns' values, so a
    notebook that asks for the chain of every testimony builds them once."""
    pairs: set[tuple[str, str]] = set()
    for child, derived in zip(source_ids, derived_from):
        if derived:
            pairs.update((child, parent) for parent in split_list(derived))
    pairs.update((child, parent.strip()) for child, parent in zip(custody_ids, from_ids) if parent != "")
    return tuple(sorted((c, p) for c, p in pairs if p and p != c))


def _parent_pairs(case: Case) -> pd.DataFrame:
    """Every derivation edge once: columns ``source_id`` (the child) and ``parent_id``, sorted."""
    ordered = _edges(*_derivation_columns(case))
    return pd.DataFrame({"source_id": pd.Series([c for c, _ in ordered], dtype="str"),
                         "parent_id": pd.Series([p for _, p in ordered], dtype="str")})


def _parents_map(case: Case) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for child, parent in _edges(*_derivation_columns(case)):
        out.setdefault(child, []).append(parent)
    return out


def _path_depths(parents: dict[str, list[str]], source: str) -> dict[str, int]:
    """Each source on the derivation path of ``source`` and its depth.

    The depth is the *longest* number of derivation steps from ``source`` (0)
    back to the ancestor, so that sorting by depth, deepest first, puts every
    ancestor before everything made from it.
    """
    on_path = {source}
    stack = [source]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in on_path:
                on_path.add(parent)
                stack.append(parent)
    # Kahn's algorithm from the source towards its ancestors (edges child -> parent)
    waiting = {s: 0 for s in on_path}  # number of children on the path not yet visited
    for s in on_path:
        for parent in parents.get(s, ()):
            waiting[parent] += 1
    depth = dict.fromkeys(on_path, 0)
    ready = [source]
    while ready:
        child = ready.pop()
        for parent in parents.get(child, ()):
            depth[parent] = max(depth[parent], depth[child] + 1)
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    return depth


def _reading_source(case: Case, testimony_id: str) -> str:
    found = case.testimonies.loc[case.testimonies["testimony_id"] == testimony_id, "source_id"]
    if found.empty:
        raise ValueError(f"'{testimony_id}' is not a testimony_id in testimonies.csv")
    return str(found.iloc[0])


def _testimony_parents(case: Case, testimony_id: str) -> tuple[str, dict[str, list[str]]]:
    """The source a testimony is read in, and the derivation map its path follows.

    Where the testimony names ``quoted_from`` (its words come from that source,
    quoted in a compilation), the source it is read in leads back to that
    source only, not to everything the compilation was made from.
    """
    read_in = _reading_source(case, testimony_id)
    parents = _parents_map(case)
    if "quoted_from" in case.testimonies.columns:
        quoted = case.testimonies.loc[case.testimonies["testimony_id"] == testimony_id, "quoted_from"].iloc[0]
        if quoted and quoted != read_in:
            parents = dict(parents)
            parents[read_in] = [str(quoted)]
    return read_in, parents


def derivation_path(case: Case, source_id: str) -> list[str]:
    """``source_id`` and every source it was made from, oldest first.

    Ancestors come before what was made from them; sources of the same
    generation are sorted by id.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> derivation_path(case, "history-1950")
    ['court-record-1850', 'letter-1850', 'history-1950']
    """
    if not (case.sources["source_id"] == source_id).any():
        raise ValueError(f"'{source_id}' is not a source_id in sources.csv")
    depths = _path_depths(_parents_map(case), source_id)
    return sorted(depths, key=lambda s: (-depths[s], s))


def custody_chain(case: Case, testimony_id: str) -> pd.DataFrame:
    """The chain of custody of a testimony, from its origin to the source it is read in.

    One row per custody step of every source on the testimony's derivation
    path (the source it is read in and all sources that one was made from,
    or, where the testimony names ``quoted_from``, that source and its
    ancestors), oldest first: ancestors before descendants (by ``depth``, deepest first),
    then by ``source_id``, then by ``seq``.  ``depth`` is 0 for the source the
    testimony is read in, 1 for its parents, and so on (the longest way back
    when there are several).  A source on the path with no custody steps gets
    one row with an empty ``action`` (and ``seq`` missing), so that the chain
    shows every document the testimony passed through.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> custody_chain(case, "t-history")[["source_id", "depth", "seq", "action", "custodian"]]
               source_id  depth  seq     action       custodian
    0  court-record-1850      1    1   recorded           clerk
    1  court-record-1850      1    2   archived  county-archive
    2        letter-1850      1    1    created          miller
    3        letter-1850      1    2   archived  county-archive
    4       history-1950      0    1     quoted       historian
    5       history-1950      0    2  published       historian
    """
    read_in, parents = _testimony_parents(case, testimony_id)
    depths = _path_depths(parents, read_in)
    custody = case.custody
    steps = custody[custody["source_id"].isin(list(depths))]
    missing = sorted(set(depths) - set(steps["source_id"]))
    if missing:
        blank = pd.DataFrame({
            "source_id": pd.Series(missing, dtype="str"),
            "seq": pd.Series([pd.NA] * len(missing), dtype="Int64"),
            "date_earliest": pd.Series([pd.NaT] * len(missing), dtype=custody["date_earliest"].dtype),
            "date_latest": pd.Series([pd.NaT] * len(missing), dtype=custody["date_latest"].dtype),
            **{c: pd.Series([""] * len(missing), dtype="str")
               for c in ("date", "custodian", "action", "from_source_id", "notes")},
        })
        steps = pd.concat([steps[blank.columns], blank], ignore_index=True)
    chain = steps.assign(depth=steps["source_id"].map(depths).astype("int64"))
    chain = chain.sort_values(["depth", "source_id", "seq"], ascending=[False, True, True],
                              na_position="first", kind="stable")
    return chain.reindex(columns=_CHAIN_COLUMNS, fill_value="").reset_index(drop=True)


def _step_text(action: str, custodian: str, date: str, previous_custodian: str | None) -> str:
    words = [action]
    if custodian and custodian != previous_custodian:
        words.append(f"by {custodian}")
    if date:
        words.append(date)
    return " ".join(words)


def _source_text(source_id: str, steps: list[tuple[str, str, str]]) -> str:
    """``'court-record-1850: recorded by clerk 1850-07-02, archived by county-archive 1851'``."""
    parts: list[str] = []
    previous: str | None = None
    for action, custodian, date in steps:
        if not action:
            continue
        parts.append(_step_text(action, custodian, date, previous))
        previous = custodian
    return f"{source_id}: {', '.join(parts)}" if parts else source_id


def custody_line(case: Case, testimony_id: str, max_chars: int | None = None) -> str:
    """The chain of custody of a testimony as one line of text, for cards and tables.

    Sources follow each other with ``→``, oldest first; sources of the same
    generation are joined with ``+``; the steps of one source with ``,``.  The
    custodian is named once for consecutive steps by the same custodian.  With
    ``max_chars``, a longer line keeps its oldest and newest generations and
    says how many sources lie between (then is cut with ``…`` if still too long).

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> custody_line(case, "t-miller-letter")
    'letter-1850: created by miller 1850-06-03, archived by county-archive 1851'
    >>> custody_line(case, "t-history", max_chars=60)
    'court-record-1850: recorded by clerk 1850-07-02, archived…'
    """
    chain = custody_chain(case, testimony_id)  # oldest first: depth falling, then source, then seq
    generations: list[list[str]] = []
    steps: dict[str, list[tuple[str, str, str]]] = {}
    depth_of: dict[str, int] = {}
    for source_id, depth, action, custodian, date in zip(
            *(chain[c].to_numpy(dtype=object) for c in ("source_id", "depth", "action", "custodian", "date"))):
        steps.setdefault(source_id, []).append((action, custodian, date))
        depth_of[source_id] = depth
    previous_depth = None
    for source_id, source_steps in steps.items():
        if depth_of[source_id] != previous_depth:
            generations.append([])
            previous_depth = depth_of[source_id]
        generations[-1].append(_source_text(source_id, source_steps))
    texts = [" + ".join(generation) for generation in generations]
    line = " → ".join(texts)
    if max_chars is not None and len(line) > max_chars:
        if len(texts) > 2:
            hidden = sum(len(g) for g in generations[1:-1])
            line = f"{texts[0]} → … ({hidden} more source{'s' if hidden > 1 else ''}) … → {texts[-1]}"
        if len(line) > max_chars:
            cut = line[: max(max_chars - 1, 0)]
            if " " in cut:
                cut = cut[: cut.rfind(" ")]
            line = cut.rstrip(" ,+→") + "…"
    return line


def _edge_labels(case: Case) -> dict[tuple[str, str], str]:
    """``(parent, child)`` -> ``'quoted by historian'`` from custody steps naming a ``from_source_id``."""
    custody = case.custody
    steps = custody[custody["from_source_id"] != ""].sort_values(["source_id", "seq"])
    labels: dict[tuple[str, str], list[str]] = {}
    for child, parent, action, custodian in zip(steps["source_id"], steps["from_source_id"],
                                                steps["action"], steps["custodian"]):
        labels.setdefault((parent, child), []).append(f"{action} by {custodian}" if custodian else action)
    return {edge: ", ".join(texts) for edge, texts in labels.items()}


def derivation_graph(case: Case, testimony_id: str | None = None) -> nx.DiGraph:
    """The sources of a case (or of one testimony's path) and what was made from what.

    Nodes are source ids with the attributes ``title``, ``kind``, ``access``,
    ``created``, ``shaped_by`` (the content-shaping custody steps, e.g.
    ``['recorded by clerk']``) and ``read_in`` (True for the source the
    testimony is read in).  Edges run from a parent to the source made from it,
    with a ``label`` such as ``'quoted by historian'`` when a custody step
    names the parent (``from_source_id``), else ``''``.  Nodes and edges are
    added in sorted order, so the graph is the same on every run.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> graph = derivation_graph(case, "t-history")
    >>> sorted(graph.edges(data="label"))
    [('court-record-1850', 'history-1950', 'quoted by historian'), ('letter-1850', 'history-1950', '')]
    >>> graph.nodes["court-record-1850"]["shaped_by"]
    ['recorded by clerk']
    """
    import networkx as nx

    if testimony_id is None:
        keep = set(case.sources["source_id"])
        read_in: str | None = None
    else:
        read_in, parents = _testimony_parents(case, testimony_id)
        keep = set(_path_depths(parents, read_in))
    graph = nx.DiGraph(case=case.name, testimony_id=testimony_id)
    sources = case.sources[case.sources["source_id"].isin(list(keep))].sort_values("source_id")
    custody = case.custody.sort_values(["source_id", "seq"])
    shaping = custody[custody["action"].isin(CONTENT_SHAPING_ACTIONS)]
    shaped_by: dict[str, list[str]] = {}
    for sid, action, custodian in zip(shaping["source_id"], shaping["action"], shaping["custodian"]):
        shaped_by.setdefault(sid, []).append(f"{action} by {custodian}" if custodian else action)
    for row in sources.itertuples(index=False):
        graph.add_node(row.source_id, title=row.title, kind=row.kind, access=row.access,
                       created=row.created, shaped_by=shaped_by.get(row.source_id, []),
                       read_in=row.source_id == read_in)
    labels = _edge_labels(case)
    pairs = _parent_pairs(case)
    for child, parent in sorted(zip(pairs["source_id"], pairs["parent_id"]), key=lambda e: (e[1], e[0])):
        if child in keep and parent in keep:
            graph.add_edge(parent, child, label=labels.get((parent, child), ""))
    return graph


def _agent_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", name.strip().lower()).strip("-._") or "unknown"


def custody_prov(case: Case) -> ProvDocument:
    """The case's chains of custody as a W3C PROV document.

    Sources are entities (``src:<source_id>``), custodians agents
    (``agent:<custodian as a slug>``), each custody step an activity
    (``step:<source_id>.<seq>``) associated with its custodian, and each
    derivation a ``wasDerivedFrom``.  A step that makes a document (created,
    recorded, translated, summarized, copied, quoted) generated the source; a
    step that loses or destroys it invalidated it; any other step used it.
    The EDTF date is kept as ``case:date``, with its earliest and latest day as
    the activity's start and end.  Write it with ``doc.serialize(format="json")``
    or ``doc.get_provn()``.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> doc = custody_prov(case)
    >>> "wasDerivedFrom(src:history-1950, src:court-record-1850" in doc.get_provn()
    True
    """
    from prov.model import ProvDocument

    doc = ProvDocument()
    base = f"urn:workbook:{_agent_slug(case.name)}:"
    doc.add_namespace("src", base + "source:")
    doc.add_namespace("agent", base + "agent:")
    doc.add_namespace("step", base + "step:")
    contract = doc.add_namespace("case", "urn:workbook:contract#")
    for row in case.sources.sort_values("source_id").itertuples(index=False):
        attributes = {"prov:label": row.title, "case:kind": row.kind}
        for name in ("access", "created", "author", "held_by", "citation"):
            value = getattr(row, name)
            if value:
                attributes[f"case:{name}"] = value
        doc.entity(f"src:{row.source_id}", attributes)
    names: dict[str, list[str]] = {}  # one agent per slug: "NKVD" and "nkvd" are the same custodian
    for custodian in sorted(set(case.custody["custodian"]) - {""}):
        names.setdefault(_agent_slug(custodian), []).append(custodian)
    for slug, spellings in sorted(names.items()):
        doc.agent(f"agent:{slug}", {"prov:label": " / ".join(spellings)})
    makes = {"created", "recorded", "translated", "summarized", "copied", "quoted"}
    ends = {"lost", "destroyed"}
    for row in case.custody.sort_values(["source_id", "seq"]).itertuples(index=False):
        step = f"step:{row.source_id}.{row.seq}"
        start = None if pd.isna(row.date_earliest) else pd.Timestamp(row.date_earliest).to_pydatetime()
        end = None if pd.isna(row.date_latest) else pd.Timestamp(row.date_latest).to_pydatetime()
        attributes = {"prov:type": contract[row.action]}
        if row.date:
            attributes["case:date"] = row.date
        if row.notes:
            attributes["case:notes"] = row.notes
        doc.activity(step, start, end, attributes)
        if row.custodian:
            doc.wasAssociatedWith(step, f"agent:{_agent_slug(row.custodian)}")
        entity = f"src:{row.source_id}"
        if row.action in makes:
            doc.wasGeneratedBy(entity, step)
        elif row.action in ends:
            doc.wasInvalidatedBy(entity, step)
        else:
            doc.used(step, entity)
        if row.from_source_id:
            doc.used(step, f"src:{row.from_source_id}")
    labels_from = case.custody[case.custody["from_source_id"] != ""].sort_values(["source_id", "seq"])
    activity_of = {}
    for sid, parent, seq in zip(labels_from["source_id"], labels_from["from_source_id"], labels_from["seq"]):
        activity_of.setdefault((sid, parent), f"step:{sid}.{seq}")
    pairs = _parent_pairs(case)
    for child, parent in zip(pairs["source_id"], pairs["parent_id"]):
        doc.wasDerivedFrom(f"src:{child}", f"src:{parent}", activity_of.get((child, parent)))
    return doc


# --------------------------------------------------------------------------- dependence


def check_ties(ties: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(ties, str):
        ties = (ties,)
    ties = tuple(ties)
    unknown = [t for t in ties if t not in TIES]
    if unknown:
        raise ValueError(f"unknown tie {unknown[0]!r}; use any of: {', '.join(TIES)}")
    return ties


def spread(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs ``[start[i], start[i] + count[i])``: the run number and the position of each element."""
    run = np.repeat(np.arange(len(start), dtype="int64"), count)
    first = np.cumsum(count) - count
    at = np.arange(len(run), dtype="int64") - np.repeat(first - start, count)
    return run, at


def _generations(n: int, child: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Each source's generation: the longest chain of derivations back to a source with no parent."""
    generation = np.zeros(n, dtype="int64")
    for _ in range(n + 1):
        step = generation.copy()
        np.maximum.at(step, child, generation[parent] + 1)
        if np.array_equal(step, generation):
            return generation
        generation = step
    raise ValueError("sources derive from each other in a circle; validate the case to find where")


def _inherit(n: int, child: np.ndarray, parent: np.ndarray,
             own_source: np.ndarray, own_label: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Close ``(source, label)`` pairs under derivation: a source carries its own labels and its parents'.

    Returns ``(start, count, labels)``: source ``s`` carries
    ``labels[start[s]:start[s] + count[s]]`` (sorted, distinct).  Sources are
    done a generation at a time, each gathering its parents' finished labels,
    so the work is proportional to the size of the result.
    """
    generation = _generations(n, child, parent)
    width = int(own_label.max()) + 1 if len(own_label) else 1
    own = np.unique(own_source * width + own_label)
    own = own[np.argsort(generation[own // width], kind="stable")]
    own_gen = generation[own // width]
    by_gen = np.argsort(generation[child], kind="stable")
    child, parent = child[by_gen], parent[by_gen]
    edge_gen = generation[child]
    start = np.zeros(n, dtype="int64")
    count = np.zeros(n, dtype="int64")
    labels = np.zeros(0, dtype="int64")
    for g in range(int(generation.max()) + 1 if n else 0):
        lo, hi = np.searchsorted(own_gen, [g, g + 1])
        e_lo, e_hi = np.searchsorted(edge_gen, [g, g + 1])
        run, at = spread(start[parent[e_lo:e_hi]], count[parent[e_lo:e_hi]])
        pairs = np.unique(np.concatenate([own[lo:hi], child[e_lo:e_hi][run] * width + labels[at]]))
        if not len(pairs):
            continue
        sources, first, counts = np.unique(pairs // width, return_index=True, return_counts=True)
        start[sources] = len(labels) + first
        count[sources] = counts
        labels = np.concatenate([labels, pairs % width])
    return start, count, labels


def _arrow(values: object):
    """Values as an Arrow array of text (for :func:`positions`)."""
    import pyarrow as pa

    if isinstance(values, pd.Series) and values.dtype != object:
        array = pa.array(values)
    else:
        items = np.asarray(values if isinstance(values, (np.ndarray, pd.Series)) else list(values), dtype=object)
        try:
            array = pa.array(items, type=pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: compare as text
            array = pa.array([str(v) for v in items], type=pa.large_string())
    return array.cast(pa.large_string())


def positions(values: object, universe: object) -> np.ndarray:
    """Position of each value in ``universe`` (first occurrence), -1 where absent.

    A hash join in Arrow: about ten times faster than a pandas object index on
    100k ids.
    """
    import pyarrow.compute as pc

    found = pc.index_in(_arrow(values), value_set=_arrow(universe))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


def _normal_custodian(names: pd.Series) -> list[str]:
    return [" ".join(name.split()).casefold() for name in names.to_numpy(dtype=object)]


def is_assessment(case: Case) -> pd.Series:
    """Which testimonies are assessments: a judgement about the evidence, not testimony about the event.

    A row is an assessment when its ``statement_kind`` says ``assessment``, or
    when ``statement_kind`` is empty and its ``setting`` is one of
    ``scholarly_assessment`` or ``official_finding`` (a scholar's or a
    commission's or a court's judgement).  ``statement_kind`` = ``testimony``
    keeps a row first-order whatever its setting.  Returns a boolean Series
    named ``assessment``, indexed by ``testimony_id`` in the order of
    testimonies.csv.  See ``docs/assessments.md`` for why the two are kept apart.

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> is_assessment(case)["t-history"], is_assessment(case)["t-neighbour-court"]
    (np.False_, np.False_)
    """
    t = case.testimonies
    kind = t["statement_kind"] if "statement_kind" in t.columns else pd.Series([""] * len(t), index=t.index)
    kind = kind.fillna("").astype("str").to_numpy(dtype=object)
    by_setting = t["setting"].isin(list(ASSESSMENT_SETTINGS)).to_numpy()
    flag = np.where(kind == "assessment", True, np.where(kind == "testimony", False, by_setting))
    index = pd.Index(t["testimony_id"].to_numpy(dtype=object), dtype="str", name="testimony_id")
    return pd.Series(flag.astype(bool), index=index, name="assessment")


def _inferred_steps(custody: pd.DataFrame) -> np.ndarray:
    """Custody rows whose step the case marks as inferred (not stated by the sources)."""
    if "attested" not in custody.columns:
        return np.zeros(len(custody), dtype=bool)
    return (custody["attested"].fillna("") == "inferred").to_numpy()


def _parent_codes(case: Case, inferred: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Derivation edges as (child, parent) row positions in sources.csv.

    With ``inferred=False`` a custody step marked ``attested`` = ``inferred``
    does not count as a derivation through its ``from_source_id``.
    """
    sources = case.sources
    derived = sources["derived_from"].to_numpy(dtype=object)
    rows = np.flatnonzero(derived != "")
    children: list[int] = []
    parents: list[str] = []
    for row in rows:
        for parent in split_list(derived[row]):
            children.append(int(row))
            parents.append(parent)
    custody = case.custody
    keep = (custody["from_source_id"] != "").to_numpy().copy()
    if not inferred:
        keep &= ~_inferred_steps(custody)
    linked = custody[keep]
    source_ids = sources["source_id"]
    child = np.concatenate([np.array(children, dtype="int64"), positions(linked["source_id"], source_ids)])
    parent = np.concatenate([positions(parents, source_ids) if parents else np.zeros(0, "int64"),
                             positions(linked["from_source_id"], source_ids)])
    ok = (child >= 0) & (parent >= 0) & (child != parent)
    return child[ok], parent[ok]


def _start_sources(case: Case) -> np.ndarray:
    """Each testimony's first source on its derivation path: ``quoted_from`` where given, else ``source_id``."""
    t = case.testimonies
    start = t["source_id"].to_numpy(dtype=object)
    if "quoted_from" in t.columns:
        quoted = t["quoted_from"].fillna("").to_numpy(dtype=object)
        start = np.where(quoted != "", quoted, start)
    return positions(pd.Series(start, dtype="object"), case.sources["source_id"])


def tie_edges(case: Case, ties: tuple[str, ...], inferred: bool = True,
               through_assessments: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Edges testimony -> key for the chosen ties; testimonies are row positions in testimonies.csv.

    Keys are ``speaker:x``, ``origin:<source>`` for each source on the
    testimony's derivation path, and ``custodian:<name>`` for each custodian
    who shaped the content of a source on that path (integer codes, distinct
    across kinds); two testimonies are tied when they share a key.  Each
    (testimony, key) edge appears once.

    A testimony's path starts at its ``quoted_from`` source where the case
    gives one (a document quoted in a compilation descends from that document,
    not from everything the compilation cites), else at its ``source_id``.
    An assessment (:func:`is_assessment`) is a judgement made in the source it
    starts from: unless ``through_assessments``, its origin key is that source
    alone (in a key space of its own, shared only with other assessments made
    there) and its custodian keys are that source's own custodians, so that a
    compilation's judgement never ties the documents it cites to each other.
    With ``inferred=False``, custody steps marked ``attested`` = ``inferred``
    make no derivation and no custodian key.
    """
    testimonies = case.testimonies
    parts_t: list[np.ndarray] = []
    parts_k: list[np.ndarray] = []
    offset = 0
    if "speaker" in ties:
        speakers = testimonies["speaker_id"]
        has = (speakers != "").to_numpy()
        codes, uniques = pd.factorize(speakers[has])
        parts_t.append(np.flatnonzero(has))
        parts_k.append(codes.astype("int64") + offset)
        offset += len(uniques)
    if "origin" in ties or "custodian" in ties:
        n = len(case.sources)
        child, parent = _parent_codes(case, inferred)
        read = _start_sources(case)
        judged = (np.zeros(len(testimonies), dtype=bool) if through_assessments
                  else is_assessment(case).to_numpy())
        known = np.flatnonzero((read >= 0) & ~judged)
        judging = np.flatnonzero((read >= 0) & judged)
        kinds = []
        if "origin" in ties:
            # Two derivation paths share a source exactly when they share a source
            # with no parent (every source descends from one): those are the keys.
            has_parent = np.zeros(n, dtype=bool)
            has_parent[child] = True
            first = np.flatnonzero(~has_parent)
            kinds.append((first, first, n, "origin"))
        if "custodian" in ties:
            custody = case.custody
            shaping_rows = custody["action"].isin(CONTENT_SHAPING_ACTIONS).to_numpy().copy() & \
                (custody["custodian"] != "").to_numpy()
            if not inferred:
                shaping_rows &= ~_inferred_steps(custody)
            shaping = custody[shaping_rows]
            codes, uniques = pd.factorize(np.array(_normal_custodian(shaping["custodian"]), dtype=object))
            where = positions(shaping["source_id"], case.sources["source_id"])
            kinds.append((where[where >= 0], codes.astype("int64")[where >= 0], len(uniques), "custodian"))
        for own_source, own_label, width, kind in kinds:
            start, count, labels = _inherit(n, child, parent, own_source, own_label)
            run, at = spread(start[read[known]], count[read[known]])
            parts_t.append(known[run])
            parts_k.append(labels[at] + offset)
            offset += width
            if not len(judging):
                continue
            if kind == "origin":  # the source the judgement is made in, in a key space of its own
                parts_t.append(judging)
                parts_k.append(read[judging] + offset)
                offset += n
            else:  # the custodians who shaped that source itself, not the ones it cites
                order = np.argsort(own_source, kind="stable")
                src, lab = own_source[order], own_label[order]
                lo = np.searchsorted(src, read[judging], side="left")
                hi = np.searchsorted(src, read[judging], side="right")
                run, at = spread(lo, hi - lo)
                pairs = np.unique(np.stack([judging[run], lab[at]], axis=1), axis=0) if len(run) else \
                    np.zeros((0, 2), dtype="int64")
                parts_t.append(pairs[:, 0].astype("int64"))
                parts_k.append(pairs[:, 1].astype("int64") + offset - width)
    if not parts_t:
        return np.zeros(0, "int64"), np.zeros(0, "int64")
    return np.concatenate(parts_t).astype("int64"), np.concatenate(parts_k).astype("int64")


def _union_find(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected components: each node's root, the smallest node number in its component.

    Vectorised hooking of roots onto the smaller root, then pointer jumping,
    until every edge joins two nodes with the same root (a few rounds).
    """
    parent = np.arange(n_nodes, dtype="int64")
    if not len(u):
        return parent
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        pu, pv = pu[differ], pv[differ]
        np.minimum.at(parent, np.maximum(pu, pv), np.minimum(pu, pv))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def group_roots(n_items: int, item: np.ndarray, key: np.ndarray) -> np.ndarray:
    """For items linked when they share a key, each item's root: the smallest item in its group.

    ``(item, key)`` pairs must be distinct and keys non-negative.  Keys held by
    a single item link nothing and are dropped before the components are computed.
    """
    if not len(item):
        return np.arange(n_items, dtype="int64")
    if key.max() < 4 * len(key) + 1024:  # small key codes: count them directly
        shared = np.bincount(key)[key] > 1
        key = key[shared]
    else:
        _, key, counts = np.unique(key, return_inverse=True, return_counts=True)
        shared = counts[key] > 1
        key = key[shared]
    return _union_find(n_items + (int(key.max()) + 1 if len(key) else 0), item[shared], n_items + key)[:n_items]


def dependence_groups(case: Case, ties: str | Iterable[str] = TIES,
                      testimonies: Iterable[str] | None = None, *, inferred: bool = True,
                      through_assessments: bool = False) -> pd.Series:
    """Which testimonies depend on each other, as groups among the given testimonies.

    Two testimonies are tied by

    - ``speaker`` when they share a (non-empty) ``speaker_id``;
    - ``origin`` when their derivation paths (the source each is read in and
      all the sources it was made from) reach a common source;
    - ``custodian`` when a source on each path had a content-shaping custody
      step (created, recorded, edited, redacted, summarized, translated) by the
      same custodian (names compared without case and surrounding spaces).

    The groups are the connected components of these ties among the given
    testimonies only (all of the case's when ``testimonies`` is None): a third
    testimony left out never links two others, so a later compilation that
    quotes two independent documents does not make them dependent unless a
    testimony read in the compilation is itself counted (the template's 1950
    history repeats the neighbour's testimony: ``statement_kind`` testimony,
    so it is counted and ties what its source was made from; had it named
    ``quoted_from`` = the court record, it would tie the neighbour only).

    Returns a Series named ``group``, indexed by ``testimony_id`` in the order
    of testimonies.csv, whose value is the group's label: **the smallest
    testimony id in the group** (code-point order, as Python's ``sorted``).  A
    testimony tied to no other is its own group, labelled by its own id.

    Two rules keep a compilation from tying everything it cites:

    - a testimony with ``quoted_from`` descends from that source, not from
      every source the compilation it is read in was made from;
    - an assessment (:func:`is_assessment`: a scholar's, a commission's or a
      court's judgement) is tied by origin only to other assessments made in
      the same source, and by custodian only through that source's own
      custodians.  ``through_assessments=True`` gives the old rule, under which
      an assessment carried every source its compilation was made from (and so
      tied the documents it cites to each other).

    ``inferred=False`` leaves out custody steps marked ``attested`` =
    ``inferred`` (a step the case builder infers, not one the sources state).

    >>> from pathlib import Path
    >>> from workbook import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> dependence_groups(case, testimonies=["t-miller-letter", "t-neighbour-court"]).to_dict()
    {'t-neighbour-court': 't-neighbour-court', 't-miller-letter': 't-miller-letter'}
    >>> dependence_groups(case, testimonies=["t-miller-letter", "t-neighbour-court", "t-history"]).to_dict()
    {'t-neighbour-court': 't-history', 't-miller-letter': 't-history', 't-history': 't-history'}
    """
    ties = check_ties(ties)
    edge_t, edge_k = tie_edges(case, ties, inferred=inferred, through_assessments=through_assessments)
    ids = case.testimonies["testimony_id"]
    if testimonies is None:
        rows = np.arange(len(ids), dtype="int64")
    else:
        wanted = pd.Series(list(testimonies) if not isinstance(testimonies, pd.Series) else testimonies,
                           dtype="object")
        found = positions(wanted, ids)
        if (found < 0).any():
            unknown = ", ".join(f"'{t}'" for t in pd.unique(wanted[found < 0])[:5])
            raise ValueError(f"{unknown}: not a testimony_id in testimonies.csv")
        rows = np.unique(found)
    # items numbered in the order of their ids, so that a group's root is its smallest id
    names = ids.to_numpy(dtype=object)[rows]
    by_name = np.argsort(names, kind="stable")
    rows, names = rows[by_name], names[by_name]
    item_of_row = np.full(len(ids), -1, dtype="int64")
    item_of_row[rows] = np.arange(len(rows))
    keep = item_of_row[edge_t] >= 0
    roots = group_roots(len(rows), item_of_row[edge_t[keep]], edge_k[keep])
    labels = names[roots]
    in_file_order = np.argsort(rows, kind="stable")
    index = pd.Index(names[in_file_order], dtype="str", name="testimony_id")
    return pd.Series(labels[in_file_order], index=index, dtype="str", name="group")


#: The names of these helpers before the layers made them public within the judgement layer.
_group_roots = group_roots
