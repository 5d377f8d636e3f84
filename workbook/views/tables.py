"""Tables that stay in their cell: a box that scrolls where the table is.

A wide or long table (notebook 02 lines up 125 testimonies in 11 columns) is
shown in a box as wide as its cell and at most about half a screen tall, that
scrolls both ways by itself: its scroll bars are on screen with the table (never
twenty screens further down the page), the header row stays on top while the rows
scroll under it, and the row labels (the ``testimony_id``) stay on the left while
the columns scroll sideways.  Long texts wrap inside their column.  The box takes
the keyboard (Tab to it, then the arrow keys) and has a name for screen readers.

:func:`scroll_table` wraps a frame for a notebook cell (its plain text is the
frame's own, so a terminal and nbval read the table as before);
:func:`scroll_table_html` gives the markup for a widget (``widgets.HTML``).

>>> frame = pd.DataFrame({"speaker": ["Pyatakov"]}, index=pd.Index(["t1"], name="testimony_id"))
>>> scroll_table(frame)   # doctest: +NORMALIZE_WHITESPACE
               speaker
testimony_id
t1            Pyatakov
>>> 'class="scw-table scw-scroll"' in scroll_table(frame)._repr_html_()
True
"""

from __future__ import annotations

import hashlib
from html import escape

import pandas as pd

__all__ = ["ScrollTable", "scroll_table", "scroll_table_html", "SCROLL_CSS"]

#: The box's own style. Fixed markup, nothing from data. The box's size is also set inline on
#: the box itself, so that it holds where a page drops <style> elements. ``contain: inline-size``
#: keeps a wide table from widening what the box is in (a widget, an output): the box takes
#: the width it is given and the table scrolls inside it.
SCROLL_CSS = """<style>
.scw-scroll { max-width: 100%; max-height: min(60vh, 34em); overflow: auto; contain: inline-size;
              margin: 0.3em 0 0.6em; line-height: 1.4; }
.scw-scroll:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
.scw-scroll > div, .scw-scroll table { margin: 0 !important; }
.scw-scroll table { border-collapse: separate; border-spacing: 0; }
.scw-scroll th, .scw-scroll td { white-space: normal; vertical-align: top; overflow-wrap: break-word; }
.scw-scroll thead { position: sticky; top: 0; z-index: 2; }
.scw-scroll thead th { background: var(--jp-layout-color1, #fff); }
.scw-scroll tbody th { position: sticky; left: 0; z-index: 1; background: var(--jp-layout-color1, #fff); }
.scw-scroll tbody tr:nth-child(odd) th { background: var(--jp-rendermime-table-row-background, #f5f5f5); }
</style>"""
_BOX = "max-width: 100%; max-height: min(60vh, 34em); overflow: auto; contain: inline-size;"


def scroll_table_html(frame: pd.DataFrame, label: str = "Table") -> str:
    """``frame`` as HTML in a box that scrolls where it is (see the module); ``label`` names the box.

    The table is pandas' own HTML (every text escaped, the display options' row limit kept).

    >>> html = scroll_table_html(pd.DataFrame({"a": ["<b>x</b>"]}), "Found")
    >>> html.count('role="region"'), "&lt;b&gt;x&lt;/b&gt;" in html
    (1, True)
    >>> 'aria-label="Found, 1 row (scrolls with the arrow keys)"' in html
    True
    """
    inner = frame._repr_html_() or frame.to_html()
    rows = f"{len(frame)} row{'' if len(frame) == 1 else 's'}"
    name = escape(f"{label}, {rows} (scrolls with the arrow keys)")
    widths, css = _column_widths(frame)
    return (f'{SCROLL_CSS}{css}<div class="scw-table scw-scroll{widths}" style="{_BOX}" tabindex="0" '
            f'role="region" aria-label="{name}">{inner}</div>')


def _column_widths(frame: pd.DataFrame) -> tuple[str, str]:
    """A class and its rules giving each column of long texts a least width (an em per 4 characters,
    at most 15), left-aligned with its heading.

    Without them a table wider than its box is squeezed to its narrowest, every long text one word
    a line. Counted from the row's end (``nth-last-child``), which row labels spanning several rows
    do not shift.

    >>> key, css = _column_widths(pd.DataFrame({"n": [1], "quote": ["x" * 60]}))  # 60 shown as 50
    >>> key, css.count(" { "), ".scw-w-6a8b028d td:nth-last-child(1) { min-width: 12.5em; text-align: left; }" in css
    (' scw-w-6a8b028d', 2, True)
    >>> _column_widths(pd.DataFrame({"n": [1]}))
    ('', '')
    """
    shown = frame.head(200)
    limit = pd.get_option("display.max_colwidth") or 10_000
    rules = []
    for k, column in enumerate(shown.columns):
        longest = int(shown.iloc[:, k].astype(str).str.len().max() or 0) if len(shown) else 0
        longest = min(longest, limit)
        if longest >= _LONG:
            rules.append((len(shown.columns) - k, min(round(longest * 0.25, 1), 15)))
    if not rules:
        return "", ""
    key = "scw-w-" + hashlib.sha1(repr(rules).encode()).hexdigest()[:8]
    css = " ".join(f".{key} td:nth-last-child({n}) {{ min-width: {em:g}em; text-align: left; }} "
                   f".{key} thead th:nth-last-child({n}) {{ text-align: left; }}" for n, em in rules)
    return f" {key}", f"<style>{css}</style>"


#: A column whose longest text has at least this many characters gets a least width.
_LONG = 16


class ScrollTable:
    """A frame shown in a box that scrolls where it is: ``frame`` and ``label`` (the box's name).

    In a notebook it shows :func:`scroll_table_html`; as plain text (a terminal, nbval) it is the
    frame's own text.
    """

    def __init__(self, frame: pd.DataFrame, label: str = "Table"):
        self.frame = frame
        self.label = label

    def _repr_html_(self) -> str:
        return scroll_table_html(self.frame, self.label)

    def __repr__(self) -> str:
        return repr(self.frame)

    def __len__(self) -> int:
        return len(self.frame)


def scroll_table(frame: pd.DataFrame, label: str = "Table") -> ScrollTable:
    """``frame`` for a notebook cell, in a box that scrolls where it is (see the module)."""
    return ScrollTable(frame, label)
