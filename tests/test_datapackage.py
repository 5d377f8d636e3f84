"""Frictionless descriptors: ``describe`` writes one that frictionless accepts, and every kind of descriptor loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from workbook import TABLES, CaseError, load_case
from workbook.__main__ import main
from workbook.datapackage import describe, descriptor, table_schema

VALID = Path(__file__).resolve().parent / "cases" / "valid"


@pytest.fixture
def described(tmp_path) -> Path:
    """A copy of the valid corpus case with the full descriptor that ``describe`` writes."""
    folder = tmp_path / "valid"
    shutil.copytree(VALID, folder)
    describe(folder)
    return folder


def frames_equal(a, b) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a.table(name), b.table(name))


def test_describe_writes_a_full_descriptor(described):
    written = json.loads((described / "datapackage.json").read_text(encoding="utf-8"))
    assert written["name"] == "valid"
    assert written["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in written["resources"]}
    assert list(resources) == list(TABLES)  # every table the case has, in contract order
    for name, resource in resources.items():
        assert resource["path"] == f"{name}.csv"
        assert resource["encoding"] == "utf-8"
        fields = [f["name"] for f in resource["schema"]["fields"]]
        contract = TABLES[name].column_names  # the file's contract columns, in contract order (optional ones
        assert [f for f in fields if f in contract] == [c for c in contract if c in fields]  # it lacks: left out)
        assert set(TABLES[name].required_columns) <= set(fields)
    # the extra column is described too, as text
    assert resources["testimonies"]["schema"]["fields"][-1] == {"name": "checked_by", "type": "string"}
    schema = resources["testimonies"]["schema"]
    assert schema["primaryKey"] == ["testimony_id"]
    assert {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}} in schema["foreignKeys"]
    assert resources["claims"]["schema"]["foreignKeys"] == [
        {"fields": "parent_id", "reference": {"resource": "", "fields": "claim_id"}}]  # the claim tree, in itself
    assert resources["custody"]["schema"]["primaryKey"] == ["source_id", "seq"]
    assert resources["evidence"]["schema"]["primaryKey"] == ["testimony_id", "claim_id"]
    kind = next(f for f in resources["sources"]["schema"]["fields"] if f["name"] == "kind")
    assert kind["constraints"]["enum"][0] == "interrogation_record"


def test_described_case_loads_identically(described):
    frames_equal(load_case(described), load_case(VALID))


def test_frictionless_finds_the_described_case_valid(described):
    report = frictionless.validate(str(described / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_frictionless_checks_what_the_schema_says(described):
    """The schema is not decoration: frictionless catches a broken reference, a bad word and a repeated step."""
    testimonies = described / "testimonies.csv"
    testimonies.write_text(testimonies.read_text(encoding="utf-8").replace(
        "t-kjeller,aftenposten-1937", "t-kjeller,aftenposten"), encoding="utf-8")
    evidence = described / "evidence.csv"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace(
        "t-dewey,oslo-meeting,contradicts", "t-dewey,oslo-meeting,denies"), encoding="utf-8")
    custody = described / "custody.csv"
    custody.write_text(custody.read_text(encoding="utf-8").replace("trial-1937-ru,2,", "trial-1937-ru,1,"),
                       encoding="utf-8")
    report = frictionless.validate(str(described / "datapackage.json"))
    types = {task.name: {error.type for error in task.errors} for task in report.tasks}
    assert "foreign-key" in types["testimonies"]
    assert "constraint-error" in types["evidence"]
    assert "primary-key" in types["custody"]


def test_minimal_descriptor_with_other_paths_loads_and_describes(tmp_path):
    folder = tmp_path / "moved"
    shutil.copytree(VALID, folder)
    (folder / "tables").mkdir()
    for name in ("sources", "claims"):
        (folder / f"{name}.csv").rename(folder / "tables" / f"{name}.csv")
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "moved-case", "title": "Moved", "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [{"name": "sources", "path": "tables/sources.csv"},
                      {"name": "claims", "path": "tables/claims.csv"},
                      {"name": "photos", "path": "photos.csv"}]}), encoding="utf-8")
    case = load_case(folder)
    assert (case.name, case.title) == ("moved-case", "Moved")
    frames_equal(case, load_case(VALID))
    full = descriptor(folder)
    paths = {r["name"]: r["path"] for r in full["resources"]}
    assert paths["sources"] == "tables/sources.csv" and paths["claims"] == "tables/claims.csv"
    assert paths["photos"] == "photos.csv"  # the user's own resource is kept, not checked
    assert full["licenses"] == [{"name": "CC-BY-4.0"}]  # and so are the package's other keys
    assert (full["name"], full["title"]) == ("moved-case", "Moved")


def test_only_required_tables_describe_without_dangling_foreign_keys(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    for name in ("sources", "claims", "testimonies", "evidence"):
        shutil.copyfile(VALID / f"{name}.csv", folder / f"{name}.csv")
    (folder / "testimonies.csv").write_text((VALID / "testimonies.csv").read_text(encoding="utf-8").replace(
        ",piatakov,p. 63,", ",,p. 63,"), encoding="utf-8")
    (folder / "claims.csv").write_text((VALID / "claims.csv").read_text(encoding="utf-8").replace(
        "piatakov;trotsky", "").replace(",piatakov,", ",,"), encoding="utf-8")
    describe(folder)
    written = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in written["resources"]] == ["sources", "claims", "testimonies", "evidence"]
    testimonies = next(r for r in written["resources"] if r["name"] == "testimonies")
    # speaker_id points to people, which this case does not have: no foreign key to a missing resource
    assert all(k["reference"]["resource"] != "people" for k in testimonies["schema"]["foreignKeys"])
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_package_name_is_made_valid_from_the_folder_name(tmp_path):
    folder = tmp_path / "My Case (1937)"
    shutil.copytree(VALID, folder)
    describe(folder)
    assert json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["name"] == "my-case-1937"
    assert frictionless.validate(str(folder / "datapackage.json")).valid


def test_describe_refuses_a_case_with_problems(tmp_path, capsys):
    folder = tmp_path / "bad"
    shutil.copytree(VALID, folder)
    (folder / "evidence.csv").write_text("testimony_id,claim_id,stance\nt-dewey,oslo-meeting,denies\n",
                                         encoding="utf-8")
    with pytest.raises(CaseError):
        descriptor(folder)
    assert main(["describe", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("evidence.csv:2:stance: 'denies' is not allowed")
    assert "not written" in err
    assert not (folder / "datapackage.json").exists()


def test_describe_command_reports_what_it_wrote(tmp_path, capsys):
    folder = tmp_path / "valid"
    shutil.copytree(VALID, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["describe", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"wrote {folder / 'datapackage.json'}"
    assert "  testimonies: 3 rows" in out.splitlines()
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "datapackage.json"}
    assert after == before  # the tables are untouched; only the descriptor is new
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_table_schema_marks_lists_and_dates():
    schema = table_schema(TABLES["sources"])
    fields = {f["name"]: f for f in schema["fields"]}
    assert "EDTF" in fields["created"]["description"]
    assert "; separated list" in fields["derived_from"]["description"]
    assert fields["source_id"]["constraints"] == {"required": True, "pattern": "[a-z0-9][a-z0-9_.-]*"}
    assert schema["missingValues"] == [""]
