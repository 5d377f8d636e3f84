"""Importing Zotero exports (CSL-JSON, BibTeX, BibLaTeX) into sources.csv, on real export files.

The fixtures are Better BibTeX's own test exports (tests/fixtures/README.md).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbook.case.bibliography import csl_items
from workbook.case.editing import CsvFile
from workbook.case.importers import ImportFailure, import_zotero, read_zotero
from workbook.case.importers.zotero import csl_to_rows
from workbook.case.loading import load_case, validate
from workbook.faces.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "zotero"
MOSCOW = Path(__file__).parents[1] / "data" / "moscow-trials"


def by_id(rows):
    return {row["source_id"]: row for row in rows}


@pytest.fixture
def case(tmp_path):
    folder = tmp_path / "case"
    assert main(["new-case", str(folder)]) == 0
    return folder


def test_csl_dates_become_edtf():
    # Better BibTeX wrote each item's EDTF date into its title: the import must give it back
    rows, problems = read_zotero(FIXTURES / "bbt-dates.csl.json")
    assert problems == []
    created = {r["source_id"]: r["created"] for r in rows}
    assert created == {
        "doe10_edtf_2011": "2011-05-25~/2012-06-26~", "doe11_edtf_2011": "2011-05-25~/2012-06-26~",
        "doe12_edtf_2011": "2011-05~", "doe13_season_2017": "2017-24~", "doe14_date2010_2010": "2011",
        "doe15_multiple_2017": "2017", "doe7_politics_1985": "1985-21", "doe8_title_2017": "2017-23",
        "doe9_edtf_2011": "2011-05-25~/2012-06-26~", "t1": "2014-12-31/2015-01-01", "t2": "",
        "t3": "2014-12-31/..", "t4": "2014-12-31", "t5": "-0333", "t6": "-0099-07-12/-0043-03-15",
    }
    assert by_id(rows)["t1"]["kind"] == "draft"                   # a manuscript
    assert by_id(rows)["doe7_politics_1985"] == {
        "source_id": "doe7_politics_1985", "title": "The Politics of Film Canons: printemps 1985",
        "kind": "scholarly_work", "author": "Doe7, John", "created": "1985-21", "language": "", "held_by": "",
        "access": "published", "citation": "Cinema Journal 24, 3. 1985. pp. 4–23",
        "url": "http://www.jstor.org/stable/1225428"}


def test_csl_markup_authors_and_doi():
    rows = by_id(read_zotero(FIXTURES / "bbt-markup.csl.json")[0])
    assert sorted(rows) == ["adams2001", "berndt1994", "dunning2016", "wordsworth1883"]
    assert rows["adams2001"]["title"] == "The physical volcanology of the 1600 eruption of Huaynaputina, southern Peru"
    assert rows["adams2001"]["author"] == ("Adams, Nancy K; DeSilva, Shanaka L; Self, Steven; Salas, Guido; "
                                           "Schubring, Steven; Permenter, Jason L; Arbesman, Kendra")
    assert rows["berndt1994"]["title"] == ("Skizze zur Auslegungsgeschichte der Bücher Prouerbia und Ecclesiastes "
                                           "in der abendländischen Kirche")
    assert rows["berndt1994"]["citation"] == "Sacris Erudiri 34. 1994. pp. 5–32. doi:10.1484/J.SE.2.303788"
    assert rows["wordsworth1883"]["title"].startswith("The Gospel according to St. Matthew, from the St. Germain ms. (g1)")
    assert rows["wordsworth1883"]["author"] == ""                  # an editor is not the author


def test_csl_archive_location_ends_the_citation():
    (row,) = read_zotero(FIXTURES / "bbt-archive-location.csl.json")[0]
    assert row["citation"].endswith("W531.51C")
    assert (row["created"], row["language"], row["kind"]) == ("2000-12-22", "zh-tw", "other")


def test_biblatex_archive_document():
    (row,) = read_zotero(FIXTURES / "bbt-archive.biblatex")[0]
    assert row == {
        "source_id": "milliondemidinfirmes1968",
        "title": "Un Million et Demi d'infirmes, Handicapés Physiques et Mentaux", "kind": "letter",
        "author": "", "created": "1968-05-31", "language": "",
        "held_by": "Archives de la Ville et l'Eurométropole de Strasbourg", "access": "",
        "citation": "Archives de la Ville et l'Eurométropole de Strasbourg, 114 Z 1 248",
        "url": "https://archives.strasbourg.eu/archive/fonds/FRAM67482_0592_114Z/view:115037"}


def test_bibtex_latex_is_decoded():
    rows = by_id(read_zotero(FIXTURES / "bbt-latex-names.bibtex")[0])
    assert rows["nome2014"]["author"] == "Nöme, Name"
    assert rows["van_gogh2014"]["author"] == "van Gögh, Vincent"
    assert rows["nome2014"]["title"] == "Why Is Apple Launching a New Version of the iPod?"
    rows = by_id(read_zotero(FIXTURES / "bbt-book-article.bibtex")[0])
    assert rows["palombi2003"]["citation"] == "Archeologia Classica 54. 2003. pp. 197–252"
    assert rows["leone2007"]["citation"] == "Roma: Quasar. 2007"


def test_import_adds_then_reimport_changes_nothing(case):
    before = (case / "sources.csv").read_bytes()
    report = import_zotero(FIXTURES / "bbt-markup.csl.json", case)
    assert report.added == ["adams2001", "berndt1994", "dunning2016", "wordsworth1883"]
    after = (case / "sources.csv").read_bytes()
    assert after.startswith(before)                               # the template's rows, byte for byte
    assert validate(case) == []
    again = import_zotero(FIXTURES / "bbt-markup.csl.json", case)
    assert (again.added, again.filled, again.differs, again.unchanged, again.written) == ([], [], [], 4, False)
    assert (case / "sources.csv").read_bytes() == after


def test_reimport_keeps_the_users_work(case):
    import_zotero(FIXTURES / "bbt-markup.csl.json", case)
    path = case / "sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # the user adds a column, edits a title, fills a note, and moves a row up
    lines[0] = lines[0].rstrip("\n") + ",my_rating\n"
    lines = [ln.rstrip("\n") + (",4\n" if ln.startswith("berndt1994") else ",\n") if i else ln
             for i, ln in enumerate(lines)]
    lines = [ln.replace("The physical volcanology", "Physical volcanology") for ln in lines]
    lines.insert(1, lines.pop(len(lines) - 1))
    path.write_text("".join(lines), encoding="utf-8")
    edited = path.read_bytes()
    report = import_zotero(FIXTURES / "bbt-markup.csl.json", case)
    assert report.differs == [("adams2001", "title",
                               "Physical volcanology of the 1600 eruption of Huaynaputina, southern Peru",
                               "The physical volcanology of the 1600 eruption of Huaynaputina, southern Peru", False)]
    assert report.lines()[0] == "sources.csv: 0 added, 0 cells filled, 1 differing, 3 unchanged"
    assert path.read_bytes() == edited                              # nothing written: the user's title stands
    report = import_zotero(FIXTURES / "bbt-markup.csl.json", case, update=True)
    text = path.read_text(encoding="utf-8")
    assert "The physical volcanology" in text and ",4\n" in text and text.splitlines()[1].startswith("wordsworth1883")
    assert [ln for ln in text.splitlines() if not ln.startswith("adams2001")] == \
           [ln for ln in edited.decode().splitlines() if not ln.startswith("adams2001")]


def test_csl_export_then_import_gives_the_same_sources(tmp_path):
    case = load_case(MOSCOW)
    exported = tmp_path / "moscow.csl.json"
    exported.write_text(json.dumps(csl_items(case.sources)), encoding="utf-8")
    # into the case itself: nothing to add, nothing differs, nothing written
    copy = tmp_path / "copy"
    shutil.copytree(MOSCOW, copy)
    report = import_zotero(exported, copy)
    assert (report.added, report.filled, report.differs, report.written) == ([], [], [], False)
    assert report.unchanged == len(case.sources)
    # into an empty case: the same sources, as far as CSL-JSON can say
    empty = tmp_path / "empty"
    empty.mkdir()
    import_zotero(exported, empty)
    got = pd.DataFrame(CsvFile(empty / "sources.csv").rows).set_index("source_id", drop=False)
    assert sorted(got.index) == sorted(case.sources["source_id"])
    mine = case.sources.set_index("source_id", drop=False)
    for column in ("title", "author", "language", "held_by", "citation", "url"):
        assert got[column].to_dict() == mine[column].to_dict(), column
    # created as precise as CSL-JSON keeps it: the same CSL items again, but for the item type,
    # which names one kind only for some types (a CSL "book" may be a memoir or a translation)
    def without_type(items):
        return [{k: v for k, v in item.items() if k != "type"} for item in items]

    assert without_type(csl_items(got.reset_index(drop=True))) == without_type(csl_items(case.sources))
    unique = {"scholarly_work", "newspaper", "interview", "official_report", "letter"}
    kept = mine[mine["kind"].isin(unique)]
    assert len(kept) > 20 and (got.loc[kept.index, "kind"] == kept["kind"]).all()
    # `workbook csl` also writes the case's kind, EDTF date and access in CSL's `custom` object,
    # so its own export comes back exactly
    for column in ("kind", "created", "access"):
        assert got[column].to_dict() == mine[column].to_dict(), column


def test_a_zotero_item_without_our_custom_object_still_gets_its_kind_from_the_type():
    (row,) = csl_to_rows([{"id": "x", "type": "article-newspaper", "title": "T", "issued": {"date-parts": [[1937, 1]]}}])[0]
    assert (row["kind"], row["created"], row["access"]) == ("newspaper", "1937-01", "published")
    (row,) = csl_to_rows([{"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [[1937]]},
                           "custom": {"source_criticism_workbook": {"kind": "memoir", "created": "1937-21~",
                                                                   "access": "restricted"}}}])[0]
    assert (row["kind"], row["created"], row["access"]) == ("memoir", "1937-21~", "restricted")


def test_unreadable_files_say_what_is_expected(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('[{"id": "a", "title": "x"},\n {"id": }]', encoding="utf-8")
    with pytest.raises(ImportFailure) as info:
        read_zotero(bad)
    assert str(info.value) == ("broken.json: line 2, column 9: not valid JSON (Expecting value); expected a CSL-JSON "
                               "export (Zotero: File > Export Library > CSL JSON)")
    untitled = tmp_path / "untitled.json"
    untitled.write_text('[{"id": "a", "type": "book"}, {"id": "b", "title": "B", "issued": {"literal": "spring of 1937"}}]',
                        encoding="utf-8")
    rows, problems = read_zotero(untitled)
    assert [r["source_id"] for r in rows] == ["b"]
    assert [str(p) for p in problems] == [
        "untitled.json: item 1 ('a'): title: empty; expected the item's title (add it in Zotero and export again)",
        "untitled.json: item 2 ('b'): issued: 'spring of 1937' is not a date the case can read; write it in "
        "created as EDTF, e.g. 1937-21"]
    other = tmp_path / "notes.txt"
    other.write_text("just some notes", encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"^notes.txt: neither CSL-JSON nor BibTeX; expected a Zotero export"):
        read_zotero(other)


def test_command_line(case, tmp_path, capsys):
    assert main(["import", "zotero", str(FIXTURES / "bbt-archive.biblatex"), str(case)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["sources.csv: 1 added, 0 cells filled, 0 differing, 0 unchanged",
                                    "  added milliondemidinfirmes1968"]
    assert main(["import", "zotero", str(tmp_path / "missing.json"), str(case)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'missing.json'}: no such file; expected a Zotero export (.json, .bib)\n"
    assert "Traceback" not in err


def test_command_line_lists_items_it_could_not_import(case, tmp_path, capsys):
    export = tmp_path / "untitled.json"
    export.write_text('[{"id": "a", "type": "book"}, {"id": "b", "title": "B"}]', encoding="utf-8")
    assert main(["import", "zotero", str(export), str(case), "--dry-run"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "sources.csv: 1 added, 0 cells filled, 0 differing, 0 unchanged",
        "  added b",
        "untitled.json: item 1 ('a'): title: empty; expected the item's title (add it in Zotero and export again)",
        "nothing was written (--dry-run)"]
    assert "b,B," not in (case / "sources.csv").read_text(encoding="utf-8")


def test_zotero_item_uris_and_broken_bibtex(tmp_path):
    export = tmp_path / "zotero.json"
    export.write_text('[{"id": "http://zotero.org/users/local/x1/items/ABCD2345", "type": "article-newspaper", '
                      '"title": "Verdict", "issued": {"date-parts": [["1937", "1", "30"]]}}]', encoding="utf-8")
    (row,) = read_zotero(export)[0]
    assert (row["source_id"], row["kind"], row["created"]) == ("zotero-abcd2345", "newspaper", "1937-01-30")
    export.write_text('[{"id": "12047273/KC6WFG78", "title": "Letter"}]', encoding="utf-8")
    assert read_zotero(export)[0][0]["source_id"] == "zotero-kc6wfg78"
    export.write_text('[{"id": "12047273/KC6WFG78", "title": "Letter", '
                      '"note": "Citation Key: radek1937\\ntex.ids: r37\\nRead in the reading room, May 2024."}]',
                      encoding="utf-8")
    (row,) = read_zotero(export)[0]
    assert (row["source_id"], row["citation"]) == ("radek1937", "Read in the reading room, May 2024.")
    bib = tmp_path / "broken.bib"
    bib.write_text("@book{good, title = {Good}, year = {1938}}\n\n@book{bad, title = {Never closed\n", encoding="utf-8")
    rows, problems = read_zotero(bib)
    assert [r["source_id"] for r in rows] == ["good"]
    assert len(problems) == 1 and str(problems[0]).startswith("broken.bib: line 3: an entry could not be read (")
    assert str(problems[0]).endswith("); expected @type{key, field = {value}, …}")
