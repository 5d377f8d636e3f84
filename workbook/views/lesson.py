"""Showing a case's own text in a notebook, or a plain sentence when it has none.

A notebook's prose speaks of the method; what it says about a particular case comes
from that case's ``lesson/`` files (:mod:`workbook.case.lesson`) through
:func:`case_text`. An optional table that a case does not have, or a table that
comes out empty, is shown as one plain sentence instead of a raw empty frame
(:func:`absent_table`, :func:`table_or_sentence`).

Each helper returns a :class:`CaseText`, which a notebook shows as Markdown and
a terminal (or nbval) as its plain text.
"""

from __future__ import annotations

import pandas as pd

from ..case.lesson import Lesson, missing_table_sentence

__all__ = ["CaseText", "case_text", "absent_table", "table_or_sentence"]


class CaseText:
    """A piece of Markdown shown as a cell's output.

    Raw HTML in the text is shown as text, never rendered (``<`` is escaped), so a
    case's files cannot put markup or scripts into a page.

    >>> CaseText("**Bold** <b>not</b>")._repr_markdown_()
    '**Bold** &lt;b>not&lt;/b>'
    >>> CaseText("plain")
    plain
    """

    def __init__(self, markdown: str):
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        return self.markdown.replace("<", "&lt;")

    def __repr__(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CaseText) and other.markdown == self.markdown

    __hash__ = None  # type: ignore[assignment]


def case_text(lesson: Lesson, key: str, otherwise: str = "") -> CaseText | None:
    """The case's own text for ``key``, or the notebook's neutral sentence ``otherwise``.

    With neither (no text, and ``otherwise`` empty) it returns ``None``, so that the
    cell shows nothing.

    >>> case_text(Lesson("00", {"story": "The miller and the barn."}), "story", "This case tells no story.")
    The miller and the barn.
    >>> case_text(Lesson("00"), "story", "This case tells no story.")
    This case tells no story.
    >>> case_text(Lesson("00"), "aside") is None
    True
    """
    text = lesson.text(key) or otherwise
    return CaseText(text) if text else None


def absent_table(case: object, name: str) -> CaseText | None:
    """The sentence for an optional table that ``case`` has no file for, else ``None``.

    >>> class C: present = ("sources", "claims", "testimonies", "evidence")
    >>> absent_table(C(), "whereabouts")
    This case has no whereabouts table; add one to check alleged meetings against where people were.
    >>> absent_table(C(), "sources") is None
    True
    """
    if name in getattr(case, "present", ()):
        return None
    return CaseText(missing_table_sentence(name))


def table_or_sentence(frame: pd.DataFrame | None, sentence: str) -> pd.DataFrame | CaseText:
    """``frame`` when it has rows, else ``sentence``: never a raw ``Empty DataFrame``.

    >>> table_or_sentence(pd.DataFrame({"a": []}), "Nothing to show in this case.")
    Nothing to show in this case.
    """
    if frame is None or len(frame) == 0:
        return CaseText(sentence)
    return frame
