"""A search box over a case: every spelling of a name or phrase (a thin view over :func:`workbook.judgement.find.find`).

>>> import workbook                                                    # doctest: +SKIP
>>> box = SearchBox(workbook.load_case("../data/moscow-trials"))       # doctest: +SKIP
>>> box.text.value = "Пятаков"                                         # doctest: +SKIP
>>> box.widget                                                         # doctest: +SKIP

Type a name in any spelling or script and press Enter: the table lists each place
found (table, id, field, the words as written there, and a score out of 100).
When the box belongs to the scoring panel, the testimonies found are offered in
*Show*, which opens the testimony in the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import pandas as pd

from ..judgement.find import find, search_index, spellings

__all__ = ["SearchBox", "results_html"]

_STYLE = ("<style>.scw-found th, .scw-found td { text-align: left; padding: 0.1em 1em 0.1em 0; }"
          " .scw-found td:last-child { text-align: right; }</style>")
_LABELS = {"people": "person", "sources": "source", "claims": "claim", "hypotheses": "hypothesis",
           "testimonies": "testimony"}


def results_html(found: pd.DataFrame, query: str, limit: int = 40) -> str:
    """The results of :func:`find` as an HTML table (every text escaped), at most ``limit`` rows.

    >>> frame = pd.DataFrame([["people", "p1", "name", "<b>Pyatakov</b>", 100.0]],
    ...                      columns=["table", "id", "field", "match", "score"])
    >>> print(results_html(frame, "Пятаков"))   # doctest: +NORMALIZE_WHITESPACE
    <p>1 place for <b>Пятаков</b>; spellings found: &lt;b&gt;Pyatakov&lt;/b&gt; (1).</p>
    <style>.scw-found th, .scw-found td { text-align: left; padding: 0.1em 1em 0.1em 0; } .scw-found td:last-child { text-align: right; }</style><table class="scw-found"><thead><tr><th scope="col">where</th><th scope="col">id</th><th scope="col">field</th><th scope="col">as written</th><th scope="col">score</th></tr></thead><tbody>
    <tr><td>person</td><td>p1</td><td>name</td><td>&lt;b&gt;Pyatakov&lt;/b&gt;</td><td>100</td></tr>
    </tbody></table>
    """
    if not query.strip():
        return ""  # the box's placeholder says what to do
    if found.empty:
        return f"<p>Nothing found for <b>{escape(query)}</b> in any spelling.</p>"
    noun = "place" if len(found) == 1 else "places"
    kinds = spellings(found)
    words = ", ".join(f"{escape(m)} ({n})" for m, n in zip(kinds["match"], kinds["places"]))
    head = f"<p>{len(found)} {noun} for <b>{escape(query)}</b>; spellings found: {words}.</p>"
    rows = "".join(
        f"<tr><td>{escape(_LABELS.get(t, t))}</td><td>{escape(i)}</td><td>{escape(f)}</td>"
        f"<td>{escape(m)}</td><td>{s:g}</td></tr>\n"
        for t, i, f, m, s in found.head(limit)[["table", "id", "field", "match", "score"]].itertuples(index=False))
    more = f"<p>… and {len(found) - limit} more.</p>" if len(found) > limit else ""
    columns = "".join(f'<th scope="col">{c}</th>' for c in ("where", "id", "field", "as written", "score"))
    return (f'{head}\n{_STYLE}<table class="scw-found"><thead><tr>{columns}</tr></thead><tbody>\n{rows}'
            f"</tbody></table>{more}")


class SearchBox:
    """A text box and the places found: ``text`` (``Text``), ``results`` (``HTML``),
    ``show`` (a ``Dropdown`` of the testimonies found, when ``on_select`` is given),
    ``found`` (the last result frame) and ``widget`` (the ``VBox``)."""

    def __init__(self, case, *, on_select: Callable[[str], None] | None = None, limit: int = 40,
                 min_score: float = 85.0):
        import ipywidgets as w  # imported here: analysis code never needs it

        self.case = case
        self.limit = limit
        self.min_score = min_score
        self.on_select = on_select
        self.index = None  # built at the first search: opening a panel costs nothing more
        self.found = pd.DataFrame(columns=["table", "id", "field", "match", "score"])
        self.text = w.Text(description="Find", placeholder="a name in any spelling: Пятаков, Pjatakow…",
                           continuous_update=False, layout=w.Layout(width="28em"),
                           style={"description_width": "initial"})
        self.results = w.HTML(results_html(self.found, ""))
        self.show = w.Dropdown(description="Show", options=[("(a testimony found)", "")], value="",
                               disabled=True, layout=w.Layout(width="auto"), style={"description_width": "initial"})
        self.text.observe(lambda change: self.search(change["new"]), names="value")
        self.show.observe(self._on_show, names="value")
        parts = [self.text] + ([self.show] if on_select is not None else [])
        self.widget = w.VBox([w.HBox(parts), self.results], layout=w.Layout(width="100%"))

    def search(self, text: str) -> pd.DataFrame:
        if self.index is None and text.strip():
            self.index = search_index(self.case)
        self.found = find(self.case, text, min_score=self.min_score, index=self.index)
        self.results.value = results_html(self.found, text, self.limit)
        ids = list(dict.fromkeys(self.found.loc[self.found["table"] == "testimonies", "id"]))
        self.show.options = [("(a testimony found)", "")] + [(i, i) for i in ids]
        self.show.value = ""
        self.show.disabled = not ids
        return self.found

    def _on_show(self, change) -> None:
        if change["new"] and self.on_select is not None:
            self.on_select(change["new"])

    def __repr__(self) -> str:
        return f"SearchBox({getattr(self.case, 'name', 'case')!r})"
