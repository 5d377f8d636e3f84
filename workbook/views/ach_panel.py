"""The competing-hypotheses matrix as a panel of drop-downs, saved on every change.

A thin view over :mod:`workbook.judgement.ach` (the matrix and its scores) and
:func:`workbook.case.scores.ach_store` (the rater's ratings file).
"""

from __future__ import annotations

import warnings

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..case.contract import ACH_RATINGS
from ..case.scores import ach_store
from ..judgement.ach import ach_evidence, ach_matrix, ach_scores, hypotheses_for

if TYPE_CHECKING:  # pragma: no cover
    from ..case.model import Case

__all__ = ["AchPanel"]


#: The panel's own style: every label wraps inside its cell (ipywidgets cuts a Label at the cell's
#: edge, mid-word). Fixed markup, nothing from data.
_ACH_STYLE = """<style>
.scw-ach .widget-label { white-space: normal; overflow-wrap: anywhere; overflow: visible; text-overflow: clip;
                         height: auto; min-height: var(--jp-widgets-inline-height, 28px); line-height: 1.35;
                         padding: 0.25em 0; }
.scw-ach .widget-gridbox { align-items: center; }
</style>"""


def _short(text: str, n: int = 48) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class AchPanel:
    """The competing-hypotheses matrix as a grid of drop-downs, saved on every change.

    One row per item of evidence on ``claim_id`` (the testimony id, speaker and
    the start of the quote), one column per hypothesis; each drop-down offers
    CC, C, N, I, II, NA (or nothing).  A change is saved at once to
    ``<ach_dir>/<rater>.csv`` through :func:`ach_store` (atomic, with history);
    *Undo* takes back the last change.  The scores below the grid follow each
    change.  A rating already in the file that is not in the list is shown as
    it is and left untouched until changed.

    >>> import tempfile
    >>> from workbook import load_case
    >>> from workbook.case.loading import DEFAULT_RUBRIC_PATH
    >>> case = load_case(DEFAULT_RUBRIC_PATH.parent.parent / "template_case")
    >>> panel = AchPanel(case, "fire", "demo", tempfile.mkdtemp())
    >>> panel
    AchPanel(claim='fire', rater='demo', items=4, hypotheses=2)
    >>> panel.dropdown("t-neighbour-court", "h-accident").value = "II"
    >>> panel.matrix().loc["t-neighbour-court", "h-accident"]
    'II'
    >>> print(panel.scores_label.value)
    Least inconsistent: h-miller (0). Inconsistency: h-miller 0, h-accident 2.
    """

    OPTIONS = ("", *ACH_RATINGS)

    def __init__(self, case: Case, claim_id: str, rater: str, ach_dir: str | Path,
                 credibility: pd.Series | pd.DataFrame | None = None):
        import ipywidgets as widgets  # imported lazily: analysis code never needs it

        self.case = case
        self.claim_id, hyp = hypotheses_for(case, claim_id)
        self.rater = rater
        self.store = ach_store(ach_dir, rater)
        self.credibility = credibility
        self.hypotheses = list(hyp["hypothesis_id"])
        statements = dict(zip(hyp["hypothesis_id"], hyp["statement"]))
        self.items = list(self.matrix().index)
        testimonies = case.testimonies.set_index("testimony_id")
        kinds = dict(zip(*ach_evidence(case, self.claim_id)[["testimony_id", "kind"]].T.to_numpy()))
        self._dropdowns: dict[tuple[str, str], widgets.Dropdown] = {}
        self._quiet = False
        self.output = widgets.Output()
        cells: list[widgets.Widget] = [widgets.Label("Evidence \\ hypothesis")]
        for h in self.hypotheses:
            cells.append(widgets.Label(h, tooltip=statements.get(h, ""),
                                       layout=widgets.Layout(justify_content="center")))
        for t in self.items:
            if t in testimonies.index:
                row = testimonies.loc[t]
                who = row["speaker_id"] or "speaker unknown"
                text = f"{t} · {who} · “{_short(row['quote'])}”"
                tooltip = str(row["quote"])
                if kinds.get(t) == "assessment":  # a judgement about the evidence, not testimony (issue 13)
                    text = f"{t} · ASSESSMENT · {who} · “{_short(row['quote'])}”"
                    tooltip = "An assessment: a judgement about the evidence, not testimony about the event. " + tooltip
            else:
                text, tooltip = f"{t} · not in this case", ""
            cells.append(widgets.Label(text, tooltip=tooltip))
            for h in self.hypotheses:
                current = (self.store.get((h, t)) or {}).get("rating", "")
                options = list(self.OPTIONS) + ([current] if current not in self.OPTIONS else [])
                dd = widgets.Dropdown(options=options, value=current, layout=widgets.Layout(width="auto"),
                                      description="", tooltip=f"{t} × {h}")
                dd.observe(self._saver(h, t), names="value")
                self._dropdowns[(h, t)] = dd
                cells.append(dd)
        # a wide first column: the evidence label (id, speaker, start of the quote; the whole quote on hover),
        # wrapping on as many lines as it needs; the hypotheses' columns share the rest
        columns = "minmax(14em, 3fr) " + " ".join(["minmax(5em, 1fr)"] * len(self.hypotheses))
        self.grid = widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns=columns,
                                                                 grid_gap="2px 6px"))
        self.scores_label = widgets.Label()
        self.status = widgets.Label(f"Ratings of {rater} are saved in {self.store.path}")
        self.undo_button = widgets.Button(description="Undo", tooltip="Take back the last change",
                                          icon="undo")
        self.undo_button.on_click(self._undo)
        legend = widgets.Label("CC very consistent · C consistent · N neutral · I inconsistent (1 point) · "
                               "II very inconsistent (2 points) · NA not applicable")
        self.widget = widgets.VBox([widgets.HTML(_ACH_STYLE), legend, self.grid, self.scores_label,
                                    widgets.HBox([self.undo_button, self.status]), self.output])
        self.widget.add_class("scw-ach")
        self._refresh_scores()

    # -- pure views of the state
    def matrix(self) -> pd.DataFrame:
        """The current matrix of this rater's ratings (see :func:`ach_matrix`)."""
        return ach_matrix(self.case, self.store.frame(), claim_id=self.claim_id, rater=self.rater)

    def dropdown(self, testimony_id: str, hypothesis_id: str):
        """The drop-down of one cell."""
        return self._dropdowns[(hypothesis_id, testimony_id)]

    # -- callbacks
    def _saver(self, hypothesis_id: str, testimony_id: str):
        def save(change) -> None:
            if self._quiet:
                return
            with self.output:  # a failure is shown in the panel, and in the status line
                try:
                    self.store.set((hypothesis_id, testimony_id), rating=change["new"])
                except Exception as exc:
                    self.status.value = f"NOT SAVED: {testimony_id} × {hypothesis_id} ({exc})"
                    raise
                self.status.value = f"Saved {testimony_id} × {hypothesis_id} = {change['new'] or 'nothing'}"
                self._refresh_scores()
        return save

    def _undo(self, _button=None) -> None:
        with self.output:
            if not self.store.undo():
                self.status.value = "Nothing to undo"
                return
            self._quiet = True
            try:
                for (h, t), dd in self._dropdowns.items():
                    value = (self.store.get((h, t)) or {}).get("rating", "")
                    if value not in dd.options:
                        dd.options = [*dd.options, value]
                    dd.value = value
            finally:
                self._quiet = False
            self.status.value = "Undone"
            self._refresh_scores()

    def _refresh_scores(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = ach_scores(self.matrix(), self.credibility)
        if scores.empty:
            self.scores_label.value = "No hypotheses."
            return

        def fmt(x: float) -> str:
            return f"{x:g}"

        if not (self.matrix() != "").to_numpy().any():
            self.scores_label.value = ("No ranking yet: rate some cells first. Each hypothesis's count of "
                                       "inconsistent evidence appears here as you rate.")
            return
        least = scores.loc[scores["rank"] == 1, "hypothesis_id"]
        best = fmt(scores["inconsistency"].min())
        by_h = dict(zip(scores["hypothesis_id"], scores["inconsistency"]))
        parts = ", ".join(f"{h} {fmt(by_h[h])}" for h in self.hypotheses)
        self.scores_label.value = f"Least inconsistent: {', '.join(least)} ({best}). Inconsistency: {parts}."

    # -- display
    def __repr__(self) -> str:
        return (f"AchPanel(claim={self.claim_id!r}, rater={self.rater!r}, items={len(self.items)}, "
                f"hypotheses={len(self.hypotheses)})")

    def describe(self) -> str:
        """A sentence that stands for the panel where widgets cannot be shown (stored outputs, reports)."""
        return (f"[The competing-hypotheses panel for the claim '{self.claim_id}': {len(self.items)} items "
                f"against {len(self.hypotheses)} hypotheses, rated by '{self.rater}'. It appears here when "
                "the notebook runs: run the cells from the top (Run > Run All Cells).]")

    def _repr_mimebundle_(self, **kwargs):
        bundle = None
        method = getattr(self.widget, "_repr_mimebundle_", None)
        if callable(method):
            bundle = method(**kwargs)
        bundle = dict(bundle or {})
        bundle["text/plain"] = self.describe()
        return bundle
