"""Aligning versions of one statement: what every version shares, what only some have.

A statement often survives in several versions: the record of a pretrial
interrogation, a prosecutor's draft, the published trial transcript.  Laid side
by side word by word, the versions show what was kept, what was added and what
was dropped.  :func:`align_versions` aligns two or more texts with CollateX (the
standard collation tool of textual scholarship); :func:`versions_text` and
:func:`versions_html` show the alignment, in plain text (stable for notebook
tests) and in the essay's typographic style (normal type for the words all
versions share, a style per version for the rest).

>>> a = align_versions({"pre": "I flew to Oslo and met Trotsky.",
...                     "trial": "I travelled to Oslo, and met L. D. Trotsky there."})
>>> print(versions_text(a))
I [pre: flew | trial: travelled] to Oslo and met [pre: — | trial: L. D.]
Trotsky. [pre: — | trial: there.]

Words are compared after normalisation (letter case, punctuation at the start
or end of a word, typographic quotes and dashes), so ``Oslo`` and ``Oslo,``
count as the same word; the original words are what is shown.
"""

from __future__ import annotations

import difflib
import html
import json
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..case.model import Case

__all__ = ["align_versions", "compare_versions", "versions_html", "versions_text", "normalize_word"]

ABSENT = "—"  # shown in the text form for a version that has nothing at a place

_QUOTES = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"', "‹": "'", "›": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
})
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_CHUNK = re.compile(r"\S+\s*")

# One style per version, in the order of the versions: (name in the legend, CSS declarations).
_STYLES = (
    ("italic", {"font-style": "italic"}),
    ("bold", {"font-weight": "bold"}),
    ("underlined", {"text-decoration-line": "underline"}),
    ("small capitals", {"font-variant": "small-caps"}),
    ("overlined", {"text-decoration-line": "overline"}),
)


def normalize_word(word: str) -> str:
    """The form of a word used to decide whether two versions agree.

    Unicode compatibility forms are folded (NFKC), typographic quotes and dashes
    become ASCII, letter case is folded, and punctuation at the start or end of
    the word is removed (a word that is all punctuation keeps it).

    >>> normalize_word("“Trotsky,”")
    'trotsky'
    >>> normalize_word("Sokol’nikov")
    "sokol'nikov"
    >>> normalize_word("—")
    '-'
    """
    folded = unicodedata.normalize("NFKC", word).translate(_QUOTES).casefold().strip()
    stripped = _EDGE_PUNCT.sub("", folded)
    return stripped or folded


def _tokens(text: str) -> list[dict[str, str]]:
    """CollateX tokens: ``t`` the original word with the space after it, ``n`` its normal form."""
    return [{"t": m.group(0), "n": normalize_word(m.group(0))} for m in _CHUNK.finditer(text or "")]


def _display(pieces: Sequence[str]) -> str:
    return " ".join("".join(pieces).split())


def _norm_text(text: str) -> str:
    return " ".join(tok["n"] for tok in _tokens(text))


def _collatex_rows(witnesses: list[str], tokens: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    from collatex import collate  # imported lazily: it is slow to import

    data = {"witnesses": [{"id": w, "tokens": tokens[w]} for w in witnesses]}
    result = json.loads(collate(data, output="json", segmentation=True))
    order = result["witnesses"]
    columns = zip(*result["table"])
    rows = []
    for column in columns:
        cells = dict(zip(order, column))
        rows.append({w: _display([tok["t"] for tok in (cells.get(w) or [])]) for w in witnesses})
    # CollateX never loses a word: check it, so that a bug there cannot silently drop text
    for w in witnesses:
        if _norm_text(" ".join(r[w] for r in rows)) != " ".join(t["n"] for t in tokens[w]):
            raise RuntimeError(f"the alignment lost words of {w!r}")
    return rows


def _difflib_rows(a: str, b: str, tokens: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    ta, tb = tokens[a], tokens[b]
    matcher = difflib.SequenceMatcher(None, [t["n"] for t in ta], [t["n"] for t in tb], autojunk=False)
    rows = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        rows.append({a: _display([t["t"] for t in ta[i1:i2]]), b: _display([t["t"] for t in tb[j1:j2]])})
    return rows


def align_versions(texts: Mapping[str, str], *, aligner: str = "collatex") -> pd.DataFrame:
    """Align versions of one statement word by word.

    ``texts`` maps a short name for each version (a witness, in the language of
    textual scholarship) to its text; the order of the mapping is the order of
    the columns (put the earliest version first).  Returns one row per aligned
    segment, with a column per version holding that version's words there
    (``""`` when the version has nothing there) and ``shared_by``: ``"all"``
    when every version reads the same words (after normalisation, see
    :func:`normalize_word`), else ``"some"``.  In a shared row the versions may
    still differ in case or punctuation; each column keeps its own words.

    CollateX does the alignment (``aligner="collatex"``).  Should it fail on
    some input, two versions are aligned with Python's ``difflib`` instead,
    with a warning; ``aligner="difflib"`` asks for that directly.  The frame's
    ``attrs["aligner"]`` says which was used.  The output is deterministic.

    >>> a = align_versions({"draft": "We met in Copenhagen.", "trial": "We met at the Hotel Bristol in Copenhagen."})
    >>> a
       segment           draft                 trial shared_by
    0        0          We met                We met       all
    1        1                  at the Hotel Bristol      some
    2        2  in Copenhagen.        in Copenhagen.       all
    >>> a.attrs["aligner"]
    'collatex'
    """
    witnesses = list(texts)
    if len(witnesses) < 2:
        raise ValueError(f"align_versions needs at least two versions, got {len(witnesses)}: {witnesses}")
    for w in witnesses:
        if not isinstance(w, str) or not w or w in ("segment", "shared_by"):
            raise ValueError(f"{w!r} cannot name a version: use a short non-empty name "
                             "other than 'segment' and 'shared_by'")
        if not isinstance(texts[w], str):
            raise TypeError(f"the text of version {w!r} is {type(texts[w]).__name__}, not str")
    if aligner not in ("collatex", "difflib"):
        raise ValueError(f"aligner must be 'collatex' or 'difflib', not {aligner!r}")
    tokens = {w: _tokens(texts[w]) for w in witnesses}
    present = [w for w in witnesses if tokens[w]]  # CollateX cannot take an empty version

    used = aligner
    if len(present) == 0:
        rows = []
    elif len(present) == 1:
        rows = [{present[0]: _display([t["t"] for t in tokens[present[0]]])}]
    elif aligner == "difflib":
        if len(present) != 2:
            raise ValueError("the difflib aligner takes two versions; use aligner='collatex' for more")
        rows = _difflib_rows(present[0], present[1], tokens)
    else:
        try:
            rows = _collatex_rows(present, tokens)
        except Exception as exc:  # CollateX raises assertion and index errors on odd input
            if len(present) != 2:
                raise RuntimeError(f"CollateX could not align these {len(present)} versions ({exc!r}); "
                                   "try them two at a time") from exc
            warnings.warn(f"CollateX could not align these versions ({exc!r}); aligned them with "
                          "difflib instead", RuntimeWarning, stacklevel=2)
            rows = _difflib_rows(present[0], present[1], tokens)
            used = "difflib"

    records: list[dict[str, str]] = []
    for row in rows:
        full = {w: row.get(w, "") for w in witnesses}
        norms = {_norm_text(full[w]) for w in witnesses}
        shared = "all" if len(norms) == 1 and "" not in norms else "some"
        if not any(full.values()):
            continue
        if records and shared == "all" and records[-1]["shared_by"] == "all":
            for w in witnesses:  # two shared stretches in a row are one stretch
                records[-1][w] = f"{records[-1][w]} {full[w]}"
            continue
        records.append({**full, "shared_by": shared})
    frame = pd.DataFrame(records, columns=[*witnesses, "shared_by"], dtype="str")
    frame.insert(0, "segment", pd.RangeIndex(len(frame)))
    frame.attrs["aligner"] = used
    frame.attrs["witnesses"] = witnesses
    return frame


def _witnesses(alignment: pd.DataFrame) -> list[str]:
    names = alignment.attrs.get("witnesses")
    if names and all(n in alignment.columns for n in names):
        return list(names)
    return [c for c in alignment.columns if c not in ("segment", "shared_by")]


def _places(alignment: pd.DataFrame, witnesses: list[str]) -> list[tuple[str, dict[str, str]]]:
    """Each row of the alignment: ``("all" | "some", text per version)``."""
    return [("all" if row["shared_by"] == "all" else "some", {w: str(row[w]) for w in witnesses})
            for _, row in alignment.iterrows()]


def _readings(texts: dict[str, str], witnesses: list[str]) -> list[tuple[list[str], str]]:
    """Distinct readings at one place, each with the versions that have it, in version order."""
    groups: dict[str, tuple[list[str], str]] = {}
    for w in witnesses:
        key = _norm_text(texts[w])
        if key not in groups:
            groups[key] = ([], texts[w])
        groups[key][0].append(w)
    return list(groups.values())


def versions_text(alignment: pd.DataFrame, *, width: int | None = 79, key: bool = True) -> str:
    """The alignment as plain text: shared words as they are, variants in brackets.

    Words every version shares are printed as they stand (in the first
    version's spelling).  Where the versions differ, the place is printed in
    square brackets: each distinct reading once, after the names of the
    versions that have it, readings separated by ``|`` and listed in the order
    of the versions; ``—`` stands for "nothing here" (words this version
    lacks).  Each row of the alignment that is not shared by all is one
    bracket.  For example::

        I [pre, draft: flew | trial: travelled] to Oslo [pre, trial: — | draft: there]

    reads: pre and draft have *flew*, trial has *travelled*; draft alone adds
    *there*.  Lines are wrapped at ``width`` characters (``None``: one line).
    When the alignment describes its versions (``attrs["labels"]``, as
    :func:`compare_versions` sets), a key comes first, one line a version
    (``A = t-radek-1937-108, trial-1937-en, ...``) and a blank line; ``key=False``
    leaves it out.

    >>> a = align_versions({"pre": "He came by plane.", "draft": "He came by plane to Oslo.",
    ...                     "trial": "He flew in to Oslo."})
    >>> print(versions_text(a, width=None))
    He [pre, draft: came by plane. | trial: flew in] [pre: — | draft, trial: to Oslo.]
    """
    witnesses = _witnesses(alignment)
    pieces = []
    for kind, texts in _places(alignment, witnesses):
        if kind == "all":
            pieces.append(texts[witnesses[0]])
            continue
        readings = _readings(texts, witnesses)
        pieces.append("[" + " | ".join(f"{', '.join(names)}: {text or ABSENT}" for names, text in readings) + "]")
    line = " ".join(p for p in pieces if p)
    if width is not None:
        line = textwrap.fill(line, width=width, break_long_words=False, break_on_hyphens=False)
    labels = alignment.attrs.get("labels") or {}
    if key and labels:
        lines = [f"{w} = {labels[w]}" if labels.get(w) else w for w in witnesses]
        if width is not None:
            lines = [textwrap.fill(x, width=width, subsequent_indent="    ", break_long_words=False,
                                   break_on_hyphens=False) for x in lines]
        line = "\n".join(lines) + "\n\n" + line
    return line


def _css(decls: dict[str, str]) -> str:
    return ";".join(f"{k}:{v}" for k, v in decls.items())


def _combined_style(names: list[str], styles: dict[str, dict[str, str]]) -> str:
    merged: dict[str, str] = {}
    for name in names:
        for prop, value in styles[name].items():
            if prop == "text-decoration-line" and prop in merged:
                merged[prop] = f"{merged[prop]} {value}"
            else:
                merged[prop] = value
    return _css(merged)


def versions_html(alignment: pd.DataFrame, *, labels: Mapping[str, str] | None = None) -> str:
    """The alignment as HTML in the essay's manner: one running text, styled by version.

    Words every version shares are in normal type.  Each version has a style
    (in order: italic, bold, underlined, small capitals, overlined); a word
    that only some versions have carries the style of each of them, so with
    versions ``pre`` (italic) and ``trial`` (bold) a word only the trial has
    is bold, and with three versions a word in ``pre`` and ``draft`` but not
    ``trial`` is bold italic.  Where versions read differently, each reading is
    shown, in version order.  A legend names the styles; ``labels`` (or
    ``alignment.attrs["labels"]``) may give each version a longer description.
    Hovering over a word names its versions.  All text is HTML-escaped.
    At most five versions (there are five styles); use :func:`versions_text`
    beyond that.

    >>> a = align_versions({"pre": "We met <there>.", "trial": "We met in Oslo."})
    >>> print(versions_html(a))  # doctest: +NORMALIZE_WHITESPACE
    <div class="workbook-versions">
    <p class="versions-legend" style="font-size:smaller">Normal type: in every version.
    <span style="font-style:italic">Italic</span>: pre.
    <span style="font-weight:bold">Bold</span>: trial.
    A word in some versions only carries the style of each version that has it.</p>
    <p class="versions-text" style="line-height:1.6">We met
    <span style="font-style:italic" title="pre">&lt;there&gt;.</span>
    <span style="font-weight:bold" title="trial">in Oslo.</span></p>
    </div>
    """
    witnesses = _witnesses(alignment)
    if len(witnesses) > len(_STYLES):
        raise ValueError(f"versions_html styles at most {len(_STYLES)} versions, got {len(witnesses)}; "
                         "use versions_text, or compare fewer versions at a time")
    labels = dict(alignment.attrs.get("labels") or {}) | dict(labels or {})
    styles = {w: _STYLES[i][1] for i, w in enumerate(witnesses)}
    legend = ["Normal type: in every version."]
    for i, w in enumerate(witnesses):
        name = _STYLES[i][0]
        label = html.escape(w) + (f" ({html.escape(labels[w])})" if labels.get(w) else "")
        legend.append(f'<span style="{_css(styles[w])}">{html.escape(name.capitalize())}</span>: {label}.')
    legend.append("A word in some versions only carries the style of each version that has it.")
    body = []
    for kind, texts in _places(alignment, witnesses):
        if kind == "all":
            if texts[witnesses[0]]:
                body.append(html.escape(texts[witnesses[0]]))
            continue
        for names, text in _readings(texts, witnesses):
            if not text:
                continue
            title = html.escape(", ".join(names))
            body.append(f'<span style="{_combined_style(names, styles)}" title="{title}">{html.escape(text)}</span>')
    return ('<div class="workbook-versions">\n'
            f'<p class="versions-legend" style="font-size:smaller">{" ".join(legend)}</p>\n'
            f'<p class="versions-text" style="line-height:1.6">{" ".join(body)}</p>\n'
            "</div>")


def compare_versions(case: Case, testimony_ids: Sequence[str] | None = None, *, version_of: str | None = None,
                     label: str = "testimony_id") -> pd.DataFrame:
    """Align versions of one statement taken from a case's testimonies.

    Give the testimonies by ``testimony_ids`` (in the order wanted), or give
    ``version_of``: then every testimony whose extra column ``version_of`` holds
    that value is taken, earliest given first (by the earliest day it can have
    been given, or the latest where the start is open, as ``/1937-01-22``;
    ties by id).  The versions are
    named by ``label``: ``"testimony_id"`` (the default), ``"source_id"``
    (shorter, when each testimony comes from a different source) or
    ``"siglum"`` (A, B, C ... in that order, as in a critical apparatus).
    ``attrs["labels"]`` describes each version (its source and date) for the
    legend of :func:`versions_html`.

    >>> from workbook import load_case
    >>> from workbook.case.loading import DEFAULT_RUBRIC_PATH
    >>> case = load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")
    >>> print(versions_text(compare_versions(case, version_of="neighbour-saw", label="siglum")))
    A = t-neighbour-court, court-record-1850, Record of the hearing at the county
        court, 1850-07-02
    B = t-history, history-1950, A local history of the valley, 1950
    <BLANKLINE>
    [A: I | B: The neighbour] saw him by the barn that night, with a lantern.
    >>> by_source = compare_versions(case, version_of="neighbour-saw", label="source_id")
    >>> print(versions_text(by_source, key=False, width=None))
    [court-record-1850: I | history-1950: The neighbour] saw him by the barn that night, with a lantern.
    """
    t = case.testimonies
    if (testimony_ids is None) == (version_of is None):
        raise ValueError("give either testimony_ids or version_of")
    if version_of is not None:
        if "version_of" not in t.columns:
            raise ValueError("this case's testimonies.csv has no version_of column; "
                             "add one (the same value in each version of a statement) or pass testimony_ids")
        chosen = t[t["version_of"] == version_of].assign(_when=lambda f: f["given_earliest"].fillna(f["given_latest"]))
        chosen = chosen.sort_values(["_when", "given_latest", "testimony_id"], kind="stable").drop(columns="_when")
        if len(chosen) < 2:
            known = sorted(v for v in t["version_of"].unique() if v)
            raise ValueError(f"version_of={version_of!r} names {len(chosen)} testimonies; two or more are needed "
                             f"(values in the case: {', '.join(known) or 'none'})")
    else:
        ids = list(testimony_ids)
        missing = [i for i in ids if i not in set(t["testimony_id"])]
        if missing:
            raise KeyError(f"no testimony called {', '.join(map(repr, missing))} in testimonies.csv")
        chosen = t.set_index("testimony_id", drop=False).loc[ids]
    if label not in ("testimony_id", "source_id", "siglum"):
        raise ValueError(f"label must be 'testimony_id', 'source_id' or 'siglum', not {label!r}")
    if label == "siglum":
        if len(chosen) > 26:
            raise ValueError(f"{len(chosen)} versions are too many for sigla A-Z; compare fewer at a time")
        names = [chr(ord("A") + i) for i in range(len(chosen))]
    else:
        names = list(chosen[label])
    if len(set(names)) != len(names):
        raise ValueError(f"two of these testimonies share a {label}; use label='testimony_id' or 'siglum'")
    alignment = align_versions(dict(zip(names, chosen["quote"])))
    titles = dict(zip(case.sources["source_id"], case.sources["title"]))
    labels = {}
    for name, (_, row) in zip(names, chosen.iterrows()):
        parts = [row["testimony_id"]] if label != "testimony_id" else []
        parts += [row["source_id"]] if label != "source_id" else []
        if titles.get(row["source_id"]):
            parts.append(titles[row["source_id"]])
        if row["given"]:
            parts.append(row["given"])
        labels[name] = ", ".join(parts)
    alignment.attrs["labels"] = labels
    return alignment
