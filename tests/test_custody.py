"""Derivation paths, custody chains and dependence groups on a small case worked out by hand.

The case (a toy version of the Moscow trials' paper trail):

    int-a (restricted) ──┐
                         ├─> comp-c (summary) ──┐
    int-b (lost) ────────┘                      ├─> book
    trial-ru ──(custody: translated)─> trial-en ┤
        └───────────────────────────────────────┘   (book also cites trial-ru directly)
    memoir (no derivation)

Testimonies: t-a in int-a, t-b in int-b, t-c in comp-c, t-ru in trial-ru,
t-en in trial-en, t-book in book, t-memoir in memoir.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workbook
from workbook import load_case
from workbook.custody import (
    custody_chain,
    custody_line,
    custody_prov,
    dependence_groups,
    derivation_graph,
    derivation_path,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "template_case"

CASE = {
    "sources.csv": """source_id,title,kind,access,derived_from
int-a,Interrogation of Piatakov,interrogation_record,restricted,
int-b,Interrogation of Radek,interrogation_record,lost,
comp-c,Summary of the interrogations,archival_summary,declassified,int-a;int-b
trial-ru,Stenogramma of the trial,trial_transcript,published,
trial-en,Report of Court Proceedings,translation,published,
book,A history of the trial,scholarly_work,published,trial-en;comp-c;trial-ru
memoir,Memoir of Trotsky,memoir,published,
news,Aftenposten report,newspaper,published,
""",
    "people.csv": """person_id,name
piatakov,Georgy Piatakov
radek,Karl Radek
trotsky,Leon Trotsky
historian,A. Historian
""",
    "custody.csv": """source_id,seq,custodian,action,date,from_source_id,notes
int-a,1,nkvd,recorded,1936-12-12,,
int-a,2,nkvd,redacted,1937-01,,
int-a,3,fsb archive,archived,1992,,
int-b,1,NKVD,recorded,1936-11,,
comp-c,1,archivist,summarized,1956,,
comp-c,2,archivist,declassified,1989,,
trial-ru,1,court clerk,recorded,1937-01-23,,
trial-ru,2,commissariat of justice,published,1937,,
trial-en,1,translator,translated,1937,trial-ru,
trial-en,2,translator,published,1937,,
memoir,1,trotsky,created,1937,,
""",
    "claims.csv": """claim_id,statement,parent_id
conspiracy,There was a parallel centre.,
meeting,Piatakov met Trotsky in Oslo in December 1935.,conspiracy
flight,A plane landed at Kjeller in December 1935.,meeting
""",
    "testimonies.csv": """testimony_id,source_id,given,setting,quote,speaker_id
t-a,int-a,1936-12-12,pretrial_interrogation,I flew to Oslo.,piatakov
t-b,int-b,1936-11,pretrial_interrogation,Piatakov told me.,radek
t-c,comp-c,1956,official_finding,They confessed.,
t-ru,trial-ru,1937-01-23,open_court,I flew to Oslo.,piatakov
t-en,trial-en,1937-01-23,open_court,I flew to Oslo.,piatakov
t-book,book,1990,scholarly_assessment,The flight is doubtful.,historian
t-memoir,memoir,1937,memoir,I never met him.,trotsky
t-news,news,1937-01-25,other,No plane landed.,
""",
    "evidence.csv": """testimony_id,claim_id,stance
t-a,meeting,supports
t-b,meeting,supports
t-ru,meeting,supports
t-en,meeting,supports
t-book,meeting,qualifies
t-memoir,meeting,contradicts
t-c,conspiracy,supports
t-ru,flight,supports
t-news,flight,contradicts
""",
}


def write_case(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return load_case(write_case(tmp_path_factory.mktemp("trials"), CASE))


def groups(series: pd.Series) -> dict[str, str]:
    return series.to_dict()


# --------------------------------------------------------------------------- paths and chains


def test_public_names():
    for name in ("custody_chain", "custody_line", "derivation_graph", "custody_prov", "dependence_groups",
                 "derivation_path"):
        assert name in workbook.__all__ and callable(getattr(workbook, name))


def test_derivation_path_oldest_first(case):
    # trial-ru is both a parent and a grandparent of book: the longer way decides its place
    assert derivation_path(case, "book") == ["int-a", "int-b", "trial-ru", "comp-c", "trial-en", "book"]
    assert derivation_path(case, "trial-en") == ["trial-ru", "trial-en"]
    assert derivation_path(case, "memoir") == ["memoir"]
    with pytest.raises(ValueError, match="'nope' is not a source_id in sources.csv"):
        derivation_path(case, "nope")


def test_custody_chain_two_levels_exact_rows(case):
    chain = custody_chain(case, "t-book")
    assert list(chain.columns) == ["source_id", "depth", "seq", "date", "date_earliest", "date_latest",
                                   "custodian", "action", "from_source_id", "notes", "attested"]
    rows = [(r.source_id, r.depth, None if pd.isna(r.seq) else int(r.seq), r.custodian, r.action, r.date,
             r.from_source_id) for r in chain.itertuples()]
    assert rows == [
        ("int-a", 2, 1, "nkvd", "recorded", "1936-12-12", ""),
        ("int-a", 2, 2, "nkvd", "redacted", "1937-01", ""),
        ("int-a", 2, 3, "fsb archive", "archived", "1992", ""),
        ("int-b", 2, 1, "NKVD", "recorded", "1936-11", ""),
        ("trial-ru", 2, 1, "court clerk", "recorded", "1937-01-23", ""),
        ("trial-ru", 2, 2, "commissariat of justice", "published", "1937", ""),
        ("comp-c", 1, 1, "archivist", "summarized", "1956", ""),
        ("comp-c", 1, 2, "archivist", "declassified", "1989", ""),
        ("trial-en", 1, 1, "translator", "translated", "1937", "trial-ru"),
        ("trial-en", 1, 2, "translator", "published", "1937", ""),
        ("book", 0, None, "", "", "", ""),  # on the path, but no custody steps recorded
    ]
    assert chain.loc[0, "date_earliest"] == pd.Timestamp("1936-12-12")
    assert chain.loc[1, "date_latest"] == pd.Timestamp("1937-01-31")
    assert pd.isna(chain.loc[10, "date_earliest"])


def test_custody_chain_single_source_and_errors(case):
    chain = custody_chain(case, "t-memoir")
    assert chain[["source_id", "depth", "action"]].values.tolist() == [["memoir", 0, "created"]]
    news = custody_chain(case, "t-news")  # a source with no custody at all
    assert news[["source_id", "depth", "action"]].values.tolist() == [["news", 0, ""]]
    with pytest.raises(ValueError, match="'t-x' is not a testimony_id in testimonies.csv"):
        custody_chain(case, "t-x")


def test_custody_line_exact(case):
    assert custody_line(case, "t-en") == (
        "trial-ru: recorded by court clerk 1937-01-23, published by commissariat of justice 1937"
        " → trial-en: translated by translator 1937, published 1937")
    assert custody_line(case, "t-book") == (
        "int-a: recorded by nkvd 1936-12-12, redacted 1937-01, archived by fsb archive 1992"
        " + int-b: recorded by NKVD 1936-11"
        " + trial-ru: recorded by court clerk 1937-01-23, published by commissariat of justice 1937"
        " → comp-c: summarized by archivist 1956, declassified 1989"
        " + trial-en: translated by translator 1937, published 1937"
        " → book")
    assert custody_line(case, "t-news") == "news"
    assert custody_line(case, "t-book", max_chars=240) == (
        "int-a: recorded by nkvd 1936-12-12, redacted 1937-01, archived by fsb archive 1992"
        " + int-b: recorded by NKVD 1936-11"
        " + trial-ru: recorded by court clerk 1937-01-23, published by commissariat of justice 1937"
        " → … (2 more sources) … → book")
    assert custody_line(case, "t-book", max_chars=40) == "int-a: recorded by nkvd 1936-12-12…"
    assert custody_line(case, "t-en", max_chars=1000) == custody_line(case, "t-en")


def test_derivation_graph_whole_case_and_one_testimony(case):
    graph = derivation_graph(case)
    assert sorted(graph.nodes) == ["book", "comp-c", "int-a", "int-b", "memoir", "news", "trial-en", "trial-ru"]
    assert sorted(graph.edges) == [("comp-c", "book"), ("int-a", "comp-c"), ("int-b", "comp-c"),
                                   ("trial-en", "book"), ("trial-ru", "book"), ("trial-ru", "trial-en")]
    assert graph.edges["trial-ru", "trial-en"]["label"] == "translated by translator"
    assert graph.edges["comp-c", "book"]["label"] == ""
    assert graph.nodes["int-a"]["access"] == "restricted"
    assert graph.nodes["int-a"]["kind"] == "interrogation_record"
    assert graph.nodes["int-a"]["title"] == "Interrogation of Piatakov"
    assert graph.nodes["int-a"]["shaped_by"] == ["recorded by nkvd", "redacted by nkvd"]
    assert not any(graph.nodes[n]["read_in"] for n in graph.nodes)
    one = derivation_graph(case, "t-en")
    assert sorted(one.nodes) == ["trial-en", "trial-ru"]
    assert list(one.edges) == [("trial-ru", "trial-en")]
    assert one.nodes["trial-en"]["read_in"] and not one.nodes["trial-ru"]["read_in"]
    assert one.graph["testimony_id"] == "t-en"


def test_custody_prov(case):
    from prov.model import ProvDocument

    doc = custody_prov(case)
    provn = doc.get_provn()
    assert provn.count("entity(src:") == 8
    assert provn.count("agent(agent:") == 7  # nkvd and NKVD are one agent
    assert provn.count("activity(step:") == 11
    assert provn.count("wasDerivedFrom(") == 6
    assert "wasDerivedFrom(src:trial-en, src:trial-ru, step:trial-en.1" in provn
    assert "wasAssociatedWith(step:int-a.1, agent:nkvd" in provn
    assert "wasGeneratedBy(src:trial-en, step:trial-en.1" in provn
    again = ProvDocument.deserialize(content=doc.serialize(format="json"), format="json")
    assert again == doc
    assert custody_prov(case).serialize(format="json") == doc.serialize(format="json")


# --------------------------------------------------------------------------- dependence


ALL = ["t-a", "t-b", "t-c", "t-ru", "t-en", "t-book", "t-memoir", "t-news"]


def test_speaker_ties(case):
    g = dependence_groups(case, ties=("speaker",))
    assert g.name == "group" and g.index.name == "testimony_id"
    assert list(g.index) == ALL  # the order of testimonies.csv
    assert groups(g) == {"t-a": "t-a", "t-b": "t-b", "t-c": "t-c", "t-ru": "t-a", "t-en": "t-a",
                         "t-book": "t-book", "t-memoir": "t-memoir", "t-news": "t-news"}
    # empty speaker ids never tie: t-c and t-news stay apart
    assert dependence_groups(case, "speaker", ["t-c", "t-news"]).to_dict() == {"t-c": "t-c", "t-news": "t-news"}


def test_origin_compilation_ties_only_when_given(case):
    two = dependence_groups(case, ties=("origin",), testimonies=["t-b", "t-a"])
    assert two.to_dict() == {"t-a": "t-a", "t-b": "t-b"}  # independent documents
    # t-c is an official finding read in the summary comp-c: an assessment, which does not carry
    # the sources its compilation was made from, so it ties nothing (issue 13)
    three = dependence_groups(case, ties=("origin",), testimonies=["t-a", "t-b", "t-c"])
    assert three.to_dict() == {"t-a": "t-a", "t-b": "t-b", "t-c": "t-c"}
    old = dependence_groups(case, ties=("origin",), testimonies=["t-a", "t-b", "t-c"], through_assessments=True)
    assert old.to_dict() == {"t-a": "t-a", "t-b": "t-a", "t-c": "t-a"}  # the old rule: the compilation ties them
    everything = dependence_groups(case, ties="origin")
    assert groups(everything) == {"t-a": "t-a", "t-b": "t-b", "t-c": "t-c", "t-ru": "t-en", "t-en": "t-en",
                                  "t-book": "t-book", "t-memoir": "t-memoir", "t-news": "t-news"}
    everything_old = dependence_groups(case, ties="origin", through_assessments=True)
    assert groups(everything_old) == {"t-a": "t-a", "t-b": "t-a", "t-c": "t-a", "t-ru": "t-a", "t-en": "t-a",
                                      "t-book": "t-a", "t-memoir": "t-memoir", "t-news": "t-news"}
    all_ties = dependence_groups(case)  # t-b joins t-a by the NKVD recording both, t-ru by the speaker
    assert groups(all_ties) == {"t-a": "t-a", "t-b": "t-a", "t-c": "t-c", "t-ru": "t-a", "t-en": "t-a",
                                "t-book": "t-book", "t-memoir": "t-memoir", "t-news": "t-news"}
    without_book = dependence_groups(case, ties="origin", testimonies=["t-a", "t-b", "t-ru", "t-en", "t-memoir"])
    assert groups(without_book) == {"t-a": "t-a", "t-b": "t-b", "t-ru": "t-en", "t-en": "t-en",
                                    "t-memoir": "t-memoir"}


def test_custodian_ties(case):
    # int-a and int-b were both recorded by the NKVD (names compared without case)
    assert dependence_groups(case, "custodian", ["t-a", "t-b"]).to_dict() == {"t-a": "t-a", "t-b": "t-a"}
    # archiving and publishing do not shape content: trial-ru's publisher ties nothing
    g = dependence_groups(case, "custodian", ["t-ru", "t-memoir", "t-a", "t-news"])
    assert groups(g) == {"t-a": "t-a", "t-ru": "t-ru", "t-memoir": "t-memoir", "t-news": "t-news"}
    # t-en inherits the court clerk from trial-ru (translated from it)
    assert dependence_groups(case, "custodian", ["t-ru", "t-en"]).to_dict() == {"t-ru": "t-en", "t-en": "t-en"}


def test_combined_ties(case):
    subset = ["t-a", "t-b", "t-ru", "t-en", "t-memoir"]
    assert groups(dependence_groups(case, ("speaker", "origin"), subset)) == {
        "t-a": "t-a", "t-b": "t-b", "t-ru": "t-a", "t-en": "t-a", "t-memoir": "t-memoir"}
    assert groups(dependence_groups(case, testimonies=subset)) == {
        "t-a": "t-a", "t-b": "t-a", "t-ru": "t-a", "t-en": "t-a", "t-memoir": "t-memoir"}
    assert groups(dependence_groups(case, ties=())) == {t: t for t in ALL}


def test_dependence_errors_and_inputs(case):
    with pytest.raises(ValueError, match="unknown tie 'author'; use any of: speaker, origin, custodian"):
        dependence_groups(case, ties=("speaker", "author"))
    with pytest.raises(ValueError, match="'t-zz'"):
        dependence_groups(case, testimonies=["t-a", "t-zz"])
    # any iterable, duplicates ignored, result in file order
    g = dependence_groups(case, "speaker", pd.Series(["t-en", "t-a", "t-en"]))
    assert g.to_dict() == {"t-a": "t-a", "t-en": "t-a"}
    assert list(dependence_groups(case, testimonies=[]).index) == []


def test_template_case():
    case = load_case(TEMPLATE)
    assert derivation_path(case, "history-1950") == ["court-record-1850", "letter-1850", "history-1950"]
    assert dependence_groups(case, "origin", ["t-miller-letter", "t-neighbour-court"]).nunique() == 2


# --------------------------------------------------------------------------- against a naive reference


def _naive_groups(case, ties, testimonies):
    """Pairwise definition, O(n²), straight from the wording of the issue."""
    parents = {}
    for s, d in zip(case.sources["source_id"], case.sources["derived_from"]):
        parents.setdefault(s, set()).update(workbook.split_list(d))
    for s, p in zip(case.custody["source_id"], case.custody["from_source_id"]):
        if p:
            parents.setdefault(s, set()).add(p)

    def path(s):
        seen, stack = {s}, [s]
        while stack:
            for p in parents.get(stack.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    shaping = case.custody[case.custody["action"].isin(workbook.contract.CONTENT_SHAPING_ACTIONS)]
    shapers = {}
    for s, c in zip(shaping["source_id"], shaping["custodian"]):
        shapers.setdefault(s, set()).add(c.strip().casefold())
    t = case.testimonies.set_index("testimony_id")
    info = {}
    for tid in testimonies:
        p = path(t.at[tid, "source_id"])
        info[tid] = (t.at[tid, "speaker_id"], p, set().union(*(shapers.get(s, set()) for s in p)))
    label = {tid: tid for tid in testimonies}

    def find(x):
        while label[x] != x:
            x = label[x]
        return x

    for a, b in itertools.combinations(testimonies, 2):
        (sa, pa, ca), (sb, pb, cb) = info[a], info[b]
        if ("speaker" in ties and sa and sa == sb) or ("origin" in ties and pa & pb) or \
                ("custodian" in ties and ca & cb):
            ra, rb = find(a), find(b)
            label[max(ra, rb)] = min(ra, rb)
    members = {}
    for tid in testimonies:
        members.setdefault(find(tid), []).append(tid)
    return {tid: min(members[find(tid)]) for tid in testimonies}


def _random_case(folder: Path, rng: random.Random) -> Path:
    n_s, n_t = 25, 40
    sources = ["source_id,title,kind,derived_from"]
    for i in range(n_s):
        parents = rng.sample(range(i), rng.choice([0, 0, 1, 2])) if i > 2 else []
        sources.append(f"s{i:02d},S,other,{';'.join(f's{p:02d}' for p in parents)}")
    custody = ["source_id,seq,custodian,action,from_source_id"]
    for i in range(n_s):
        for seq in range(1, rng.choice([1, 2, 3])):
            action = rng.choice(["created", "recorded", "archived", "published", "edited", "quoted"])
            parent = f"s{rng.randrange(i):02d}" if i > 3 and rng.random() < 0.15 else ""
            custody.append(f"s{i:02d},{seq},{rng.choice(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])},{action},{parent}")
    people = "person_id,name\n" + "".join(f"p{i},P\n" for i in range(12))
    testimonies = ["testimony_id,source_id,given,setting,quote,speaker_id"]
    for i in range(n_t):
        speaker = f"p{rng.randrange(12)}" if rng.random() < 0.6 else ""
        testimonies.append(f"t{rng.randrange(1000):03d}-{i},s{rng.randrange(n_s):02d},1936,other,q,{speaker}")
    return write_case(folder, {
        "sources.csv": "\n".join(sources) + "\n", "custody.csv": "\n".join(custody) + "\n",
        "people.csv": people, "claims.csv": "claim_id,statement\nc,C\n",
        "testimonies.csv": "\n".join(testimonies) + "\n", "evidence.csv": "testimony_id,claim_id,stance\n",
    })


def test_matches_naive_pairwise_definition(tmp_path):
    rng = random.Random(7)
    for k in range(4):
        case = _random_case(tmp_path / f"r{k}", rng)
        case = load_case(case)
        ids = list(case.testimonies["testimony_id"])
        for ties in [("speaker",), ("origin",), ("custodian",), ("speaker", "origin", "custodian")]:
            for subset in (ids, rng.sample(ids, 12), rng.sample(ids, 5)):
                got = dependence_groups(case, ties, subset).to_dict()
                assert got == _naive_groups(case, ties, subset), (k, ties, subset)


def test_union_find_many_rounds():
    from workbook.custody import _group_roots

    # a long chain of items linked through keys in a scrambled order
    n = 2000
    order = np.random.default_rng(3).permutation(n)
    item = np.concatenate([order[:-1], order[1:]])
    key = np.concatenate([np.arange(n - 1), np.arange(n - 1)])
    assert (_group_roots(n, item, key) == 0).all()


def test_inferred_custody_steps_can_be_left_out(tmp_path):
    # the summary comp-c is made from int-a and int-b; mark the NKVD's recording of int-b as inferred
    custody = CASE["custody.csv"]
    files = dict(CASE)
    lines = custody.strip().split("\n")
    header = lines[0] + ",attested"
    body = [line + (",inferred" if line.startswith("int-b,") and ",recorded," in line else ",") for line in lines[1:]]
    files["custody.csv"] = "\n".join([header] + body) + "\n"
    case = load_case(write_case(tmp_path / "inferred", files))
    pair = ["t-a", "t-b"]
    assert dependence_groups(case, "custodian", pair).nunique() == 1
    assert dependence_groups(case, "custodian", pair, inferred=False).nunique() == 2
    chain = custody_chain(case, "t-b")
    assert chain["attested"].tolist() == ["inferred"] + [""] * (len(chain) - 1)
