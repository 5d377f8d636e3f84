"""A case's own lesson text: what the notebooks say about this particular case.

The notebooks speak of the method and of "this case". Whatever they say about one
case in particular (its story, the state of scholarship, the case's answers to the
exercises, its references) lives with the case, in a folder ``lesson/`` of Markdown
files, one per notebook, named by the notebook's number::

    data/my-case/lesson/00-start-here.md     (or simply lesson/00.md)
    data/my-case/lesson/04-corroboration.md

A file is divided into sections by level-2 headings; the heading is the section's
key, which the notebook asks for (``story``, ``scholarship``, ``exercise-4.4``...).
Text before the first heading is a note for the case's authors and is never shown.
Inside a section, use any Markdown but level-1 and level-2 headings; raw HTML is
shown as text, not rendered.

>>> sections = parse_lesson("A note for authors.\\n\\n## story\\nThe miller and the barn.\\n\\n## references\\n- A book.\\n")
>>> sorted(sections)
['references', 'story']
>>> sections["story"]
'The miller and the barn.'

Nothing here imports a widget or a display library: :mod:`workbook.views.lesson`
shows the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .contract import SLUG_PATTERN
from .model import CaseError, Problem

__all__ = ["LESSON_FOLDER", "Lesson", "load_lesson", "parse_lesson", "lesson_problems",
           "MISSING_TABLE", "missing_table_sentence"]

LESSON_FOLDER = "lesson"
_HEADING = re.compile(r"^##[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NOTEBOOK = re.compile(r"^(\d\d)(?:-[a-z0-9-]*)?$")

#: What each optional table is for, as the sentence a notebook shows when a case has none.
MISSING_TABLE: dict[str, str] = {
    "people": "This case has no people table; add one to give speakers their names and the other spellings of their names.",
    "custody": "This case has no custody table; add one to follow each source through the hands that made, kept and changed it.",
    "hypotheses": "This case has no hypotheses table; add one to weigh the evidence on a claim against competing explanations.",
    "whereabouts": "This case has no whereabouts table; add one to check alleged meetings against where people were.",
    "rubric": "This case has no rubric of its own; the workbook's default rubric is used.",
}


def missing_table_sentence(name: str) -> str:
    """The plain sentence a notebook shows for an optional table that a case does not have.

    >>> missing_table_sentence("whereabouts")
    'This case has no whereabouts table; add one to check alleged meetings against where people were.'
    """
    if name not in MISSING_TABLE:
        raise KeyError(f"{name!r} is not an optional table; the optional tables are {', '.join(MISSING_TABLE)}")
    return MISSING_TABLE[name]


def _parse(text: str, file: str) -> tuple[dict[str, str], list[Problem]]:
    sections: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    key: str | None = None
    fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        heading = None if fence else _HEADING.match(line)
        if heading:
            key = heading.group(1).strip()
            if not re.match(SLUG_PATTERN, key):
                problems.append(Problem(file, number, None,
                                        f"the section heading '## {key}' is not a key: write lower-case letters, "
                                        "digits, '.', '-' or '_' (for example '## story' or '## exercise-4.4')", key))
            elif key in sections:
                problems.append(Problem(file, number, None,
                                        f"the section '{key}' appears twice (first on line {first_line[key]}); "
                                        "give each section its own key", key))
                key = None  # the repeated section is left out
                continue
            else:
                sections[key] = []
                first_line[key] = number
            continue
        if key is not None and key in sections:
            sections[key].append(line)
    return {k: "\n".join(lines).strip() for k, lines in sections.items()}, problems


def parse_lesson(text: str, file: str = "lesson.md") -> dict[str, str]:
    """The sections of one lesson file, key to Markdown text; raises :class:`CaseError` on a bad heading."""
    sections, problems = _parse(text, file)
    if problems:
        raise CaseError(file, problems)
    return sections


def _notebook_number(notebook: str) -> str:
    stem = Path(notebook).stem
    found = _NOTEBOOK.match(stem)
    if not found:
        raise ValueError(f"{notebook!r} does not name a notebook: give its number ('04') or its name "
                         "('04-corroboration')")
    return found.group(1)


def _files(folder: Path, number: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix == ".md" and p.is_file() and (p.stem == number or p.stem.startswith(number + "-")))


def _case_folder(case: object) -> Path:
    path = getattr(case, "path", case)
    return Path(path)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Lesson:
    """The case's own text for one notebook: ``sections`` maps a key to Markdown.

    An empty ``Lesson`` (a case with no lesson file for this notebook) is normal:
    the notebook then shows its own neutral sentence.
    """

    notebook: str
    sections: dict[str, str] = field(default_factory=dict)
    file: str | None = None

    def text(self, key: str) -> str | None:
        """The Markdown of section ``key``, or ``None`` when the case has none (or it is empty)."""
        return self.sections.get(key) or None

    def __contains__(self, key: object) -> bool:
        return bool(self.sections.get(key))  # type: ignore[call-overload]

    def __repr__(self) -> str:
        where = self.file or "no lesson file"
        return f"<Lesson {self.notebook}: {len(self.sections)} sections ({where})>"


def lesson_problems(case: object) -> list[Problem]:
    """Every problem of a case's lesson files (bad or repeated section headings, two files for one notebook)."""
    folder = _case_folder(case) / LESSON_FOLDER
    problems: list[Problem] = []
    if not folder.is_dir():
        return problems
    by_number: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.md")):
        found = _NOTEBOOK.match(path.stem)
        if not found:
            problems.append(Problem(f"{LESSON_FOLDER}/{path.name}", None, None,
                                    "a lesson file is named after its notebook: '04-corroboration.md' or '04.md'",
                                    path.name))
            continue
        by_number.setdefault(found.group(1), []).append(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(f"{LESSON_FOLDER}/{path.name}", None, None,
                                    f"not UTF-8 text (byte {exc.start}); save it as UTF-8", None))
            continue
        problems += _parse(text, f"{LESSON_FOLDER}/{path.name}")[1]
    for number, paths in sorted(by_number.items()):
        if len(paths) > 1:
            problems.append(Problem(f"{LESSON_FOLDER}/{paths[1].name}", None, None,
                                    f"notebook {number} has two lesson files ({', '.join(p.name for p in paths)}); "
                                    "keep one", paths[1].name))
    return sorted(problems)


def load_lesson(case: object, notebook: str) -> Lesson:
    """The case's own text for ``notebook`` (``"04"`` or ``"04-corroboration"``).

    ``case`` is a :class:`~workbook.case.model.Case` or the path of a case folder.
    A case without a ``lesson/`` folder, or without a file for this notebook, gives
    an empty :class:`Lesson`. A lesson file with a bad heading raises
    :class:`CaseError` naming the file and line.
    """
    number = _notebook_number(notebook)
    folder = _case_folder(case) / LESSON_FOLDER
    files = _files(folder, number)
    if not files:
        return Lesson(number)
    if len(files) > 1:
        raise CaseError(_case_folder(case), [Problem(f"{LESSON_FOLDER}/{files[1].name}", None, None,
                                                     f"notebook {number} has two lesson files "
                                                     f"({', '.join(p.name for p in files)}); keep one")])
    name = f"{LESSON_FOLDER}/{files[0].name}"
    try:
        text = files[0].read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(_case_folder(case), [Problem(name, None, None,
                                                     f"not UTF-8 text (byte {exc.start}); save it as UTF-8")]) from None
    sections, problems = _parse(text, name)
    if problems:
        raise CaseError(_case_folder(case), problems)
    return Lesson(number, sections, name)
