"""The student edition and the teacher's edition kept apart: no solution reaches a student.

For EVERY exercise of the series (each ``### BEGIN SOLUTION`` block of every
notebook), distinctive phrases of its solution are taken from the teacher's
edition; none may appear in the students' copies (``make student``), the static
report (``make report``) or the student edition's pages (``app/lesson-*.ipynb``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from workbook.case.answers import answer_store, load_answers
from workbook.faces.series import prepare_lab, series, student_copy, write_report
from workbook.faces.student_edition import (LESSONS, exercises, for_pages, lesson_page, page_name, student_page,
                                            write_student_edition)

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def _plain(text: str) -> str:
    """Text as a reader sees it: markdown links, emphasis and code marks dropped, spaces collapsed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _visible(page_html: str) -> str:
    page_html = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    return _plain(html.unescape(re.sub(r"<[^>]+>", " ", page_html)))


def _solutions(nb) -> list[tuple[str, list[str]]]:
    """(where, phrases) for every solution block; phrases are distinctive (absent from the rest)."""
    # text the teacher's edition shows outside its solutions (prose, code, data in outputs) is not distinctive
    shown = [SOLUTION.sub(" ", c.source) for c in nb.cells]
    shown += [_visible(json.dumps(o.get("data", o.get("text", "")))).replace("\\n", " ")
              for c in nb.cells if "BEGIN SOLUTION" not in c.source for o in c.get("outputs", [])]
    rest = _plain(" ".join(shown))
    found = []
    for i, cell in enumerate(nb.cells):
        for block in SOLUTION.findall(cell.source):
            if cell.cell_type == "code":
                phrases = [ln.strip() for ln in block.splitlines() if len(ln.strip()) >= 20]
            else:
                words = _plain(block).split(" ")
                phrases = [" ".join(words[k:k + 7]) for k in range(0, max(1, len(words) - 6), 5)]
            phrases = [p for p in phrases if _plain(p) not in rest]
            found.append((f"cell {i}", phrases))
    return found


ALL = [(path, where, phrases) for path in series()
       for where, phrases in _solutions(nbformat.read(path, as_version=4))]


def test_every_exercise_has_a_solution_with_distinctive_phrases():
    blocks = sum(c.source.count("### BEGIN SOLUTION") for p in series()
                 for c in nbformat.read(p, as_version=4).cells)
    assert len(ALL) == blocks >= 41  # every solution block of the series is checked
    for path, where, phrases in ALL:
        assert phrases, f"{path.name} {where}: no distinctive phrase to look for"


def _ids(item):
    return f"{item[0].stem[:2]}-{item[1].replace(' ', '')}"


@pytest.fixture(scope="module")
def student_texts():
    return {p.name: json.dumps(nbformat.writes(student_copy(nbformat.read(p, as_version=4))))
            for p in series()}


@pytest.fixture(scope="module")
def report_texts(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    write_report(out, series(), execute_first=False)
    return {p.name: _visible((out / f"{p.stem}.html").read_text(encoding="utf-8")) for p in series()}


@pytest.fixture(scope="module")
def page_texts():
    pages = {}
    for lesson in LESSONS:
        nb = nbformat.read(APP / page_name(lesson), as_version=4)
        pages[f"{lesson}.ipynb"] = _plain(" ".join(c.source for c in nb.cells))
    return pages


@pytest.mark.parametrize("item", ALL, ids=_ids)
def test_no_solution_in_the_students_copy_the_report_or_the_pages(item, student_texts, report_texts, page_texts):
    path, where, phrases = item
    copy_text = _plain(nbformat.reads(json.loads(student_texts[path.name]), as_version=4).cells.__repr__())
    for phrase in phrases:
        p = _plain(phrase)
        assert p not in _plain(json.loads(student_texts[path.name])), (path.name, where, phrase)
        assert p not in copy_text, (path.name, where, phrase)
        assert p not in report_texts[path.name], (path.name, where, phrase)
        if path.name in page_texts:
            assert p not in page_texts[path.name], (path.name, where, phrase)


def test_the_report_shows_prose_and_a_sentence_for_each_panel_never_a_repr(report_texts):
    text = report_texts["03-scoring.ipynb"]
    assert "The rubric" in text
    assert "ScoringPanel(" not in text and "AchPanel(" not in " ".join(report_texts.values())
    assert "[The scoring panel: 128 testimonies of the case 'moscow-trials'" in text
    assert "model not found" not in " ".join(report_texts.values())


def test_stored_outputs_show_a_sentence_not_a_repr():
    for path in series():
        raw = path.read_text(encoding="utf-8")
        assert "ScoringPanel(case=" not in raw and "AchPanel(claim=" not in raw, path.name


# --------------------------------------------------------------- the pages
def test_the_pages_in_app_are_generated_from_the_notebooks(tmp_path):
    written = write_student_edition(tmp_path)
    assert [p.name for p in written] == [page_name(x) for x in LESSONS] + ["doc-glossary.ipynb",
                                                                            "doc-assessments.ipynb"]
    for p in written:
        assert p.read_text(encoding="utf-8") == (APP / p.name).read_text(encoding="utf-8"), (
            f"app/{p.name} is out of date: run python -m workbook student-edition")


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_exercise_gets_an_answer_box_and_no_output_is_stored(lesson):
    teacher = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
    page = nbformat.read(APP / page_name(lesson), as_version=4)
    boxes = [c.source for c in page.cells if c.cell_type == "code" and c.source.startswith("page.answer(")]
    assert boxes == [f"page.answer({n!r}, {t!r})" for n, t in exercises(teacher)]
    assert all(not c.get("outputs") for c in page.cells if c.cell_type == "code")
    assert not any("BEGIN SOLUTION" in c.source or "*Your answer here.*" in c.source
                   or "# Your answer here" in c.source for c in page.cells)
    assert page.cells[-1].source == "page.footer()"


def test_prose_is_said_for_a_page_not_a_notebook():
    source = ("The first cell names the case.\n\n<!-- notebook -->\nPress Shift-Enter to run it.\n<!-- /notebook -->\n"
              "<!-- page: Use the links at the top. -->\n\nThe next cell counts\nthe sources; the next\ncell draws "
              "them. A right answer is <!-- notebook -->a line of code<!-- /notebook --><!-- page: the number --> "
              "and a sentence. See notebook 01, the `notebooks` folder, this notebook and the "
              "[glossary](../docs/glossary.md#hearsay), [the contract](../docs/case-contract.md).")
    assert for_pages(source) == (
        "The first cell names the case.\n\nUse the links at the top.\n\nBelow, the workbook counts\nthe sources; "
        "below, the workbook draws them. A right answer is the number and a sentence. See lesson 01, the "
        "`notebooks` folder, this lesson and the [glossary](doc-glossary.ipynb), the contract.")


@pytest.mark.parametrize("name", [page_name(x) for x in LESSONS])
def test_no_page_speaks_of_cells_code_or_notebook_files(name):
    page = nbformat.read(APP / name, as_version=4)
    prose = "\n".join(c.source for c in page.cells if c.cell_type == "markdown")
    for words in ("Shift-Enter", "next cell", "first cell", "code cell", "grey box", "line of code", "<!--",
                  "../docs/", "Run All", "RATER ="):
        assert words not in prose, f"{name}: {words!r} on a page without code"
    linked = set(re.findall(r"\]\(([^)#?]+\.ipynb)", prose))
    assert linked <= {page_name(x) for x in LESSONS} | {"doc-glossary.ipynb", "doc-assessments.ipynb"}, linked


def test_a_document_page_has_the_lessons_and_asks_no_name(tmp_path):
    nb = nbformat.read(APP / "doc-glossary.ipynb", as_version=4)
    assert nb.cells[0].source.endswith("page = lesson_page('doc:glossary')\npage.header()")
    assert nb.cells[1].source == for_pages((ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")).strip()
    assert nb.cells[-1].source == "page.footer()"
    page = lesson_page("doc:glossary", _env(tmp_path))
    top = page.nav_html("top")
    assert "Back to a lesson" in top and 'rel="next"' not in top and top.count("<li>") == len(LESSONS)
    assert page._who_html() == ""


def test_on_one_machine_the_name_travels_with_the_prose_links_too(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401  (display works without a kernel)

    page = lesson_page("01-sources-and-custody", {**_env(tmp_path), "QUERY_STRING": "rater=ana"})
    assert page.rater == "ana" and page.session.mode == "single"
    assert page._href("02-testimonies") == "lesson-02-testimonies.ipynb?rater=ana"


def test_a_page_on_a_small_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Sources"),
        nbformat.v4.new_code_cell('CASE = "../data/x"\nRATER = "student"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("### Exercise 1.1 — Who recorded it?\n\nSay who."),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nsecret = 42\n### END SOLUTION"),
        nbformat.v4.new_markdown_cell("### BEGIN SOLUTION\nThe NKVD did.\n### END SOLUTION"),
        nbformat.v4.new_code_cell("panel = make(RATER)\npanel"),
    ]
    page = student_page(nb, "01-sources-and-custody")
    assert [c.source for c in page.cells] == [
        "from IPython.display import display\nfrom workbook.faces.student_edition import lesson_page\n\n"
        "page = lesson_page('01-sources-and-custody')\npage.header()",
        "# Sources",
        'CASE = "../data/x"\nRATER = "student"',
        "CASE, RATER, SCORES_DIR = str(page.session.case), page.rater, str(page.session.scores_dir)",
        "### Exercise 1.1 — Who recorded it?\n\nSay who.",
        "page.answer('1.1', 'Who recorded it?')",
        "if RATER is not None:\n    panel = make(RATER)\n    display(panel)\nelse:\n    page.needs_name()",
        "page.footer()",
    ]


def _env(tmp_path, **more):
    return {"WORKBOOK_CASE": str(ROOT / "data" / "moscow-trials"), "WORKBOOK_ANSWERS_DIR": str(tmp_path / "ans"),
            "WORKBOOK_SCORES_DIR": str(tmp_path / "s"), **more}


def test_the_page_learns_the_student_from_the_session_or_on_one_machine_from_the_address(tmp_path):
    assert lesson_page("01-sources-and-custody", _env(tmp_path, WORKBOOK_RATER="ana")).rater == "ana"
    assert lesson_page("01-sources-and-custody", _env(tmp_path)).rater is None
    single = lesson_page("01-sources-and-custody", _env(tmp_path, QUERY_STRING="rater=b-kovacs"))
    assert single.rater == "b-kovacs"
    nav = single.nav_html("top")
    assert '<a href="lesson-00-start-here.ipynb?rater=b-kovacs" rel="prev">' in nav
    assert '<a href="lesson-02-testimonies.ipynb?rater=b-kovacs" rel="next">' in nav
    # in class mode only the server says who the student is: the address is ignored
    classy = lesson_page("01-sources-and-custody",
                         _env(tmp_path, WORKBOOK_MODE="class", QUERY_STRING="rater=eve"))
    assert classy.rater is None
    assert "join again" in classy._who_html() and "<form" not in classy._who_html()
    bad = lesson_page("01-sources-and-custody", _env(tmp_path, QUERY_STRING="rater=%3Cb%3E"))
    assert bad.rater is None and "<form" in bad._who_html() and "<b>" not in bad._who_html()


def test_an_answer_is_saved_at_once_and_read_back(tmp_path):
    env = _env(tmp_path, WORKBOOK_RATER="ana")
    page = lesson_page("01-sources-and-custody", env)
    box = page.answer("1.1", "Who recorded it?")
    assert box.text.description == "Your answer to Exercise 1.1: Who recorded it?"
    box.text.value = "The NKVD, in December 1936."
    lines = (tmp_path / "ans" / "ana.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "rater,exercise_id,answer,updated_at"
    assert lines[1].startswith('ana,1.1,"The NKVD, in December 1936.",')
    again = lesson_page("01-sources-and-custody", env).answer("1.1", "Who recorded it?")
    assert again.text.value == "The NKVD, in December 1936."
    assert load_answers(tmp_path / "ans")[["rater", "exercise_id", "answer"]].values.tolist() == [
        ["ana", "1.1", "The NKVD, in December 1936."]]


def test_without_a_name_the_box_saves_nothing(tmp_path):
    box = lesson_page("01-sources-and-custody", _env(tmp_path)).answer("1.1")
    assert box.text.disabled
    box.text.value = "lost?"
    assert not (tmp_path / "ans").exists()


def test_answer_store_columns(tmp_path):
    store = answer_store(tmp_path, "ana", clock=lambda: "2026-01-01T00:00:00Z")
    store.set(("2.1",), answer='He said "no", twice')
    assert (tmp_path / "ana.csv").read_text(encoding="utf-8") == (
        'rater,exercise_id,answer,updated_at\nana,2.1,"He said ""no"", twice",2026-01-01T00:00:00Z\n')


# --------------------------------------------------------------- make lab
def test_lab_copies_are_made_refreshed_and_never_overwritten_when_edited(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    a, b = src / "01-a.ipynb", src / "02-b.ipynb"
    a.write_text("A1", encoding="utf-8")
    b.write_text("B1", encoding="utf-8")
    work = tmp_path / "work"
    assert prepare_lab(work, [a, b]) == ["copied 01-a.ipynb", "copied 02-b.ipynb"]
    assert prepare_lab(work, [a, b]) == []
    (work / "02-b.ipynb").write_text("B1 with the teacher's notes", encoding="utf-8")
    a.write_text("A2", encoding="utf-8")
    b.write_text("B2", encoding="utf-8")
    assert prepare_lab(work, [a, b]) == [
        "refreshed 01-a.ipynb (the original changed, your copy was not edited)",
        "kept your edited 02-b.ipynb; the changed original is beside it as 02-b.new.ipynb"]
    assert (work / "01-a.ipynb").read_text(encoding="utf-8") == "A2"
    assert (work / "02-b.ipynb").read_text(encoding="utf-8") == "B1 with the teacher's notes"
    assert (work / "02-b.new.ipynb").read_text(encoding="utf-8") == "B2"
    assert a.read_text(encoding="utf-8") == "A2"  # the originals are never written


def test_make_lab_opens_the_working_copies():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab = makefile.split("\nlab: ", 1)[1].split("\n\n", 1)[0]
    assert "-m workbook lab-copies work" in lab
    assert "work/00-start-here.ipynb" in lab and "notebooks/00-start-here.ipynb" not in lab
    assert "/work/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------- other cases
def _run_pages(case: Path, tmp_path: Path, rater: str | None) -> dict[str, list]:
    import os
    import shutil

    from nbclient import NotebookClient

    env = dict(os.environ, PYTHONHASHSEED="0", WORKBOOK_CASE=str(case), WORKBOOK_SCORES_DIR=str(tmp_path / "s"),
               WORKBOOK_ACH_DIR=str(tmp_path / "a"), WORKBOOK_ANSWERS_DIR=str(tmp_path / "ans"),
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.pop("WORKBOOK_RATER", None)
    env.pop("QUERY_STRING", None)
    if rater:
        env["WORKBOOK_RATER"] = rater
    app = tmp_path / "app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns("*.py", "*.json", "scoring-app.ipynb"))
    outputs = {}
    for lesson in LESSONS:
        nb = nbformat.read(app / page_name(lesson), as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(APP)}}).execute(env=env)
        outputs[lesson] = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        outputs[lesson].append({"widget_state": nb.metadata.get("widgets", {})})  # the header's text is there
    return outputs


@pytest.mark.slow
@pytest.mark.parametrize("rater", ["ana", None], ids=["named", "no-name"])
def test_the_pages_run_on_a_case_written_from_the_contract(tmp_path, rater):
    import shutil

    case = tmp_path / "contract-case"
    shutil.copytree(ROOT / "tests" / "cases" / "valid", case)
    outputs = _run_pages(case, tmp_path, rater)
    for lesson, outs in outputs.items():
        errors = [o for o in outs if o.get("output_type") == "error"]
        assert errors == [], f"{lesson}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        text = json.dumps(outs)
        assert "Traceback" not in text, lesson
    shown = json.dumps(outputs["00-start-here"])
    if rater is None:
        assert "Give your name at the top of the page" in shown
        assert not (tmp_path / "s").exists() and not (tmp_path / "ans").exists()  # nothing saved without a name
    else:
        assert "Working as <strong>ana</strong> on the case <strong>contract-case</strong>" in shown


# --------------------------------------------------------------- words that explain themselves
def test_no_ranking_before_any_rating_and_levels_read_as_levels(tmp_path):
    from workbook import AchPanel, load_case, scoring_panel

    case = load_case(ROOT / "workbook" / "template_case")
    panel = AchPanel(case, "fire", "ana", tmp_path / "ach")
    assert panel.scores_label.value.startswith("No ranking yet: rate some cells first.")
    scoring = scoring_panel(case, "ana", tmp_path / "scores")
    labels = [label for control in scoring.controls.values() for label, _ in control.options]
    assert "unknown" in labels
    assert all(re.match(r"^(unknown|\d+(: .+)?|[A-Z0-9]{1,3}: .+)$", x) for x in labels), labels
    assert not any(re.match(r"^\d+ [a-z]", x) for x in labels)  # never "1 years later", "2 hearsay"


def test_lesson_pages_write_into_the_session_folders_themselves():
    """The session's folders are already the case's own (a class's scores/, or scores/<case-name>/):
    a page that added the case's name again would write where neither the class's dashboard nor
    the student's next visit looks."""
    for page in sorted((ROOT / "app").glob("lesson-*.ipynb")):
        text = page.read_text(encoding="utf-8")
        assert "case_folder(" not in text, page.name
    assert "my_scores_dir = Path(SCORES_DIR)" in (ROOT / "app" / "lesson-03-scoring.ipynb").read_text(encoding="utf-8")
