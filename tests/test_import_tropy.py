"""Importing a Tropy JSON-LD export: items to sources, notes to draft testimonies, on a real export.

The fixture is the export that Tropy's CSV plugin tests against (tests/fixtures/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.case.editing import CaseEditor, CsvFile
from workbook.case.importers import ImportFailure, import_tropy, read_tropy, to_complete
from workbook.case.importers.tropy import _read_templates
from workbook.case.loading import validate
from workbook.faces.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "tropy"
EXPORT = FIXTURES / "tropy-plugin-csv-export.json"


@pytest.fixture
def case(tmp_path):
    folder = tmp_path / "case"
    assert main(["new-case", str(folder)]) == 0
    return folder


def test_items_become_sources():
    sources, drafts, problems = read_tropy(EXPORT)
    assert problems == []
    assert [s["source_id"] for s in sources] == [
        "an-astronomical-observatory-on-mars-note", "an-item-with-no-data", "atomic-clocks",
        "briefing-notes-for-president-carter-and-vice-president-monda", "earth", "jupiter", "lava-life", "mars",
        "sagan-to-grinspoon-comments-on-dissertation", "space-agency-bill-is-voted-by-senate", "the-grand-tour",
        "unc-may-get-major-space-research-center"]
    letter = sources[8]
    assert letter == {
        "source_id": "sagan-to-grinspoon-comments-on-dissertation",
        "title": "Sagan to Grinspoon comments on dissertation", "kind": "letter", "author": "Sagan, Carl",
        "created": "1988-12-05", "language": "", "held_by": "Library of Congress",
        "citation": "Library of Congress, The Seth MacFarlane Collection of the Carl Sagan and Ann Druyan Archive, "
                    "box 3, folder 12",
        "url": "https://www.loc.gov/item/cosmos000022/",
        "notes": "To: Grinspoon, David. Place: Ithaca, New York. Tropy tags: NASA; Needs Review; Carl Sagan."}
    assert sources[3]["created"] == "1977-12~"                      # Tropy wrote ~1977-12
    assert sources[9]["url"].startswith("https://search-proquest-com")  # the dcterms identifier
    assert sources[9]["citation"] == ("ProQuest Historical Newspapers: The New York Times, The New York Times. "
                                      "114560497")


def test_notes_become_draft_testimonies():
    _, drafts, _ = read_tropy(EXPORT)
    assert [d["testimony_id"] for d in drafts] == [
        "atomic-clocks-n1", "atomic-clocks-n2", "atomic-clocks-n3", "atomic-clocks-n4", "earth-n1", "jupiter-n1",
        "lava-life-n1", "mars-n1", "sagan-to-grinspoon-comments-on-dissertation-n1",
        "space-agency-bill-is-voted-by-senate-n1", "the-grand-tour-n1", "the-grand-tour-n2"]
    selection = drafts[3]
    assert selection == {
        "testimony_id": "atomic-clocks-n4", "source_id": "atomic-clocks", "given": "", "setting": "",
        "quote": "here’s a selection with a note", "speaker_id": "",
        "locator": "NASA, Visions of the Future; photo 3 ('atomic-clock-red'), selection 1, note 1",
        "language": "en",
        "notes": "Draft from a Tropy note: the item is dated 2020; fill in speaker_id, given and setting.",
        "todo": "speaker_id;given;setting"}


def test_transcriptions_and_expanded_json_ld(tmp_path):
    # Tropy 1.16+ exports transcriptions; JSON-LD may also come expanded (full property names)
    export = tmp_path / "expanded.json"
    export.write_text('''{"@context": {"@vocab": "https://tropy.org/v1/tropy#"}, "@graph": [{
      "@type": "Item", "http://purl.org/dc/elements/1.1/title": [{"@value": "Protokoll"}],
      "https://tropy.org/v1/tropy#box": "7", "http://purl.org/dc/elements/1.1/source": "Bundesarchiv",
      "http://purl.org/dc/elements/1.1/date": {"@value": "1937-01-23", "@type": "https://tropy.org/v1/tropy#date"},
      "photo": [{"@type": "Photo", "page": 2, "transcription": [{"@type": "Transcription", "text": "Ich sage aus."}]}]
    }]}''', encoding="utf-8")
    sources, drafts, problems = read_tropy(export)
    assert (sources[0]["source_id"], sources[0]["created"], sources[0]["citation"]) == \
           ("protokoll", "1937-01-23", "Bundesarchiv, box 7")
    assert [(d["testimony_id"], d["quote"], d["locator"]) for d in drafts] == \
           [("protokoll-t1", "Ich sage aus.", "Bundesarchiv, box 7; photo 1, page 3, transcription 1")]


def test_import_validates_once_the_listed_cells_are_filled(case):
    sources, testimonies = import_tropy(EXPORT, case, templates=[FIXTURES / "generic.ttp"])
    assert len(sources.added) == 12 and len(testimonies.added) == 12
    # the case lists exactly what is left: given and setting of each draft (speaker is optional)
    problems = validate(case)
    rows = {i + 2: r["testimony_id"] for i, r in enumerate(CsvFile(case / "testimonies.csv").rows)}
    drafts = {n for n, ident in rows.items() if ident.startswith(tuple(s for s in sources.added))}
    assert {(p.file, p.row, p.column) for p in problems} == \
           {("testimonies.csv", n, c) for n in drafts for c in ("given", "setting")}
    left = to_complete(case)
    assert len(left) == 36
    first = min(drafts)
    assert rows[first] == "atomic-clocks-n1"
    assert left[:3] == [
        f"testimonies.csv:{first}:speaker_id: fill in who said it (a person_id of people.csv) (atomic-clocks-n1)",
        f"testimonies.csv:{first}:given: fill in when it was said (EDTF, e.g. 1937-01-23) (atomic-clocks-n1)",
        f"testimonies.csv:{first}:setting: fill in in what setting (open_court, pretrial_interrogation, "
        "written_statement, ...) (atomic-clocks-n1)"]
    editor = CaseEditor(case)
    for n in sorted(drafts):
        editor.save("testimonies", {"testimony_id": rows[n], "given": "2020", "setting": "other",
                                    "speaker_id": "miller", "todo": ""})
    assert validate(case) == []
    assert to_complete(case) == []
    # importing the same export again finds the same rows and keeps what was filled in
    before = {p.name: p.read_bytes() for p in case.iterdir()}
    again = import_tropy(EXPORT, case)
    assert [r.added for r in again] == [[], []]
    assert {p.name: p.read_bytes() for p in case.iterdir()} == before


def test_templates_name_their_fields():
    roles = _read_templates([FIXTURES / "correspondence.ttp"])
    assert roles == {"http://purl.org/dc/elements/1.1/creator": "author",
                     "http://purl.org/dc/terms/audience": "recipient",
                     "http://purl.org/dc/elements/1.1/coverage": "place",
                     "http://purl.org/dc/elements/1.1/source": "archive"}


def test_not_a_tropy_export(tmp_path):
    bad = tmp_path / "items.json"
    bad.write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(ImportFailure) as info:
        read_tropy(bad)
    assert str(info.value) == "items.json: no @graph of items; expected a Tropy export (Tropy: File > Export > JSON-LD)"


def test_command_line(case, capsys):
    assert main(["import", "tropy", str(EXPORT), str(case)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "sources.csv: 12 added, 0 cells filled, 0 differing, 0 unchanged"
    assert "testimonies.csv: 12 added, 0 cells filled, 0 differing, 0 unchanged" in out
    assert "36 cells of the draft testimonies to fill in:" in out
