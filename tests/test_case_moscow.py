"""The bundled case, data/moscow-trials: it loads clean, and its links are complete."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbook

CASE = Path(__file__).resolve().parents[1] / "data" / "moscow-trials"

ROWS = {
    "sources": 70,
    "people": 71,
    "claims": 18,
    "testimonies": 117,
    "evidence": 146,
    "custody": 151,
    "hypotheses": 56,
    "whereabouts": 29,
}


@pytest.fixture(scope="module")
def case():
    return workbook.load_case(CASE)


def test_case_validates_clean():
    assert workbook.validate(CASE) == []


@pytest.mark.parametrize("table, rows", sorted(ROWS.items()))
def test_row_counts(case, table, rows):
    assert len(getattr(case, table)) == rows


def test_enough_testimonies_and_claims(case):
    assert len(case.testimonies) >= 45
    assert len(case.claims) >= 8


def test_every_claim_has_evidence(case):
    missing = set(case.claims["claim_id"]) - set(case.evidence["claim_id"])
    assert not missing, f"claims without evidence: {sorted(missing)}"


def test_every_testimony_has_evidence(case):
    missing = set(case.testimonies["testimony_id"]) - set(case.evidence["testimony_id"])
    assert not missing, f"testimonies without evidence: {sorted(missing)}"


def test_every_source_of_a_testimony_has_custody(case):
    missing = set(case.testimonies["source_id"]) - set(case.custody["source_id"])
    assert not missing, f"sources of testimonies without custody steps: {sorted(missing)}"


def test_paraphrases_and_reconstructions_are_marked(case):
    t = case.testimonies
    assert set(t["quote_kind"]) == {"verbatim", "paraphrase", "reconstruction"}
    paraphrase = t[t["quote_kind"] == "paraphrase"]
    assert paraphrase["notes"].str.startswith("Paraphrase, not a quotation:").all()


def test_the_essay_and_the_critic_are_in_the_case(case):
    furr = case.testimonies[case.testimonies["speaker_id"] == "furr"]
    assert len(furr) >= 10
    assert set(furr["setting"]) == {"scholarly_assessment"}
    assert set(furr["source_id"]) == {"furr-2009"}


def test_version_groups_pair_sources(case):
    versions = case.testimonies[case.testimonies["version_of"] != ""]
    sources = versions.groupby("version_of")["source_id"].agg(set)
    assert sources["sokolnikov-ota"] == {"reabilitatsiia-1991", "trial-1937-en"}
    assert sources["radek-attaches"] >= {"lubianka-2004", "trial-1937-en"}
    assert sources["piatakov-hess-terms"] >= {"lubianka-2004", "trial-1937-en"}


def test_the_documented_record_contradicts_the_meetings(case):
    ev = case.evidence
    for claim in ("meeting-piatakov-oslo", "meeting-romm-paris", "meeting-krestinsky-meran"):
        stances = set(ev.loc[ev["claim_id"] == claim, "stance"])
        assert {"supports", "contradicts"} <= stances, claim


@pytest.mark.parametrize("spellings", [
    ("Piatakov", "Pyatakov"),
    ("Sokol'nikov", "Sokolnikov"),
    ("Rozengol'ts", "Rosengoltz"),
    ("Ol'berg", "Olberg"),
    ("Zinov'ev", "Zinoviev"),
    ("Vyshinskii", "Vyshinsky"),
    ("Krestinskii", "Krestinsky"),
    ("Rakovskii", "Rakovsky"),
])
def test_transliteration_variants_name_one_person(case, spellings):
    people = case.people
    names = people["name"] + ";" + people["aliases"]
    found = [people.loc[i, "person_id"] for i, cell in names.items()
             if all(s in cell.split(";") for s in spellings)]
    assert len(found) == 1, f"{spellings} should be spellings of one person, found {found}"
