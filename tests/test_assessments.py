"""Assessments apart from testimony (issue 13): the contract's words, the card and the ACH labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import workbook
from workbook.case.contract import ASSESSMENT_SETTINGS, TABLES, VOCABULARIES
from workbook.judgement.ach import ach_evidence
from workbook.views.widgets import testimony_card

ROOT = Path(__file__).resolve().parents[1]
MOSCOW = ROOT / "data" / "moscow-trials"


def test_contract_words():
    assert "hearing" in VOCABULARIES["testimonies.setting"]
    assert VOCABULARIES["testimonies.quote_kind"] == ("verbatim", "paraphrase", "reconstruction")
    assert VOCABULARIES["testimonies.statement_kind"] == ("testimony", "assessment")
    assert VOCABULARIES["custody.attested"] == ("stated", "inferred")
    assert {"sent", "received"} <= set(VOCABULARIES["custody.action"])
    assert ASSESSMENT_SETTINGS == ("scholarly_assessment", "official_finding")
    names = TABLES["testimonies"].column_names
    assert names[-4:] == ["quote_kind", "statement_kind", "quoted_from", "version_of"]  # added at the end, nothing renamed
    assert TABLES["testimonies"].column("quoted_from").ref == "sources.source_id"
    assert TABLES["custody"].column_names[-1] == "attested"


def test_is_assessment_setting_and_override():
    case = workbook.load_case(MOSCOW)
    judged = workbook.is_assessment(case)
    assert judged.name == "assessment" and list(judged.index) == list(case.testimonies["testimony_id"])
    assert judged["t-dewey-1937-09-21-findings"] and judged["t-furr-no-one-lies"]
    assert judged["t-khrushchev-1956-02-25"]          # setting 'other', marked by statement_kind
    assert not judged["t-trotsky-1937-04-17-radek"]   # testimony at a hearing
    assert not judged["t-piatakov-1937-64-hess"]
    assert int(judged.sum()) == 46


def test_card_shows_quote_kind_and_assessment():
    case = workbook.load_case(MOSCOW)
    finding = testimony_card(case, "t-dewey-1937-09-21-findings")
    assert ">verbatim</span>" in finding and ">assessment</span>" in finding
    hearing = testimony_card(case, "t-trotsky-1937-04-17-radek")
    assert ">verbatim</span>" in hearing and ">assessment</span>" not in hearing
    assert ">reconstruction</span>" in testimony_card(case, "t-draft-radek-1936-12-04")
    assert ">paraphrase</span>" in testimony_card(case, "t-aftenposten-1937-01-25")


def test_ach_labels_assessments():
    case = workbook.load_case(MOSCOW)
    items = ach_evidence(case, "meeting-piatakov-oslo")
    assert list(items.columns) == ["testimony_id", "speaker_id", "kind", "quote_kind"]
    kinds = dict(zip(items["testimony_id"], items["kind"]))
    assert kinds["t-dewey-pyatakov-flight"] == "assessment"
    assert kinds["t-sidoli-2017-ln-hao"] == "assessment"
    assert kinds["t-piatakov-1937-flight"] == "testimony"
    assert (items["kind"] == "assessment").sum() == 3


def test_ach_panel_marks_assessments(tmp_path):
    case = workbook.load_case(MOSCOW)
    panel = workbook.AchPanel(case, "meeting-piatakov-oslo", rater="ann", ach_dir=tmp_path)
    labels = [w.value for w in panel.grid.children if w.__class__.__name__ == "Label"]
    marked = sorted(label.split(" · ")[0] for label in labels if " · ASSESSMENT · " in label)
    assert marked == ["t-dewey-pyatakov-flight", "t-sidoli-2017-ln-hao", "t-sidoli-2017-truncation"]
