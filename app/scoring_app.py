"""The scoring app: the scoring panel beside corroboration charts that follow the rater's scores.

Served by Voilà from ``scoring-app.ipynb`` (``make app``), so that a student
scores testimonies without seeing any Python.  It is a thin view, built only
from public workbook functions: :func:`workbook.scoring_panel` for the cards and
controls (every change saved at once to ``<scores_dir>/<rater>.csv``),
:func:`workbook.load_scores` to read the rater's file back,
:func:`workbook.corroboration` to count the evidence per claim, weighted by the
rater's own credibility scores, and :func:`workbook.charts.plot_corroboration`
to draw it.

Two charts: the claims that the testimony on show bears on (beside the panel,
redrawn when the rater moves to another testimony) and every claim of the case
(below).  Both are redrawn when a score changes the credibility of a testimony;
a comment, or moving between testimonies, leaves the counts as they are.
"""

from __future__ import annotations

import functools
import html
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

import workbook
from workbook import case_folder, check_rater
from workbook.charts import plot_corroboration
from workbook.views.figure_text import figure_html

__all__ = ["ScoringApp", "scoring_app", "scoring_page", "rater_from_query"]

#: The chart beside the panel: 4.3 inches at 120 dpi fill the side column (SIDE_COLUMN) without
#: being scaled down, and its smallest labels (7 points) come out at about 12 pixels.
SIDE_WIDTH = 4.3
SIDE_DPI = 120
SIDE_COLUMN = "540px"
#: Width of the chart of every claim, in inches.
WIDE_WIDTH = 10.0
#: The page's own styles: the chosen level stands out (also in grayscale), and the chart beside
#: the panel stays in view while the rater scrolls down through the criteria.
STYLE = """<style>
.scw-app .widget-toggle-button.mod-active {
  background: #1f4e79; color: #fff; font-weight: bold; box-shadow: none;
}
.scw-app .widget-toggle-button.mod-active:focus { outline: 2px solid #f0b400; outline-offset: 1px; }
.scw-app, .scw-app .scw-columns { overflow: visible; }
.jp-OutputArea:has(.scw-app), .jp-OutputArea-child:has(.scw-app), .jp-OutputArea-output:has(.scw-app) {
  overflow: visible;
}
.scw-app .scw-side { position: sticky; top: 0; align-self: flex-start; }
.scw-app .scw-side img, .scw-app .scw-wide img { max-width: 100%; height: auto; }
</style>"""


def rater_from_query(query: str, default: str | None) -> str | None:
    """The rater named in a query string (``rater=ana``), else ``default``.

    Voilà passes the page's query string to the kernel in ``QUERY_STRING``, so
    ``http://127.0.0.1:8866/?rater=ana`` opens the app for the rater ``ana`` when
    it runs on one machine (``make app``).  The class server never uses it: there,
    the server decides who the student is.

    >>> rater_from_query("rater=ana", ""), rater_from_query("", "")
    ('ana', '')
    """
    from urllib.parse import parse_qs

    return parse_qs(query or "").get("rater", [default])[-1].strip() or default


def _height(n_claims: int, n_views: int) -> float:
    return 0.32 * max(1, n_claims) * n_views + 1.9


class ScoringApp:
    """The app's widgets and the logic that keeps the charts in step with the scores file.

    Attributes: ``panel`` (the :class:`workbook.ScoringPanel`), ``claim_chart``
    and ``case_chart`` (``Output`` widgets holding the two charts),
    ``counts`` (the last :func:`workbook.corroboration` frame), ``draws``
    (how many times each chart was drawn, for tests), ``errors`` (an
    ``Output`` where a callback's error is shown) and ``widget``.
    """

    def __init__(self, case: Any, rater: str, scores_dir: str | Path):
        import ipywidgets as w

        self.case = case if isinstance(case, workbook.Case) else workbook.load_case(case)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", workbook.ScoresWarning)  # the panel shows them itself
            self.panel = workbook.scoring_panel(self.case, rater, scores_dir)
        self.rater = self.panel.rater
        self.scores_dir = Path(scores_dir)
        self.counts: pd.DataFrame | None = None
        self._signature: tuple | None = None
        self._shown_claims: tuple[str, ...] | None = None
        self.draws = {"claim": 0, "case": 0}

        self.errors = w.Output()
        self.claim_caption = w.HTML()
        self.claim_chart = w.Output(layout=w.Layout(width="100%"))
        self.case_caption = w.HTML()
        self.case_chart = w.Output(layout=w.Layout(width="100%"))
        side = w.VBox([w.HTML("<h2 style='margin:0.2em 0;font-size:1.17em'>"
                              "Corroboration of the claims on this card</h2>"),
                       self.claim_caption, self.claim_chart],
                      layout=w.Layout(flex=f"0 0 {SIDE_COLUMN}", width=SIDE_COLUMN, padding="0 0 0 1em",
                                      overflow="visible"))
        side.add_class("scw-side")
        main = w.VBox([self.panel.widget], layout=w.Layout(flex="1 1 30em", min_width="24em"))
        columns = w.HBox([main, side], layout=w.Layout(flex_flow="row wrap", align_items="flex-start",
                                                       width="100%", overflow="visible"))
        columns.add_class("scw-columns")
        wide = w.VBox([self.case_chart], layout=w.Layout(width="100%"))
        wide.add_class("scw-wide")
        self.widget = w.VBox([
            w.HTML(STYLE),
            columns,
            w.HTML("<h2 style='margin:1em 0 0.2em;font-size:1.17em'>Corroboration of every claim of the case</h2>"),
            self.case_caption,
            wide,
            self.errors,
        ], layout=w.Layout(width="100%", overflow="visible"))
        self.widget.add_class("scw-app")

        # The panel saves a change in its own observer (registered first), so ours reads the saved file.
        self.panel.history_view.observe(self._callback(self.refresh), names="value")
        for control in self.panel.controls.values():
            control.observe(self._callback(self.refresh), names="value")
        self.panel.card.observe(self._callback(self.draw_claims), names="value")
        self.refresh()

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        return f"ScoringApp(case={self.case.name!r}, rater={self.rater!r})"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)
        return bundle

    def _callback(self, function):
        """``function`` as a widget callback: its errors show in :attr:`errors`, not in a log."""
        @functools.wraps(function)
        def run(*_: Any) -> None:
            with self.errors:
                function()
        return run

    # ------------------------------------------------------------------ state
    def scores(self) -> pd.DataFrame:
        """This rater's scores as the file holds them (:func:`workbook.load_scores`)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", workbook.ScoresWarning)  # the panel shows them itself
            scores = workbook.load_scores(self.scores_dir, self.case)
        return scores[scores["rater"] == self.rater].reset_index(drop=True)

    def claims_on_show(self) -> list[str]:
        """The claims the testimony on show bears on, in the order of claims.csv."""
        tid = self.panel.current_id
        linked = set(self.case.evidence.loc[self.case.evidence["testimony_id"] == tid, "claim_id"])
        return [c for c in self.case.claims["claim_id"] if c in linked]

    def refresh(self) -> bool:
        """Count again and redraw both charts if the rater's values changed since the last count."""
        scores = self.scores()
        signature = tuple(scores[["testimony_id", "criterion"]].itertuples(index=False, name=None)) + tuple(
            "" if pd.isna(v) else int(v) for v in scores["value"])
        if signature == self._signature:
            return False
        self._signature = signature
        self.counts = workbook.corroboration(self.case, scores=scores if len(scores) else None)
        scored = scores.loc[scores["value"].notna(), "testimony_id"].nunique()
        if scored:
            weighting = (f"Weighted by <b>your</b> credibility scores ({html.escape(self.rater)}: {scored} "
                         f"{'testimony' if scored == 1 else 'testimonies'} scored); "
                         "an unscored testimony weighs nothing yet.")
        else:
            weighting = "Score a testimony and two more bars appear: the counts weighted by your credibility."
        self.case_caption.value = (
            "<div style='max-width:60em'>For each claim, the testimonies that support it (to the right) "
            "and contradict it (to the left): counted one by one, then by independent groups (testimonies "
            f"tied by speaker, origin or custodian count once). {weighting}</div>")
        self._shown_claims = None
        self.draw_claims()
        self.draw_case()
        return True

    # ------------------------------------------------------------------ drawing
    def _views(self) -> int:
        return sum(c in self.counts.columns for c in ("raw", "independent", "weighted", "independent_weighted"))

    def _draw(self, output, claims: list[str] | None, *, side: bool) -> None:
        """Draw a chart into ``output`` as an image with alt text and its numbers as text under it
        (:func:`workbook.views.figure_text.figure_html`): a screen reader reads the counts too."""
        import matplotlib.pyplot as plt
        from IPython.display import HTML, display

        n = len(claims) if claims is not None else self.counts["claim_id"].nunique()
        with output:
            output.clear_output(wait=True)
            size = (SIDE_WIDTH if side else WIDE_WIDTH, _height(n, self._views()))
            fig, ax = plt.subplots(figsize=size, layout="constrained", dpi=SIDE_DPI if side else None)
            try:
                plot_corroboration(self.counts, claim_id=claims, ax=ax)
                if side:
                    _fit_narrow(ax)
                display(HTML(figure_html(fig)))
            finally:
                plt.close(fig)

    def draw_claims(self) -> None:
        """Draw the claims of the testimony on show (only when they or the counts changed)."""
        if self.counts is None:
            return
        claims = tuple(self.claims_on_show())
        if claims == self._shown_claims:
            return
        self._shown_claims = claims
        self.draws["claim"] += 1
        if self.panel.current_id is None:
            self.claim_caption.value = "<i>No testimony on show.</i>"
            self.claim_chart.clear_output()
        elif not claims:
            self.claim_caption.value = "<i>This testimony bears on no claim of the case.</i>"
            self.claim_chart.clear_output()
        else:
            n = len(claims)
            self.claim_caption.value = (f"The testimony on show bears on {n} claim{'' if n == 1 else 's'}. "
                                        "Supporting testimony to the right, contradicting to the left.")
            self._draw(self.claim_chart, list(claims), side=True)

    def draw_case(self) -> None:
        """Draw every claim of the case."""
        self.draws["case"] += 1
        self._draw(self.case_chart, None, side=False)


def _fit_narrow(ax) -> None:
    """Fit a chart to a narrow column: the title wrapped shorter, claims named by their ids only
    (the card and the title give the statements), the legend under the figure."""
    ax.set_title(textwrap.fill(ax.get_title().replace("\n", " "), 48))
    ticks = ax.get_yticks()
    ax.set_yticks(ticks, [label.get_text().split(":", 1)[0] for label in ax.get_yticklabels()])
    legend = ax.get_legend()
    if legend is None:
        return
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    legend.remove()
    ax.figure.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=7, frameon=False)


def scoring_app(case: Any, rater: str, scores_dir: str | Path) -> ScoringApp:
    """The scoring app of ``rater`` over ``case``, saving to ``<scores_dir>/<rater>.csv``."""
    return ScoringApp(case, rater, scores_dir)


class NamePrompt:
    """No rater name yet: the page asks for one, and opens the app under it (never under a shared default).

    Attributes: ``name`` (the text box), ``start`` (the button), ``message``
    (why a name was refused), ``app`` (the :class:`ScoringApp` once started) and ``widget``.
    """

    def __init__(self, case: Any, scores_dir: str | Path):
        import ipywidgets as w

        self.case, self.scores_dir, self.app = case, scores_dir, None
        self.name = w.Text(placeholder="e.g. ana", description="Your name", continuous_update=False,
                           style={"description_width": "initial"})
        self.start = w.Button(description="Start scoring", button_style="primary")
        self.message = w.HTML()
        intro = w.HTML("<p><b>Who is scoring?</b> Type your rater name (lower-case letters, digits, "
                       "<code>-</code> or <code>_</code>; the same every time): your scores are saved "
                       "under it.</p>")
        self.widget = w.VBox([intro, w.HBox([self.name, self.start]), self.message])
        self.start.on_click(lambda _: self.submit())
        self.name.observe(lambda _: self.submit(), names="value")

    def __repr__(self) -> str:
        return "NamePrompt()"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)
        return bundle

    def submit(self) -> bool:
        """Open the app under the typed name; ``False`` (and a message) when the name cannot be used."""
        if self.app is not None or not self.name.value.strip():
            return False
        try:
            rater = check_rater(self.name.value.strip())
        except workbook.RaterNameError as error:
            self.message.value = f"<p style='color:#9b0014'>{html.escape(str(error))}</p>"
            return False
        self.app = ScoringApp(self.case, rater, self.scores_dir)
        self.widget.children = [self.app.widget]
        return True


def scoring_page(case: Any, rater: str | None, scores_dir: str | Path, *, session: Any = None,
                 query: str = "") -> ScoringApp | NamePrompt:
    """What the app page shows: the app of the session's student in a class, else of the named rater.

    In a class (``session.mode == "class"``) the class server has decided who the
    student is: the case, the rater and the scores folder come from the session and
    nothing else counts.  On one machine the rater is ``rater``, else ``?rater=`` in
    the address, else the page asks (:class:`NamePrompt`); scores go to the case's
    own folder, ``<scores_dir>/<case-name>/<rater>.csv``.
    """
    if session is not None and getattr(session, "mode", "single") == "class":
        return ScoringApp(session.case, session.rater, session.scores_dir)
    case = case if isinstance(case, workbook.Case) else workbook.load_case(case)
    folder = case_folder(scores_dir, case)
    name = (rater or "").strip() or rater_from_query(query, "")
    if not name:
        return NamePrompt(case, folder)
    return ScoringApp(case, name, folder)
