"""Aligning versions of one statement: small passages whose alignment is plain to see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workbook.versions as versions
from workbook import align_versions, compare_versions, load_case, versions_html, versions_text

ROOT = Path(__file__).resolve().parents[1]

# Three versions in the manner of the Moscow trials' records (made up for the test):
PRE = "In December 1935 I flew to Oslo and met Trotsky."
DRAFT = "In December 1935 I flew to Oslo where I met Trotsky."
TRIAL = "In December 1935 I travelled to Oslo, and met L. D. Trotsky there."


def rows(alignment: pd.DataFrame) -> list[tuple]:
    return list(alignment.drop(columns="segment").itertuples(index=False, name=None))


def test_two_versions_word_by_word():
    a = align_versions({"pre": PRE, "trial": TRIAL})
    assert list(a.columns) == ["segment", "pre", "trial", "shared_by"]
    assert rows(a) == [
        ("In December 1935 I", "In December 1935 I", "all"),
        ("flew", "travelled", "some"),
        ("to Oslo and met", "to Oslo, and met", "all"),  # "Oslo," = "Oslo": punctuation is normalised
        ("", "L. D.", "some"),
        ("Trotsky.", "Trotsky", "all"),
        ("", "there.", "some"),
    ]
    assert a.attrs["aligner"] == "collatex"


def test_three_versions():
    a = align_versions({"pre": PRE, "draft": DRAFT, "trial": TRIAL})
    assert rows(a) == [
        ("In December 1935 I", "In December 1935 I", "In December 1935 I", "all"),
        ("flew", "flew", "travelled", "some"),
        ("to Oslo", "to Oslo", "to Oslo,", "all"),
        ("and", "where I", "and", "some"),
        ("met", "met", "met", "all"),
        ("", "", "L. D.", "some"),
        ("Trotsky.", "Trotsky.", "Trotsky", "all"),
        ("", "", "there.", "some"),
    ]
    assert versions_text(a, width=None) == (
        "In December 1935 I [pre, draft: flew | trial: travelled] to Oslo [pre, trial: and | draft: where I] "
        "met [pre, draft: — | trial: L. D.] Trotsky. [pre, draft: — | trial: there.]")


def test_text_is_wrapped_at_width():
    a = align_versions({"pre": PRE, "draft": DRAFT, "trial": TRIAL})
    text = versions_text(a, width=40)
    assert all(len(line) <= 40 for line in text.splitlines())
    assert " ".join(text.split()) == " ".join(versions_text(a, width=None).split())


def test_normalisation_of_case_quotes_and_dashes_but_original_words_shown():
    a = align_versions({"a": "He said “no” — twice.", "b": 'he said "No" - twice'})
    assert list(a["shared_by"]) == ["all"]
    assert rows(a) == [("He said “no” — twice.", 'he said "No" - twice', "all")]
    assert versions_text(a) == "He said “no” — twice."


def test_html_styles_escapes_and_legend():
    a = align_versions({"pre": PRE, "draft": DRAFT, "trial": "In December 1935 I <b>flew</b> to Oslo & met him."})
    out = versions_html(a, labels={"trial": "Report of Court Proceedings, 1937"})
    assert "<b>flew</b>" not in out and "&lt;b&gt;flew&lt;/b&gt;" in out and "&amp;" in out
    assert '<span style="font-style:italic">Italic</span>: pre.' in out
    assert ('<span style="text-decoration-line:underline">Underlined</span>: '
            'trial (Report of Court Proceedings, 1937).') in out
    # "where I" is in the draft only: bold; "and" in pre and trial: italic and underlined
    assert '<span style="font-weight:bold" title="draft">where I</span>' in out
    # "Trotsky." is in pre and draft only: bold italic
    assert '<span style="font-style:italic;font-weight:bold" title="pre, draft">Trotsky.</span>' in out


def test_html_combines_text_decorations():
    a = align_versions({"a": "x y", "b": "x", "c": "x y", "d": "x", "e": "x y z"})
    out = versions_html(a)
    assert 'text-decoration-line:underline overline' in out  # "y" in a, c and e
    with pytest.raises(ValueError, match="at most 5"):
        versions_html(align_versions({str(i): "x" for i in "abcdef"}))


def test_four_versions_in_text():
    a = align_versions({"a": "one two three", "b": "one two", "c": "one three", "d": "one two three four"})
    assert versions_text(a, width=None) == (
        "one [a, b, d: two | c: —] [a, c, d: three | b: —] [a, b, c: — | d: four]")


def test_empty_version_is_absent_everywhere():
    a = align_versions({"a": "We met.", "b": "", "c": "We met here."})
    assert list(a["b"]) == ["", ""]
    assert versions_text(a, width=None) == "[a, c: We met. | b: —] [a, b: — | c: here.]"


def test_difflib_fallback_when_collatex_fails(monkeypatch):
    expected = align_versions({"pre": PRE, "trial": TRIAL})

    def broken(*args, **kwargs):
        raise AssertionError("please provide ordered node index ranges")

    monkeypatch.setattr(versions, "_collatex_rows", broken)
    with pytest.warns(RuntimeWarning, match="aligned them with difflib"):
        got = align_versions({"pre": PRE, "trial": TRIAL})
    assert got.attrs["aligner"] == "difflib"
    pd.testing.assert_frame_equal(got, expected)  # the same alignment on this passage
    with pytest.raises(RuntimeError, match="try them two at a time"):
        align_versions({"pre": PRE, "draft": DRAFT, "trial": TRIAL})


def test_difflib_on_request():
    a = align_versions({"pre": PRE, "trial": TRIAL}, aligner="difflib")
    assert a.attrs["aligner"] == "difflib"
    assert versions_text(a, width=None).startswith("In December 1935 I [pre: flew | trial: travelled] to Oslo")


@pytest.mark.parametrize(("texts", "error"), [
    ({"only": "one"}, "at least two"),
    ({"segment": "a", "b": "b"}, "cannot name a version"),
    ({"a": "a", "b": None}, "not str"),
])
def test_bad_input(texts, error):
    with pytest.raises((ValueError, TypeError), match=error):
        align_versions(texts)


def test_same_output_under_any_hash_seed():
    code = ("from workbook.versions import align_versions, versions_text\n"
            f"print(versions_text(align_versions({{'pre': {PRE!r}, 'draft': {DRAFT!r}, 'trial': {TRIAL!r}}})))")
    here = versions_text(align_versions({"pre": PRE, "draft": DRAFT, "trial": TRIAL}))
    seed = "12345" if sys.flags.hash_randomization == 0 else "0"  # a seed other than this process's
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
    assert out.strip() == here


# --------------------------------------------------------------------------- from a case


@pytest.fixture(scope="module")
def case():
    return load_case(ROOT / "workbook" / "template_case")


def test_compare_versions_by_version_of(case):
    a = compare_versions(case, version_of="neighbour-saw")
    assert list(a.columns) == ["segment", "t-neighbour-court", "t-history", "shared_by"]  # earliest first
    assert versions_text(a, width=None, key=False) == (
        "[t-neighbour-court: I | t-history: The neighbour] saw him by the barn that night, with a lantern.")
    assert a.attrs["labels"]["t-history"] == "history-1950, A local history of the valley, 1950"


def test_compare_versions_by_ids_and_source_labels(case):
    a = compare_versions(case, ["t-history", "t-neighbour-court"], label="source_id")
    assert list(a.columns) == ["segment", "history-1950", "court-record-1850", "shared_by"]  # the order given
    assert "t-history" in versions_html(a)  # the legend names the testimony


def test_compare_versions_with_sigla_and_key(case):
    a = compare_versions(case, ["t-history", "t-neighbour-court"], label="siglum")
    assert list(a.columns) == ["segment", "A", "B", "shared_by"]
    assert versions_text(a, width=None) == (
        "A = t-history, history-1950, A local history of the valley, 1950\n"
        "B = t-neighbour-court, court-record-1850, Record of the hearing at the county court, 1850-07-02\n"
        "\n"
        "[A: The neighbour | B: I] saw him by the barn that night with a lantern.")


def test_compare_versions_errors(case):
    with pytest.raises(ValueError, match="two or more"):
        compare_versions(case, version_of="nothing-like-it")
    with pytest.raises(KeyError, match="t-nobody"):
        compare_versions(case, ["t-history", "t-nobody"])
    with pytest.raises(ValueError, match="share a source_id"):
        compare_versions(case, ["t-neighbour-court", "t-miller-court"], label="source_id")
    with pytest.raises(ValueError, match="either"):
        compare_versions(case)
