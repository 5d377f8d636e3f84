"""A case's lesson text (workbook.case.lesson) and how notebooks show it (workbook.views.lesson)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workbook
from workbook.case.lesson import lesson_problems, load_lesson, missing_table_sentence, parse_lesson
from workbook.views.lesson import CaseText, absent_table, case_text, table_or_sentence

ROOT = Path(__file__).resolve().parents[1]


def _case(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "case"
    (folder / "lesson").mkdir(parents=True)
    for name, text in files.items():
        (folder / "lesson" / name).write_text(text, encoding="utf-8")
    return folder


def test_sections_are_level_two_headings_and_the_preface_is_not_shown():
    text = "A note for authors.\n\n## story\nThe miller.\n\n### a subheading\nstays in.\n\n## references\n- A book.\n"
    assert parse_lesson(text) == {"story": "The miller.\n\n### a subheading\nstays in.", "references": "- A book."}


def test_a_heading_inside_a_code_fence_is_text():
    assert parse_lesson("## story\n```\n## not a key\n```\n") == {"story": "```\n## not a key\n```"}


def test_a_repeated_key_names_file_and_both_lines(tmp_path):
    folder = _case(tmp_path, {"04-corroboration.md": "## story\none\n\n## story\ntwo\n"})
    with pytest.raises(workbook.CaseError) as err:
        load_lesson(folder, "04")
    assert [str(p) for p in err.value.problems] == [
        "lesson/04-corroboration.md:4:-: the section 'story' appears twice (first on line 1); give each section its own key"]


def test_a_heading_that_is_not_a_key(tmp_path):
    folder = _case(tmp_path, {"00.md": "## The Story\ntext\n"})
    assert [str(p) for p in lesson_problems(folder)] == [
        "lesson/00.md:1:-: the section heading '## The Story' is not a key: write lower-case letters, digits, "
        "'.', '-' or '_' (for example '## story' or '## exercise-4.4')"]


def test_two_files_for_one_notebook_and_a_badly_named_file(tmp_path):
    folder = _case(tmp_path, {"04.md": "## a\nx\n", "04-corroboration.md": "## a\ny\n", "notes.md": "x"})
    assert [str(p) for p in lesson_problems(folder)] == [
        "lesson/04.md:-:-: notebook 04 has two lesson files (04-corroboration.md, 04.md); keep one",
        "lesson/notes.md:-:-: a lesson file is named after its notebook: '04-corroboration.md' or '04.md'"]
    with pytest.raises(workbook.CaseError):
        load_lesson(folder, "04")


def test_a_case_without_lesson_text_gets_an_empty_lesson(tmp_path):
    lesson = load_lesson(tmp_path, "07-competing-hypotheses")
    assert (lesson.notebook, lesson.sections, lesson.file) == ("07", {}, None)
    assert "chosen-claim" not in lesson
    assert repr(case_text(lesson, "chosen-claim", "Nothing of its own.")) == "Nothing of its own."


def test_a_notebook_name_that_is_not_one():
    with pytest.raises(ValueError, match="does not name a notebook"):
        load_lesson(".", "corroboration")


def test_the_bundled_case_keeps_its_material_in_lesson_files():
    sections = {n: load_lesson(ROOT / "data" / "moscow-trials", n).sections
                for n in ("00", "01", "02", "04", "05", "06", "07", "08")}
    assert lesson_problems(ROOT / "data" / "moscow-trials") == []
    assert "minority position" in sections["00"]["case-in-brief"]
    assert "annulled the verdict" in sections["00"]["case-in-brief"]
    assert "not confirmed" in sections["00"]["case-in-brief"]  # Getty 1986 as the case marks it
    assert sorted(sections["07"]) == ["chosen-claim", "exercise-7.1", "exercise-7.4", "exercise-7.5",
                                      "references", "summary", "ties"]
    assert sections["05"]["exercise-5.4-pair"] == "t-draft-radek-1936-12-04 t-radek-1937-108"


def test_case_text_is_markdown_with_raw_html_shown_as_text():
    shown = CaseText("**bold** <img src=x onerror=alert(1)> a > b")
    assert shown._repr_markdown_() == "**bold** &lt;img src=x onerror=alert(1)> a > b"
    assert repr(shown) == "**bold** <img src=x onerror=alert(1)> a > b"


def test_absent_tables_and_empty_frames_are_one_plain_sentence():
    case = workbook.load_case(ROOT / "tests" / "other_cases" / "harbour-fire")
    assert repr(absent_table(case, "whereabouts")) == (
        "This case has no whereabouts table; add one to check alleged meetings against where people were.")
    assert absent_table(case, "people") is None
    assert repr(table_or_sentence(case.whereabouts, "No stays.")) == "No stays."
    assert table_or_sentence(case.people, "No people.") is case.people
    assert missing_table_sentence("hypotheses") == (
        "This case has no hypotheses table; add one to weigh the evidence on a claim against competing explanations.")
    with pytest.raises(KeyError, match="not an optional table"):
        missing_table_sentence("sources")



def test_every_key_a_notebook_asks_for_is_documented_and_the_bundled_case_uses_no_other():
    """docs/case-contract.md lists the keys each notebook shows; the bundled case has no section no notebook shows."""
    import json
    import re

    doc = (ROOT / "docs" / "case-contract.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("0[0-8]-*.ipynb")):
        number = path.name[:2]
        source = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        asked = set(re.findall(r'case_text\(lesson, "([^"]+)"', source)) | set(re.findall(r'lesson\.text\("([^"]+)"\)', source))
        if not asked:
            continue
        row = next(line for line in doc.splitlines() if line.startswith(f"| {number} |"))
        assert set(re.findall(r"`([^`]+)`", row)) == asked, path.name
        assert set(load_lesson(ROOT / "data" / "moscow-trials", number).sections) <= asked, path.name
