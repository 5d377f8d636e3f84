"""The bundled case, data/moscow-trials: it loads clean, and its links are complete."""

from __future__ import annotations

from pathlib import Path

import pytest

import workbook

CASE = Path(__file__).resolve().parents[1] / "data" / "moscow-trials"

ROWS = {
    "sources": 76,
    "people": 72,
    "claims": 18,
    "testimonies": 128,
    "evidence": 166,
    "custody": 159,
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
    assert set(furr["source_id"]) == {"furr-2009"}
    judged = workbook.is_assessment(case)
    # every row in the essay author's voice is his assessment, except his report of Safonova's statement
    assert sorted(furr.loc[~furr["testimony_id"].map(judged), "testimony_id"]) == ["t-safonova-1956"]
    assert (furr["setting"] == "scholarly_assessment").sum() == 20


def test_version_groups_pair_sources(case):
    versions = case.testimonies[case.testimonies["version_of"] != ""]
    origin = versions["quoted_from"].where(versions["quoted_from"] != "", versions["source_id"])
    sources = origin.groupby(versions["version_of"]).agg(set)
    assert sources["sokolnikov-ota"] == {"reabilitatsiia-1991", "trial-1937-en"}
    assert sources["radek-attaches"] >= {"lubianka-2004", "trial-1937-en"}
    assert sources["piatakov-hess-terms"] >= {"lubianka-2004", "trial-1937-en"}


def test_the_charges_have_first_order_testimony_on_both_sides(case):
    """Every claim the 1937 charges against Trotsky rest on has testimony (not only assessments) both ways."""
    judged = workbook.is_assessment(case)
    ev = case.evidence[~case.evidence["testimony_id"].map(judged)]
    for claim in ("trotsky-collab", "agreement-germany", "contacts-japan", "meeting-piatakov-oslo"):
        stances = set(ev.loc[ev["claim_id"] == claim, "stance"])
        assert {"supports", "contradicts"} <= stances, claim
    own = ev[ev["testimony_id"].str.startswith("t-trotsky-1937-01-2")]
    assert sorted(zip(own["testimony_id"], own["claim_id"])) == [
        ("t-trotsky-1937-01-23-radek-letter", "agreement-germany"), ("t-trotsky-1937-01-23-radek-letter", "contacts-japan"),
        ("t-trotsky-1937-01-24-no-contacts", "agreement-germany"), ("t-trotsky-1937-01-24-no-contacts", "contacts-japan"),
        ("t-trotsky-1937-01-24-no-contacts", "trotsky-collab"), ("t-trotsky-1937-01-24-oslo", "meeting-piatakov-oslo")]


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


def test_quotes_read_in_a_compilation_name_their_origin(case):
    t = case.testimonies.set_index("testimony_id")
    # the newspapers were not seen: their words are Conquest's summary, read in his book
    for tid, paper in (("t-aftenposten-1937-01-25", "aftenposten-1937-01-25"),
                       ("t-arbeiderbladet-1937-01-29", "arbeiderbladet-1937-01-29")):
        assert t.loc[tid, ["source_id", "quoted_from", "quote_kind"]].tolist() == [
            "conquest-great-terror", paper, "paraphrase"]
    # the collated draft texts are read in the essay and are the text of neither version
    for tid in ("t-draft-radek-1936-12-04", "t-draft-piatakov-hess"):
        assert t.loc[tid, ["source_id", "quoted_from", "quote_kind"]].tolist() == [
            "furr-2009", "lubianka-2004", "reconstruction"]
    assert not t.loc["t-zborowski-report", "quote"].endswith("The Red Book.")
    assert t.loc["t-safonova-1956", "speaker_id"] == "furr"


def test_assessments_are_counted_apart_on_the_central_claims(case):
    got = workbook.corroboration(case).set_index(["claim_id", "stance"])
    cols = ["raw", "independent", "assessments", "assessments_independent"]
    assert got.loc[("agreement-germany", "supports"), cols].tolist() == [16, 1, 2, 1]
    # the accused's own denials of January 1937 (one speaker: one line) against the Commission's findings
    assert got.loc[("agreement-germany", "contradicts"), cols].tolist() == [2, 1, 2, 1]
    assert got.loc[("contacts-japan", "contradicts"), cols].tolist() == [2, 1, 2, 1]
    assert got.loc[("trotsky-collab", "contradicts"), cols].tolist() == [3, 2, 3, 2]
    # the two newspapers and the airport's statement rest on one informant, the airport; Trotsky is another line
    assert got.loc[("meeting-piatakov-oslo", "contradicts"), cols].tolist() == [4, 2, 1, 1]
    stated = workbook.corroboration(case, inferred=False).set_index(["claim_id", "stance"])
    assert stated.loc[("meeting-piatakov-oslo", "contradicts"), cols].tolist() == [4, 3, 1, 1]
    assert got.loc[("confessions-uncoerced", "supports"), cols].tolist() == [5, 1, 9, 1]
    assert got.loc[("confessions-uncoerced", "contradicts"), cols].tolist() == [5, 3, 6, 5]
    before = workbook.corroboration(case, assessments="count").set_index(["claim_id", "stance"])
    assert before.loc[("agreement-germany", "supports"), ["raw", "independent"]].tolist() == [18, 1]
    assert before.loc[("confessions-uncoerced", "supports"), ["raw", "independent"]].tolist() == [14, 1]


def test_dependence_groups_no_longer_hold_nearly_everything(case):
    old = workbook.dependence_groups(case, through_assessments=True)
    new = workbook.dependence_groups(case)
    stated = workbook.dependence_groups(case, inferred=False)
    assert (len(new), old.value_counts().max(), old.nunique()) == (128, 123, 5)
    assert (new.value_counts().max(), new.nunique()) == (97, 17)
    assert (stated.value_counts().max(), stated.nunique()) == (70, 20)


def test_custody_steps_say_whether_they_are_inferred(case):
    c = case.custody.set_index(["source_id", "seq"])
    inferred = c[c["attested"] == "inferred"]
    assert len(inferred) == 14
    for key in [("interrogation-radek-1936-12-04", 4), ("archives-f7-13981-notice", 1),
                ("zinoviev-deserved-sentence", 2)]:
        assert key in inferred.index
    draft = c.loc["vyshinsky-draft-1937"]
    assert draft[["custodian", "action"]].values.tolist() == [
        ["vyshinskii", "created"], ["redactor-not-named", "redacted"], ["nkvd", "sent"],
        ["stalin", "received"], ["russian-archives", "archived"], ["russian-archives", "declassified"]]
    assert c.loc[("nkid-note-sokolnikov-ota-1935", 2), ["custodian", "date"]].tolist() == [
        "case-file-keeper-not-named", ""]


def test_custody_chain_follows_quoted_from(case):
    # read in Conquest's book, quoting the newspaper, which rests on the airport's information;
    # not through everything else Conquest's book was made from
    chain = workbook.custody_chain(case, "t-aftenposten-1937-01-25")
    assert sorted(set(chain["source_id"])) == [
        "aftenposten-1937-01-25", "conquest-great-terror", "kjeller-airport-information"]
    assert chain["attested"].tolist().count("inferred") == 2
    draft = workbook.custody_chain(case, "t-draft-piatakov-hess")
    assert sorted(set(draft["source_id"])) == [
        "furr-2009", "interrogation-radek-1936-12-04", "interrogation-sokolnikov-1936-12-12",
        "interrogations-piatakov-1936", "lubianka-2004", "vyshinsky-draft-1937"]
