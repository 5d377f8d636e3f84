"""Editing a case: the no-loss CSV writer, the checks as you type, the form, undo."""

from __future__ import annotations

import pytest

from workbook.case.contract import VOCABULARIES
from workbook.case.editing import CaseEditor, CsvFile, EditError, check_value, choices
from workbook.case.loading import validate
from workbook.faces.cli import main
from workbook.views.editor import NEW, CaseForm

AWKWARD = ("\ufeffperson_id,name,aliases,role,notes,my column\r\n"
           'radek,Karl Radek,"K. Radek;Радек",,"two\r\nlines",x\r\n'
           "\r\n"
           'romm,"Vladimir Romm",,"witness, 1937",,"kept\u2028line\x85"')  # a BOM, CRLF, a blank line, no final newline


@pytest.fixture
def case(tmp_path):
    folder = tmp_path / "case"
    assert main(["new-case", str(folder)]) == 0
    return folder


def test_unchanged_rows_are_written_back_byte_for_byte(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(AWKWARD.encode("utf-8"))
    data = CsvFile(path)
    assert data.header == ["person_id", "name", "aliases", "role", "notes", "my column"]
    assert [r.get("person_id") for r in data.rows] == ["radek", None, "romm"]
    assert data.text().encode("utf-8") == path.read_bytes() and not data.changed()
    data.set(2, "role", "witness")
    data.append({"person_id": "karev", "name": "Karev", "aliases": "Карев"})
    data.write()
    assert path.read_bytes().decode("utf-8") == (
        "\ufeffperson_id,name,aliases,role,notes,my column\r\n"
        'radek,Karl Radek,"K. Radek;Радек",,"two\r\nlines",x\r\n'
        "\r\n"
        "romm,Vladimir Romm,,witness,,kept\u2028line\x85\r\n"
        "karev,Karev,Карев,,,\r\n")


def test_checks_say_what_to_write(case):
    assert check_value(case, "testimonies", "given", "1850-07-02") is None
    assert check_value(case, "testimonies", "given", "30/07/1912") == \
        "'30/07/1912' is not an EDTF date; write 1912-07-30 (year-month-day)"
    assert check_value(case, "testimonies", "setting", "court") == \
        f"'court' is not one of: {', '.join(VOCABULARIES['testimonies.setting'])}"
    assert check_value(case, "testimonies", "source_id", "letter-1851") == \
        "'letter-1851' is not a source_id in sources.csv; add it there first"
    assert check_value(case, "people", "person_id", "Iwan Petrow") == \
        "'Iwan Petrow' is not an identifier: use lower-case letters, digits and - _ . (e.g. iwan-petrow)"
    assert check_value(case, "people", "name", "") == "name is required"
    assert choices(case, "evidence", "stance") == ["supports", "contradicts", "qualifies"]
    assert "letter-1850" in choices(case, "testimonies", "source_id")


def test_save_change_refuse_undo(case):
    people = case / "people.csv"
    original = people.read_bytes()
    editor = CaseEditor(case)
    assert editor.save("people", {"person_id": "petrov", "name": "Iwan Petrow", "aliases": "Ivan Petrov;Иван Петров"}) \
        == "people.csv: added petrov"
    assert people.read_bytes() == original + "petrov,Iwan Petrow,Ivan Petrov;Иван Петров,,\n".encode()
    assert editor.save("people", {"person_id": "petrov", "role": "witness"}) == "people.csv: changed petrov: role"
    assert people.read_bytes() == original + "petrov,Iwan Petrow,Ivan Petrov;Иван Петров,witness,\n".encode()
    with pytest.raises(EditError) as info:
        editor.save("testimonies", {"testimony_id": "t-new", "source_id": "nowhere", "given": "July 1850",
                                    "setting": "open_court", "quote": "I saw it."})
    assert str(info.value).startswith("testimonies.csv: not saved: source_id: 'nowhere' is not a source_id in "
                                      "sources.csv; add it there first; given: 'July 1850' is not an EDTF date")
    assert editor.undo() == 'people.csv: undid "changed petrov: role"'
    assert editor.undo() == 'people.csv: undid "added petrov"'
    assert people.read_bytes() == original
    assert editor.undo() == "nothing to undo"
    assert validate(case) == []


def test_undo_refuses_to_overwrite_a_later_edit(case):
    editor = CaseEditor(case)
    editor.save("people", {"person_id": "petrov", "name": "Iwan Petrow"})
    path = case / "people.csv"
    path.write_bytes(path.read_bytes() + b"karev,Karev,,,\n")         # edited in a spreadsheet since
    with pytest.raises(EditError, match=r"^people.csv was changed since \"added petrov\" was saved"):
        editor.undo()
    assert path.read_bytes().endswith(b"karev,Karev,,,\n")


def test_every_table_keeps_other_rows(case):
    editor = CaseEditor(case)
    before = {p.name: p.read_bytes() for p in case.glob("*.csv")}
    editor.save("sources", {"source_id": "diary-1850", "title": "Diary of the neighbour", "kind": "diary",
                            "created": "1850-05~"})
    editor.save("testimonies", {"testimony_id": "t-diary", "source_id": "diary-1850", "given": "1850-05-13",
                                "setting": "private_letter", "quote": "Fire in the night.", "conditions": "free"})
    claim = next(r for r in CsvFile(case / "claims.csv").rows if r)["claim_id"]
    editor.save("evidence", {"testimony_id": "t-diary", "claim_id": claim, "stance": "supports"})
    editor.save("custody", {"source_id": "diary-1850", "seq": "1", "custodian": "neighbour", "action": "created"})
    assert validate(case) == []
    for name, old in before.items():
        assert (case / name).read_bytes().startswith(old), name
    assert (case / "evidence.csv").read_bytes().endswith(f"t-diary,{claim},supports,\n".encode())


def test_the_form(case):
    form = CaseForm(case, "testimonies")
    assert repr(form) == "CaseForm('case', table='testimonies')"
    assert form.fields["setting"].options[0] == "" and "open_court" in form.fields["setting"].options
    assert "letter-1850" in form.fields["source_id"].options
    form.fields["given"].value = "30 July 1850"
    assert form.checks["given"].value.startswith("<span style='color:#a4000f'>✗ &#x27;30 July 1850&#x27; is not an EDTF")
    form.fields["given"].value = "1850-07-30"
    assert form.checks["given"].value == "<span style='color:#1b5e20'>✓ EDTF</span>"
    form.fields["testimony_id"].value = "t-form"
    form.fields["source_id"].value = "letter-1850"
    form.fields["setting"].value = "written_statement"
    form.fields["quote"].value = 'He said "<b>no</b>".'
    form.fields["conditions"].value = ("free", "in_custody")
    form.save_button.click()
    assert form.status.value == "<span style='color:#1b5e20'>Saved. testimonies.csv: added t-form</span>"
    assert form.row.value == "t-form"
    row = CaseEditor(case).row("testimonies", {"testimony_id": "t-form"})
    assert (row["quote"], row["conditions"], row["given"]) == ('He said "<b>no</b>".', "free;in_custody", "1850-07-30")
    form.row.value = NEW
    assert form.fields["testimony_id"].value == ""
    form.row.value = "t-form"
    assert form.fields["conditions"].value == ("free", "in_custody")
    form.undo_button.click()
    assert form.status.value == 'testimonies.csv: undid &quot;added t-form&quot;'
    assert CaseEditor(case).row("testimonies", {"testimony_id": "t-form"}) is None
    form.table.value = "evidence"
    assert list(form.fields) == ["testimony_id", "claim_id", "stance", "note"]
    assert form.checks["stance"].value == ""                        # an empty field is not flagged while typing
    form.save_button.click()
    assert form.status.value.startswith("<span style='color:#a4000f'>evidence.csv: not saved: testimony_id: "
                                        "testimony_id is required")
    assert form.checks["stance"].value == "<span style='color:#a4000f'>✗ stance is required</span>"


def test_custody_form_offers_people_and_the_next_step(case):
    form = CaseForm(case, "custody")
    assert "miller" in form.fields["custodian"].options
    form.fields["source_id"].value = "letter-1850"
    steps = [int(k[1]) for k in CaseEditor(case).keys("custody") if k[0] == "letter-1850"]
    assert form.fields["seq"].value == str(max(steps) + 1)
    form.fields["custodian"].value = "county-archive"
    form.fields["action"].value = "copied"
    form.fields["date"].value = "1900~"
    assert form.problems() == {}
    assert form.save() == f"custody.csv: added letter-1850, {max(steps) + 1}"
    assert validate(case) == []
