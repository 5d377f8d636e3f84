"""The student edition: the lessons as pages without code, one answer box per exercise.

The pages are generated from the teacher's edition (``notebooks/``, the one
source of truth) by :func:`write_student_edition` into ``app/lesson-NN-*.ipynb``,
served by Voilà (``make app``), which shows outputs and hides code, and by the
class server (every notebook page under ``app/``).  Each page is the students'
copy of one notebook (nbgrader's ``ClearSolutions``: solutions removed) with

- its ``parameters`` cell followed by the page's own setup: who the student is and
  where their work goes, from :func:`workbook.faces.session.current_session`
  only (on one machine, ``make app``, a name given on the page is carried in the
  address as ``?rater=name``; in class mode the class server sets it);
- an answer box after each ``### Exercise N.M`` prompt, saved at once in
  ``<answers_dir>/<rater>.csv`` (:func:`workbook.case.answers.answer_store`);
- the cells that write under the rater's name run only once a name is known;
- navigation (previous, next, every lesson) at the top and the bottom;
- its prose said for a page, not a notebook: a passage between ``<!-- notebook -->``
  and ``<!-- /notebook -->`` is left out, the words of ``<!-- page: ... -->`` (a comment,
  so unseen in the notebook) are shown, and "the next cell" reads "below, the workbook".

The documents the lessons link to (``docs/glossary.md``, ``docs/assessments.md``)
become pages too (``app/doc-glossary.ipynb``...), so that no link of a page is a 404.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote

import nbformat

from ..case.answers import answer_store
from ..case.store import RaterNameError, check_rater
from .series import NOTEBOOK_DIR, STUDENT_CODE_STUB, STUDENT_TEXT_STUB, student_copy
from .session import Session, current_session

__all__ = ["LESSONS", "DOC_PAGES", "APP_DIR", "PAGE_PREFIX", "exercises", "student_page", "doc_page",
           "write_student_edition", "LessonPage", "lesson_page", "page_name", "doc_page_name", "for_pages"]

#: The notebooks the teacher's guide's lessons use (docs/teaching.md), in order.
LESSONS = ("00-start-here", "01-sources-and-custody", "02-testimonies", "03-scoring", "04-corroboration",
           "05-versions", "06-timelines-and-alibis", "07-competing-hypotheses")
#: The documents of ``docs/`` that the lessons link to, served as pages of their own.
DOC_PAGES = ("glossary", "assessments")
APP_DIR = NOTEBOOK_DIR.parent / "app"
DOCS_DIR = NOTEBOOK_DIR.parent / "docs"
PAGE_PREFIX = "lesson-"
EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)\s*(?:[—–-]+\s*)?(.*?)\s*$", re.M)
_STYLE = """<style>
.scw-nav { display: flex; flex-wrap: wrap; gap: 0.5em 1.5em; align-items: center; margin: 0.5em 0; }
.scw-nav a { color: #0b4f8a; font-weight: bold; }
.scw-nav a:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
.scw-who { margin: 0.5em 0; }
.scw-who input { font-size: 1em; padding: 0.2em; }
.scw-table { max-width: 100%; overflow-x: auto; }
.scw-table:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
body a, body a:link, body a:visited { text-decoration: underline !important; }
</style>"""


#: ipywidgets' sliders draw a div with role="slider" and no accessible name (screen readers say
#: "slider"): name each one after the label its widget shows; a control named only by its
#: tooltip gets that text as its name too.
_NAME_SLIDERS = """
(function () {
  function name() {
    document.querySelectorAll('[role="slider"]:not([aria-label])').forEach(function (el) {
      var box = el.closest('.widget-slider, .jupyter-widgets');
      var label = box && box.querySelector('.widget-label');
      var text = label && label.textContent.trim();
      el.setAttribute('aria-label', text || 'slider');
    });
    // controls named only by their tooltip (ipywidgets sets title): give them that name as aria-label
    document.querySelectorAll('select[title]:not([aria-label]), input[title]:not([aria-label]),'
                              + ' textarea[title]:not([aria-label])').forEach(function (el) {
      if (el.title.trim()) { el.setAttribute('aria-label', el.title.trim()); }
    });
  }
  name();
  new MutationObserver(name).observe(document.body, {childList: true, subtree: true});
})();
"""


#: On one machine the student's name travels in the address (``?rater=name``): the prose's own
#: links to other pages (``lesson-02-....ipynb``, ``doc-glossary.ipynb``) keep it too.
_KEEP_NAME = """
(function (query) {
  function keep() {
    document.querySelectorAll('a[href$=".ipynb"]').forEach(function (a) {
      var href = a.getAttribute('href');
      if (href.indexOf('/') === -1 && href.indexOf(':') === -1) { a.setAttribute('href', href + query); }
    });
  }
  keep();
  new MutationObserver(keep).observe(document.body, {childList: true, subtree: true});
})(%s);
"""


def page_name(lesson: str) -> str:
    """The file name of a lesson's page in ``app/``: ``lesson-01-sources-and-custody.ipynb``."""
    return f"{PAGE_PREFIX}{lesson}.ipynb"


def doc_page_name(doc: str) -> str:
    """The file name of a document's page in ``app/``: ``doc-glossary.ipynb``."""
    return f"doc-{doc}.ipynb"


def _title(nb: nbformat.NotebookNode, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return default


def exercises(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """The ``(number, title)`` of every ``### Exercise N.M — Title`` heading, in order."""
    return [(m.group(1), m.group(2)) for c in nb.cells if c.cell_type == "markdown"
            for m in EXERCISE.finditer(c.source)]


def _uses_rater(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.Name) and n.id == "RATER" for n in ast.walk(tree))


def _only_with_a_name(source: str) -> str:
    """The cell's code run only when the student's name is known (its last value displayed)."""
    tree = ast.parse(source)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        tree.body[-1] = ast.Expr(ast.Call(ast.Name("display", ast.Load()), [last.value], []))
        ast.fix_missing_locations(tree)
    body = textwrap.indent(ast.unparse(tree), "    ")
    return f"if RATER is not None:\n{body}\nelse:\n    page.needs_name()"


def _header_source(lesson: str) -> str:
    return (
        "from IPython.display import display\n"
        "from workbook.faces.student_edition import lesson_page\n\n"
        f"page = lesson_page({lesson!r})\n"
        "page.header()"
    )


SESSION_SOURCE = "CASE, RATER, SCORES_DIR = str(page.session.case), page.rater, str(page.session.scores_dir)"


_CASE_FOLDER = re.compile(r"workbook\.case_folder\(\s*(SCORES_DIR|ACH_DIR)\s*,\s*[A-Za-z_]+\s*\)")


_NOTEBOOK_LINK = re.compile(r"\[([^\]]*)\]\((\d\d-[a-z0-9-]+)\.ipynb\)")


def _relink(markdown: str) -> str:
    """Links to notebooks of the series point at their lesson pages; links to the others become text."""
    def swap(m: re.Match) -> str:
        return f"[{m.group(1)}]({page_name(m.group(2))})" if m.group(2) in LESSONS else m.group(1)
    return _NOTEBOOK_LINK.sub(swap, markdown)


_DOC_LINK = re.compile(r"\[([^\]]*)\]\(\.\./docs/([a-z0-9-]+)\.md(?:#[^)]*)?\)")
_NOTEBOOK_ONLY = re.compile(r"<!--\s*notebook\s*-->.*?<!--\s*/notebook\s*-->\n?", re.S)
_PAGE_ONLY = re.compile(r"<!--\s*page:\s*(.*?)\s*-->", re.S)
#: Notebook words a page does not use: the page shows what the cells make, never the cells.
_CELL_WORDS = ((re.compile(r"\bThe\s+next\s+cell\b"), "Below, the workbook"),
               (re.compile(r"\bthe\s+next\s+cell\b"), "below, the workbook"),
               (re.compile(r"\bThe\s+cell\s+(below|counts|shows|lists|draws|prints)\b"),
                lambda m: "Below, the workbook" if m.group(1) == "below" else f"The workbook {m.group(1)}"),
               # "notebook" as prose (not a path or a name in `code`): each page is a lesson
               (re.compile(r"(?<![`/\w-])([Nn])otebook(s?)\b(?![`/.-])"),
                lambda m: f"{'L' if m.group(1) == 'N' else 'l'}esson{m.group(2)}"))


def for_pages(markdown: str) -> str:
    """A notebook's prose as a page says it (see the module): notebook-only passages out, page-only in."""
    text = _NOTEBOOK_ONLY.sub("", markdown)
    text = _PAGE_ONLY.sub(lambda m: m.group(1), text)
    for pattern, words in _CELL_WORDS:
        text = pattern.sub(words, text)
    text = _DOC_LINK.sub(lambda m: f"[{m.group(1)}]({doc_page_name(m.group(2))})" if m.group(2) in DOC_PAGES
                         else m.group(1), text)  # a document without a page: its words, no dead link
    return re.sub(r"\n{3,}", "\n\n", text)


def student_page(nb: nbformat.NotebookNode, lesson: str) -> nbformat.NotebookNode:
    """The page of one lesson: the students' copy without solutions, with answer boxes (see the module)."""
    nb = student_copy(nb)
    new = nbformat.v4.new_code_cell
    cells = [new(_header_source(lesson))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            source = cell.source.replace(STUDENT_CODE_STUB.strip(), "").strip()
            if not source:
                continue  # a solution cell: the answer box takes its place
            if "parameters" in cell.metadata.get("tags", []):
                cells.append(new(source))
                cells.append(new(SESSION_SOURCE))
                continue
            if _uses_rater(source):
                source = _only_with_a_name(source)
            if re.search(r"^ACH_DIR\s*=", source, re.M):
                source += "\nACH_DIR = str(page.session.ach_dir)"
            # the session's folders are already this case's own (a class's scores/, or scores/<case-name>/)
            source = _CASE_FOLDER.sub(r"Path(\1)", source)  # every notebook imports Path
            cell.source = source
            cell.metadata = {}
            cells.append(cell)
        else:
            source = for_pages(_relink(cell.source.replace(STUDENT_TEXT_STUB, "").strip())).strip()
            if not source:
                continue
            cell.source = source
            cells.append(cell)
            for number, title in (m.groups() for m in EXERCISE.finditer(source)):
                cells.append(new(f"page.answer({number!r}, {title!r})"))
    cells.append(new("page.footer()"))
    for n, cell in enumerate(cells):
        cell.id = f"page-{n:03d}"  # the same page every time it is generated
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = _title(nb, lesson)
    return nb


def doc_page(doc: str, docs_dir: str | Path = DOCS_DIR) -> nbformat.NotebookNode:
    """The page of ``docs/<doc>.md``: its text as one markdown cell under the lessons' navigation."""
    text = (Path(docs_dir) / f"{doc}.md").read_text(encoding="utf-8")
    new = nbformat.v4
    nb = new.new_notebook()
    nb.cells = [new.new_code_cell(_header_source(f"doc:{doc}")), new.new_markdown_cell(for_pages(text).strip()),
                new.new_code_cell("page.footer()")]
    for n, cell in enumerate(nb.cells):
        cell.id = f"doc-{n:03d}"
    nb.metadata["title"] = text.splitlines()[0].lstrip("# ").strip() if text.startswith("#") else doc
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return nb


def write_student_edition(out_dir: str | Path = APP_DIR, lessons: Iterable[str] = LESSONS,
                          notebook_dir: str | Path = NOTEBOOK_DIR, docs: Iterable[str] = DOC_PAGES) -> list[Path]:
    """Write the lessons' pages, then the documents' pages, into ``out_dir`` (``app/``); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in lessons:
        nb = nbformat.read(Path(notebook_dir) / f"{lesson}.ipynb", as_version=4)
        target = out_dir / page_name(lesson)
        nbformat.write(student_page(nb, lesson), target)
        written.append(target)
    for doc in docs:
        target = out_dir / doc_page_name(doc)
        nbformat.write(doc_page(doc, Path(notebook_dir).parent / "docs"), target)
        written.append(target)
    return written


def _titles(notebook_dir: Path) -> dict[str, str]:
    out = {}
    for lesson in LESSONS:
        path = notebook_dir / f"{lesson}.ipynb"
        out[lesson] = _title(nbformat.read(path, as_version=4), lesson) if path.exists() else lesson
    return out


@dataclass
class LessonPage:
    """One lesson page at run time: the student, the navigation, the answer boxes."""

    lesson: str
    session: Session
    rater: str | None
    name_problem: str = ""
    titles: Mapping[str, str] = field(default_factory=dict)
    boxes: dict = field(default_factory=dict)

    # -- navigation
    def _href(self, lesson: str) -> str:
        query = f"?rater={quote(self.rater)}" if self.rater and self.session.mode == "single" else ""
        return html.escape(page_name(lesson) + query)

    def nav_html(self, where: str) -> str:
        order = list(LESSONS)
        i = order.index(self.lesson) if self.lesson in order else None
        links = []
        if i is None:  # a document's page (the glossary...): every lesson, open
            items = "".join(f'<li><a href="{self._href(x)}">{html.escape(self.titles.get(x, x))}</a></li>'
                            for x in order)
            return (f'<nav class="scw-nav" aria-label="Lessons ({where} of the page)">'
                    f"<details><summary>Back to a lesson</summary><ol>{items}</ol></details></nav>")
        if i > 0:
            links.append(f'<a href="{self._href(order[i - 1])}" rel="prev">← Previous: '
                         f"{html.escape(self.titles.get(order[i - 1], order[i - 1]))}</a>")
        if i + 1 < len(order):
            links.append(f'<a href="{self._href(order[i + 1])}" rel="next">Next: '
                         f"{html.escape(self.titles.get(order[i + 1], order[i + 1]))} →</a>")
        items = "".join(
            f'<li><a href="{self._href(x)}"' + (' aria-current="page"' if x == self.lesson else "")
            + f">{html.escape(self.titles.get(x, x))}</a></li>" for x in order)
        every = (f"<details><summary>Every lesson ({len(order)})</summary><ol>{items}</ol></details>"
                 if where == "top" else "")
        return (f'<nav class="scw-nav" aria-label="Lessons ({where} of the page)">'
                f"{''.join(links)}{every}</nav>")

    def _who_html(self) -> str:
        if self.lesson not in LESSONS:  # a document's page writes nothing: no name asked
            return ""
        if self.rater:
            return (f'<p class="scw-who">Working as <strong>{html.escape(self.rater)}</strong> on the case '
                    f"<strong>{html.escape(self.session.case.name)}</strong>: your answers and scores are "
                    "saved as you go.</p>")
        if self.session.mode == "class":
            return ('<p class="scw-who" role="alert">This page does not know who you are: '
                    "go back to the class page and join again.</p>")
        problem = f'<p role="alert">{html.escape(self.name_problem)}</p>' if self.name_problem else ""
        return (f'<form class="scw-who" method="get">{problem}'
                '<label for="scw-rater">Your name (the one your teacher gave you, e.g. ana or group_3): </label>'
                '<input id="scw-rater" name="rater" autocomplete="off" required> '
                '<button type="submit">Start</button></form>')

    # an HTML widget, not an HTML output: JupyterLab would open every link of an output in a new tab
    def header(self):
        import ipywidgets as widgets
        from IPython.display import Javascript, display

        _text_alternatives()
        display(Javascript(_NAME_SLIDERS))
        if self.rater and self.session.mode == "single":
            display(Javascript(_KEEP_NAME % json.dumps(f"?rater={quote(self.rater)}")))
        return widgets.HTML(_STYLE + self.nav_html("top") + self._who_html())

    def footer(self):
        import ipywidgets as widgets

        return widgets.HTML(self.nav_html("bottom"))

    def needs_name(self) -> None:
        print("Give your name at the top of the page: this part saves your work under it.")

    def answer(self, number: str, title: str = ""):
        from ..views.answer_box import AnswerBox

        store = answer_store(self.session.answers_dir, self.rater) if self.rater else None
        box = AnswerBox(number, title, store)
        self.boxes[number] = box
        return box


def _table_html(frame) -> str | None:
    """A table in a box that scrolls sideways where it is, reachable by keyboard (Tab, then arrows)."""
    inner = frame._repr_html_()
    if inner is None:
        return None
    return (f'<div class="scw-table" tabindex="0" role="region" aria-label="Table, '
            f'{len(frame)} rows (scrolls sideways with the arrow keys)">{inner}</div>')


def _text_alternatives() -> None:
    """Every matplotlib figure of this kernel shown as an image with alt text and its numbers."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    plt.close(plt.figure())  # the inline backend is set up on the first figure, and resets figure formats

    from ..views.figure_text import figure_html

    html_formatter = shell.display_formatter.formatters["text/html"]

    import pandas as pd

    def register(*_args) -> None:  # again before each cell: a backend switch drops it
        html_formatter.for_type(Figure, figure_html)
        html_formatter.for_type(pd.DataFrame, _table_html)

    register()
    shell.events.register("pre_run_cell", register)


def lesson_page(lesson: str, environ: Mapping[str, str] | None = None) -> LessonPage:
    """The page of ``lesson`` for this kernel's session (see the module)."""
    env = os.environ if environ is None else environ
    session = current_session(env)
    rater, problem = session.rater, ""
    if rater is None and session.mode == "single":
        asked = parse_qs(env.get("QUERY_STRING", "")).get("rater", [""])[-1].strip()
        if asked:
            try:
                rater = check_rater(asked)
            except RaterNameError as exc:
                problem = str(exc)
    return LessonPage(lesson, session, rater, problem, _titles(NOTEBOOK_DIR))
