"""The scoring panel: one card per testimony, one control per criterion, saved at once.

The panel is a thin view.  The card is built by :func:`testimony_card` (plain
HTML, every text from the case escaped), the gap between statement and event
by :func:`format_gap`, credibility by :func:`workbook.scoring.credibility`,
and every judgement goes straight to a :class:`workbook.store.RatingStore`
(``<scores_dir>/<rater>.csv`` plus its ``.history.jsonl``), which writes it
atomically the moment it is made.

Keyboard use: every control is a native button, select or text box, so Tab
and Shift+Tab move between them, Space or Enter presses the focused level or
button, the arrow keys change a drop-down (the "jump" list also jumps by the
first letters typed), and a comment is saved when the focus leaves its box.
"""

from __future__ import annotations

import re

import functools
import html
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..case.contract import ASSESSMENT_SETTINGS
from ..case.loading import load_case
from ..case.model import Case, split_list
from ..case.rubric import ScoresWarning, load_rubric, rubric_criteria
from ..case.scores import scores_problems
from ..case.store import RatingStore, utc_now
from ..judgement.custody import custody_line
from ..judgement.scoring import credibility_of
from .search import SearchBox

if TYPE_CHECKING:
    import ipywidgets as w

__all__ = ["UNKNOWN", "ScoringPanel", "scoring_panel", "testimony_card", "format_gap", "custody_text", "custody_words"]

#: The value of the "unknown" choice of a criterion control (not the same as 0).
UNKNOWN = "unknown"

_e = functools.partial(html.escape, quote=True)


# --------------------------------------------------------------------------- pure helpers


def _days(a: Any, b: Any) -> float:
    """``a - b`` in days, NaN when either is missing."""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return math.nan
    return float((pd.Timestamp(a) - pd.Timestamp(b)) / pd.Timedelta(days=1))


def _span(days: float) -> tuple[int, str]:
    days = abs(days)
    if days < 60:
        n = int(round(days))
        return n, "day" if n == 1 else "days"
    if days < 730:
        n = int(round(days / 30.4375))
        return n, "month" if n == 1 else "months"
    n = int(round(days / 365.25))
    return n, "year" if n == 1 else "years"


def _spans(a: float, b: float) -> str:
    (n1, u1), (n2, u2) = _span(a), _span(b)
    if (n1, u1) == (n2, u2):
        return f"{n1} {u1}"
    if u1 == u2 or (u1, u2) in (("day", "days"), ("month", "months"), ("year", "years")):
        return f"{n1} to {n2} {u2}"
    return f"{n1} {u1} to {n2} {u2}"


def format_gap(given_earliest: Any, given_latest: Any, event_earliest: Any, event_latest: Any) -> str:
    """The time between an event and a statement about it, in words, computed on date bounds.

    The gap runs from ``given_earliest - event_latest`` to ``given_latest -
    event_earliest``; ``"unknown"`` when a bound is missing.

    >>> import datetime as dt
    >>> format_gap(dt.date(1850, 7, 2), dt.date(1850, 7, 2), dt.date(1850, 5, 12), dt.date(1850, 5, 12))
    '51 days after'
    >>> format_gap(dt.date(1950, 1, 1), dt.date(1950, 12, 31), dt.date(1850, 5, 12), dt.date(1850, 5, 12))
    'about 100 to 101 years after'
    >>> format_gap(dt.date(1850, 6, 3), dt.date(1850, 6, 3), dt.date(1850, 1, 1), dt.date(1850, 12, 31))
    'from 7 months before to 5 months after'
    >>> format_gap(dt.date(1850, 6, 3), dt.date(1850, 6, 3), None, None)
    'unknown'
    """
    low = _days(given_earliest, event_latest)
    high = _days(given_latest, event_earliest)
    if math.isnan(low) or math.isnan(high):
        return "unknown"
    about = "about " if max(abs(low), abs(high)) >= 60 else ""
    if low == high == 0:
        return "the same day"
    if low >= 0:
        return f"{about}{_spans(low, high)} after"
    if high <= 0:
        return f"{about}{_spans(-high, -low)} before"
    n1, u1 = _span(low)
    n2, u2 = _span(high)
    return f"from {n1} {u1} before to {n2} {u2} after"


class _Index:
    """The case's rows by id, as plain dicts, so that a card is built without searching frames."""

    def __init__(self, case: Case):
        def by(frame: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
            return {r[column]: r for r in frame.to_dict("records")} if column in frame.columns else {}

        self.testimonies = by(case.testimonies, "testimony_id")
        self.people = by(case.people, "person_id")
        self.sources = by(case.sources, "source_id")
        self.claims = by(case.claims, "claim_id")
        self.evidence: dict[str, list[dict[str, Any]]] = {}
        for link in case.evidence.to_dict("records"):
            self.evidence.setdefault(link["testimony_id"], []).append(link)
        self.custody: dict[str, list[dict[str, Any]]] = {}
        steps = case.custody.sort_values(["source_id", "seq"], kind="stable") if len(case.custody) else case.custody
        for step in steps.to_dict("records"):
            self.custody.setdefault(step["source_id"], []).append(step)


def custody_text(case: Case, testimony_id: str, *, index: _Index | None = None) -> str:
    """The chain of custody of a testimony in one line.

    Uses :func:`workbook.judgement.custody.custody_line`, else (should it fail) a
    simple line built from ``case.custody`` for the testimony's source.
    """
    try:
        return str(custody_line(case, testimony_id))
    except Exception:  # a display helper: fall back to the simple line below
        pass
    index = index or _Index(case)
    source_id = index.testimonies.get(testimony_id, {}).get("source_id", "")
    steps = index.custody.get(source_id, [])
    if not steps:
        return f"{source_id}: no custody recorded" if source_id else "no custody recorded"
    parts = []
    for step in steps:
        words = [step.get("action", ""), f"by {step['custodian']}" if step.get("custodian") else ""]
        if step.get("date"):
            words.append(step["date"])
        parts.append(" ".join(x for x in words if x))
    return f"{source_id}: " + " → ".join(parts)


def _date_words(date: str) -> str:
    """An EDTF date as a reader says it: ``/1937-01-22`` -> ``by 1937-01-22``, ``a/b`` -> ``a to b``."""
    date = str(date or "").strip()
    if not date:
        return ""
    if "/" in date:
        lo, hi = (x.strip(".") for x in date.split("/", 1))
        if not lo:
            return f"by {hi}"
        if not hi:
            return f"from {lo}"
        return f"{lo} to {hi}"
    return date


def custody_words(case: Case, testimony_id: str, *, index: _Index | None = None) -> str:
    """The chain of custody in words, oldest first: who did what to the text, and when.

    Custodians are named as in ``people.csv`` (their id when they are not listed);
    the steps of one source are joined with ``,``, the sources with ``;``.

    >>> from pathlib import Path
    >>> from workbook.case.loading import load_case
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> custody_words(case, "t-miller-letter")
    'created by Johann Miller, 1850-06-03, archived by county archive, 1851'
    """
    from ..judgement.custody import custody_chain

    index = index or _Index(case)
    try:
        chain = custody_chain(case, testimony_id)
    except Exception:  # a display helper: fall back to the line of identifiers
        return custody_text(case, testimony_id, index=index)
    if chain.empty:
        return "no custody recorded"
    parts: dict[str, list[str]] = {}
    for source_id, action, custodian, date in zip(*(chain[c].to_numpy(dtype=object) for c in
                                                   ("source_id", "action", "custodian", "date"))):
        person = index.people.get(str(custodian or ""))
        # a custodian not listed in people.csv: its id read as words (``yale-university-press``)
        name = str(person.get("name") or custodian) if person else str(custodian or "").replace("-", " ").replace("_", " ")
        if person and str(person.get("role", "")).startswith("organisation") and not name.lower().startswith("the "):
            name = "the " + name
        when = _date_words(date)
        year = re.search(r" (\d{4})$", name)
        if year and not person and year.group(1) in when:  # "rehabilitation-reviewers-1989", 1989: one year
            name = name[: year.start()]
        words = " ".join(x for x in (str(action or ""), f"by {name}" if name else "") if x)
        parts.setdefault(str(source_id), []).append(f"{words}, {when}" if when else words)
    return "; ".join(", ".join(steps) for steps in parts.values())


def _person(index: _Index, person_id: str) -> str:
    """``Name (id; also: alias, alias) — role`` as plain text."""
    if not person_id:
        return "unknown"
    person = index.people.get(person_id)
    if person is None:
        return person_id
    aliases = split_list(person.get("aliases", ""))
    text = f"{person.get('name') or person_id} ({person_id}"
    text += f"; also: {', '.join(aliases)})" if aliases else ")"
    if person.get("role"):
        text += f" — {person['role']}"
    return text


def _words(value: str) -> str:
    return value.replace("_", " ") if value else "unknown"


def testimony_card(case: Case, testimony_id: str, *, position: str = "", index: _Index | None = None) -> str:
    """The card of one testimony as HTML: quote, speaker, source, dates and gap, setting, custody.

    Every text taken from the case is escaped, so a quote such as
    ``<script>...`` shows as text and never runs.

    >>> from workbook import load_case
    >>> from pathlib import Path
    >>> case = load_case(Path(__file__).parents[1] / "template_case")
    >>> card = testimony_card(case, "t-neighbour-court")
    >>> "I saw him by the barn that night, with a lantern." in card, "51 days after" in card
    (True, True)
    """
    index = index or _Index(case)
    t = index.testimonies.get(testimony_id)
    if t is None:
        return f"<p>No testimony called <code>{_e(testimony_id)}</code> in this case.</p>"
    source = index.sources.get(t.get("source_id", ""), {})
    rows: list[tuple[str, str]] = []
    rows.append(("Speaker", _e(_person(index, t.get("speaker_id", "")))))
    where = f"{source.get('title') or t.get('source_id')} ({t.get('source_id')}"
    where += f", {_words(source['kind'])})" if source.get("kind") else ")"
    if t.get("locator"):
        where += f", {t['locator']}"
    rows.append(("Source", _e(where)))
    rows.append(("Given", _e(t.get("given") or "unknown")))
    for link in index.evidence.get(testimony_id, []):
        claim = index.claims.get(link["claim_id"], {})
        gap = format_gap(t.get("given_earliest"), t.get("given_latest"),
                         claim.get("event_date_earliest"), claim.get("event_date_latest"))
        event = claim.get("event_date") or "unknown"
        text = (f"<b>{_e(link.get('stance', ''))}</b> {_e(link['claim_id'])}: {_e(claim.get('statement', ''))}"
                f"<br>event {_e(event)}; statement given {_e(gap)}")
        if link.get("note"):
            text += f" <i>({_e(link['note'])})</i>"
        rows.append(("Claim", text))
    rows.append(("Setting", _e(_words(t.get("setting", "")))))
    rows.append(("Basis", _e(_words(t.get("basis", "")))))
    conditions = split_list(t.get("conditions", ""))
    rows.append(("Conditions", _e(", ".join(_words(c) for c in conditions) or "unknown")))
    rows.append(("Custody", _e(custody_words(case, testimony_id, index=index))))
    if t.get("language"):
        rows.append(("Language", _e(t["language"])))
    if t.get("notes"):
        rows.append(("Notes", _e(t["notes"])))
    table = "".join(f"<tr><th style='text-align:left;vertical-align:top;padding-right:1em'>{k}</th>"
                    f"<td style='text-align:left'>{v}</td></tr>" for k, v in rows)
    head = f"<b>{_e(testimony_id)}</b>" + (f" · {_e(position)}" if position else "")
    head += _card_badges(t)
    quote = _e(t.get("quote", "")).replace("\n", "<br>")
    return (f"<div class='scw-card'><div>{head}</div>"
            f"<blockquote style='font-size:1.1em;margin:0.5em 0;padding:0.3em 0.8em;"
            f"border-left:4px solid #7fa3c4'>{quote}</blockquote>"
            f"<table style='margin:0'>{table}</table></div>")


def _card_badges(t: dict) -> str:
    """Badges after a card's id: the kind of quote, and whether the row is an assessment (issue 13)."""
    kind = t.get("quote_kind") or "verbatim"
    badges = [f"<span class='scw-badge scw-quote-kind' title='how the quote renders the statement'>{_e(kind)}</span>"]
    judged = t.get("statement_kind") == "assessment" or (
        not t.get("statement_kind") and t.get("setting") in ASSESSMENT_SETTINGS)
    if judged:
        badges.append("<span class='scw-badge scw-assessment' title='a judgement about the evidence, "
                      "not testimony about the event; counted apart'>assessment</span>")
    style = "margin-left:0.6em;padding:0 0.4em;border:1px solid #555;border-radius:3px;font-size:0.85em"
    return "".join(b.replace("<span ", f"<span style='{style}' ", 1) for b in badges)


testimony_card.__test__ = False  # a name starting with "test": not a test for pytest

# --------------------------------------------------------------------------- the panel


#: The panel's own style: the chosen level stands out clearly (also in grayscale), where
#: ipywidgets only darkens it slightly. Fixed markup, nothing from data.
_PANEL_STYLE = """<style>
.scw-panel .widget-toggle-button.mod-active {
  background: #1f4e79; color: #fff; font-weight: bold; box-shadow: none;
}
.scw-panel .widget-toggle-button.mod-active:focus { outline: 2px solid #f0b400; outline-offset: 1px; }
.scw-panel .widget-dropdown select { text-overflow: ellipsis; }
</style>"""

#: The longest name a "Go to" entry shows: the whole entry then fits a laptop's column, ✓ included.
_JUMP_NAME = 40


class ScoringPanel:
    """A rater's scoring panel over a case: build it with :func:`scoring_panel`.

    The widgets are attributes, so that the panel can be driven from Python
    and tested: ``controls[criterion]`` (a ``ToggleButtons``: ``UNKNOWN`` or
    a level; ``None`` = not judged yet), ``comments[criterion]``
    (``Textarea``), ``previous_button``, ``next_button``, ``jump``,
    ``claim_filter``, ``speaker_filter``, ``setting_filter``,
    ``undo_button``, ``card``, ``credibility_label``, ``progress``,
    ``history_view``, ``status``, ``output`` and ``widget``, the top-level
    ``VBox``.  ``current_id`` is the testimony on show.
    """

    def __init__(self, case: Case | str | Path, rater: str, scores_dir: str | Path, *,
                 rubric: Any = None, clock: Callable[[], str] = utc_now):
        import ipywidgets as w  # imported here: analysis code never needs it

        self.case = case if isinstance(case, Case) else load_case(case)
        self.store = RatingStore(scores_dir, rater, keys=("testimony_id", "criterion"),
                                 values=("value", "comment"), clock=clock)
        self.rater = self.store.rater
        self.scores_dir = Path(scores_dir)
        self.rubric = load_rubric(rubric if rubric is not None else self.case)
        self.criteria = rubric_criteria(self.rubric)
        self._index = _Index(self.case)
        tests = self.case.testimonies
        self.all_ids: list[str] = list(tests["testimony_id"])
        self.ids: list[str] = list(self.all_ids)
        self._all_id_set: set[str] = set(self.all_ids)
        self.current_id: str | None = None
        self._quiet = False
        self._messages: list[str] = []

        self.output = w.Output()
        self.status = w.HTML()
        self.title = w.HTML(f"<b>Scoring as {_e(self.rater)}</b> — {_e(self.case.title)} "
                            f"<small>(saved in {_e(str(self.store.path))})</small>")
        self.progress = w.HTML()
        self.progress_bar = w.IntProgress(min=0, max=max(len(self.all_ids), 1), value=0,
                                          layout=w.Layout(width="12em"))
        self.previous_button = w.Button(description="Previous", icon="arrow-left",
                                        tooltip="Previous testimony", layout=w.Layout(width="auto"))
        self.next_button = w.Button(description="Next", icon="arrow-right",
                                    tooltip="Next testimony", layout=w.Layout(width="auto"))
        # each menu at most as wide as the panel: a long entry is cut with … where the panel ends
        self.jump = w.Dropdown(description="Go to", options=[], layout=w.Layout(width="auto", max_width="100%"),
                               style={"description_width": "initial"})
        self.claim_filter = w.Dropdown(description="Claim", options=self._claim_options(),
                                       value="", layout=w.Layout(width="auto", max_width="100%"),
                                       style={"description_width": "initial"})
        self.speaker_filter = w.Dropdown(description="Speaker", options=self._speaker_options(),
                                         value="", layout=w.Layout(width="auto", max_width="100%"),
                                         style={"description_width": "initial"})
        self.setting_filter = w.Dropdown(description="Setting", options=self._setting_options(),
                                         value="", layout=w.Layout(width="auto", max_width="100%"),
                                         style={"description_width": "initial"})
        self.card = w.HTML()
        self.credibility_label = w.HTML()
        self.undo_button = w.Button(description="Undo last change", icon="undo",
                                    tooltip="Take back the last change (repeat to go further back)",
                                    layout=w.Layout(width="auto"))
        self.history_view = w.HTML()

        self.controls: dict[str, w.ToggleButtons] = {}
        self.comments: dict[str, w.Textarea] = {}
        boxes = []
        for name, crit in self.criteria.items():
            levels = list(zip(range(crit.lo, crit.hi + 1), list(crit.words) + [""] * (crit.hi - crit.lo + 1)))
            options = [("unknown", UNKNOWN)] + [(_level_label(v, word), v) for v, word in levels]
            tooltips = ["Not known: the evidence does not let you judge (not the same as the lowest level)"]
            tooltips += [f"{_level_label(v, word)}{' (counts as unknown)' if v in crit.unknown else ''}"
                         for v, word in levels]
            control = w.ToggleButtons(options=options, index=None, tooltips=tooltips,
                                      style={"button_width": "auto"},
                                      layout=w.Layout(flex_flow="row wrap", width="100%"))
            comment = w.Textarea(placeholder=f"Comment on {crit.label.lower()} (saved when you leave the box)",
                                 continuous_update=False, rows=1, layout=w.Layout(width="96%"))
            header = f"<b>{_e(crit.label)}</b> — {_e(crit.question)}"
            if crit.help:
                header += (f"<details style='font-size:0.9em'><summary>help</summary>"
                           f"{_e(crit.help)}</details>")
            control.observe(self._callback(self._on_level, name), names="value")
            comment.observe(self._callback(self._on_comment, name), names="value")
            self.controls[name] = control
            self.comments[name] = comment
            boxes.append(w.VBox([w.HTML(header), control, comment],
                                layout=w.Layout(margin="0.4em 0", border_bottom="1px solid #ddd")))

        self.previous_button.on_click(self._callback(lambda _: self.previous()))
        self.next_button.on_click(self._callback(lambda _: self.next()))
        self.undo_button.on_click(self._callback(lambda _: self.undo()))
        self.jump.observe(self._callback(self._on_jump), names="value")
        self.search = SearchBox(self.case, on_select=self._callback(self.show))  # every spelling, in the case
        for control in (self.claim_filter, self.speaker_filter, self.setting_filter):
            control.observe(self._callback(self._on_filter), names="value")

        self.widget = w.VBox([
            w.HTML(_PANEL_STYLE),
            w.HBox([self.title]),
            w.HBox([self.progress, self.progress_bar], layout=w.Layout(align_items="center")),
            w.HBox([self.claim_filter, self.speaker_filter, self.setting_filter],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.previous_button, self.jump, self.next_button], layout=w.Layout(flex_flow="row wrap")),
            self.search.widget,
            self.card,
            self.credibility_label,
            w.VBox(boxes),
            w.HBox([self.undo_button, self.history_view], layout=w.Layout(align_items="flex-start")),
            self.status,
            self.output,
        ])
        self.widget.add_class("scw-panel")

        for message in scores_problems(self.store.path, self.case, self.rubric):
            self._messages.append(message)
            warnings.warn(message, ScoresWarning, stacklevel=3)
        self._refresh_jump()
        self.show(self.ids[0] if self.ids else None)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        return f"ScoringPanel(case={self.case.name!r}, rater={self.rater!r}, testimonies={len(self.all_ids)})"

    def describe(self) -> str:
        """A sentence that stands for the panel where widgets cannot be shown (stored outputs, reports)."""
        return (f"[The scoring panel: {len(self.all_ids)} testimonies of the case '{self.case.name}', "
                f"scored by '{self.rater}'. It appears here when the notebook runs: "
                "run the cells from the top (Run > Run All Cells).]")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):  # (data, metadata)
            bundle[0]["text/plain"] = self.describe()
        elif isinstance(bundle, dict):
            bundle["text/plain"] = self.describe()
        return bundle

    def _callback(self, function: Callable, *args: Any) -> Callable:
        """``function`` as a widget callback whose errors show in :attr:`output` (and reach tests)."""
        @functools.wraps(function)
        def run(*more: Any) -> Any:
            with self.output:
                return function(*args, *more)
        return run

    # ------------------------------------------------------------------ options
    def _claim_options(self) -> list[tuple[str, str]]:
        used = set(self.case.evidence["claim_id"])
        options = [("all claims", "")]
        for claim in self.case.claims.to_dict("records"):
            if claim["claim_id"] in used:
                statement = claim["statement"]
                short = statement if len(statement) <= 50 else statement[:49] + "…"
                options.append((f"{claim['claim_id']}: {short}", claim["claim_id"]))
        return options

    def _speaker_options(self) -> list[tuple[str, str]]:
        options = [("all speakers", "")]
        seen = []
        for sid in self.case.testimonies["speaker_id"]:
            if sid and sid not in seen:
                seen.append(sid)
        for sid in seen:
            person = self._index.people.get(sid)
            options.append((person["name"] if person else sid, sid))
        return options

    def _setting_options(self) -> list[tuple[str, str]]:
        present = list(dict.fromkeys(s for s in self.case.testimonies["setting"] if s))
        return [("all settings", "")] + [(_words(s), s) for s in present]

    def _jump_label(self, position: int, tid: str, scored: set[str]) -> str:
        speaker = self._index.testimonies.get(tid, {}).get("speaker_id", "")
        person = self._index.people.get(speaker)
        who = person["name"] if person else (speaker or "unknown speaker")
        if len(who) > _JUMP_NAME:  # the card below names the speaker in full
            who = who[: _JUMP_NAME - 1].rstrip() + "…"
        mark = " ✓" if tid in scored else ""
        return f"{position}. {tid} — {who}{mark}"

    def _refresh_jump(self) -> None:
        quiet, self._quiet = self._quiet, True
        scored = self.scored_ids()
        try:
            self.jump.options = [(self._jump_label(i, tid, scored), tid) for i, tid in enumerate(self.ids, 1)]
            self.jump.value = self.current_id if self.current_id in self.ids else None
        finally:
            self._quiet = quiet

    # ------------------------------------------------------------------ state
    def scored_ids(self) -> set[str]:
        """Testimonies of the case with at least one criterion given a value (not unknown)."""
        ids = self._all_id_set
        return {key[0] for key, vals in self.store.iter_items() if vals["value"] != "" and key[0] in ids}

    def scores(self) -> pd.DataFrame:
        """This rater's scores as the file holds them (the contract's columns, text)."""
        return self.store.frame()

    def _credibility_html(self) -> str:
        tid = self.current_id
        if tid is None:
            return ""
        values = {c: vals["value"] for (t, c), vals in self.store.iter_items() if t == tid}
        result, known, total = credibility_of(values, self.criteria)
        share = f"{known} of {total} criteria known ({known / total if total else 0:.0%})"
        if math.isnan(result):
            return f"<b>Credibility:</b> not known yet — {share}"
        return f"<b>Credibility:</b> {result:.2f} on a scale of 0 to 1 — {share}"

    def _progress_html(self, scored: set[str] | None = None) -> str:
        scored = self.scored_ids() if scored is None else scored
        text = f"<b>{len(scored)} of {len(self.all_ids)}</b> testimonies scored"
        if len(self.ids) != len(self.all_ids):
            text += f" ({len(scored & set(self.ids))} of {len(self.ids)} in this selection)"
        return text

    def _history_html(self, last: int = 5) -> str:
        entries = self.store.changes(last)
        if not entries:
            return "<small>No changes yet.</small>"
        items = []
        for entry in reversed(entries):
            key = list(entry.get("key", [])) + ["", ""]
            prefix = "undo: " if entry.get("undo") else "found in the file: " if entry.get("recovered") else ""
            text = (f"{prefix}{key[0]} · {key[1]}: "
                    f"{_describe(entry.get('old'), entry.get('new'))} ({entry.get('at', '')})")
            items.append(f"<li>{_e(text)}</li>")
        return f"<small>Last changes:<ul style='margin:0'>{''.join(items)}</ul></small>"

    def _status_html(self, extra: str = "") -> str:
        parts = [f"<div style='color:#8a5300'>⚠ {_e(m)}</div>" for m in self._messages]
        if extra:
            parts.append(extra)
        return "".join(parts)

    # ------------------------------------------------------------------ showing
    def show(self, testimony_id: str | None) -> None:
        """Show the testimony ``testimony_id`` (``None``: nothing matches the filters)."""
        if testimony_id is not None and testimony_id not in self.all_ids:
            raise KeyError(f"no testimony called {testimony_id!r} in the case '{self.case.name}'")
        self.current_id = testimony_id
        quiet, self._quiet = self._quiet, True
        try:
            if testimony_id is None:
                self.card.value = "<p><i>No testimony matches these filters.</i></p>"
            else:
                if testimony_id in self.ids:
                    position = f"{self.ids.index(testimony_id) + 1} of {len(self.ids)}"
                else:
                    position = "outside the filters"
                self.card.value = testimony_card(self.case, testimony_id, position=position, index=self._index)
            self.jump.value = testimony_id if testimony_id in self.ids else None
            self._load_controls()
        finally:
            self._quiet = quiet
        self._update_summary()

    def _load_controls(self) -> None:
        """Set the controls from the store (quietly: nothing is written)."""
        notes = []
        for name, control in self.controls.items():
            comment = self.comments[name]
            disabled = self.current_id is None
            control.disabled = comment.disabled = disabled
            stored = None if disabled else self.store.get((self.current_id, name))
            if stored is None:
                control.index = None
                comment.value = ""
                continue
            value = stored["value"]
            levels = [v for v in control.options if v[1] != UNKNOWN]
            if value == "":
                control.value = UNKNOWN
            else:
                match = [v for _, v in levels if str(v) == value.strip()]
                if match:
                    control.value = match[0]
                else:
                    control.index = None
                    notes.append(f"The file holds '{value}' for {name}, which is not a level of this rubric; "
                                 "it is kept until you choose a level.")
            comment.value = stored["comment"]
        self._notes = notes

    def _update_summary(self, extra: str = "") -> None:
        self.credibility_label.value = self._credibility_html()
        scored = self.scored_ids()
        self.progress.value = self._progress_html(scored)
        self.progress_bar.value = len(scored)
        self.history_view.value = self._history_html()
        notes = "".join(f"<div style='color:#8a5300'>{_e(n)}</div>" for n in getattr(self, "_notes", []))
        self.status.value = self._status_html(notes + extra)
        position = self.ids.index(self.current_id) if self.current_id in self.ids else -1
        self.previous_button.disabled = position <= 0
        self.next_button.disabled = position < 0 or position >= len(self.ids) - 1

    # ------------------------------------------------------------------ navigation
    def next(self) -> None:
        """Show the next testimony of the selection."""
        if self.current_id in self.ids:
            position = self.ids.index(self.current_id)
            if position + 1 < len(self.ids):
                self.show(self.ids[position + 1])
        elif self.ids:
            self.show(self.ids[0])

    def previous(self) -> None:
        """Show the previous testimony of the selection."""
        if self.current_id in self.ids:
            position = self.ids.index(self.current_id)
            if position > 0:
                self.show(self.ids[position - 1])
        elif self.ids:
            self.show(self.ids[0])

    def _selection(self) -> list[str]:
        tests = self.case.testimonies
        keep = pd.Series(True, index=tests.index)
        if self.claim_filter.value:
            linked = set(self.case.evidence.loc[self.case.evidence["claim_id"] == self.claim_filter.value,
                                                "testimony_id"])
            keep &= tests["testimony_id"].isin(linked)
        if self.speaker_filter.value:
            keep &= tests["speaker_id"] == self.speaker_filter.value
        if self.setting_filter.value:
            keep &= tests["setting"] == self.setting_filter.value
        return list(tests.loc[keep, "testimony_id"])

    def _on_filter(self, change: dict) -> None:
        if self._quiet:
            return
        self.ids = self._selection()
        self._refresh_jump()
        self.show(self.current_id if self.current_id in self.ids else (self.ids[0] if self.ids else None))

    def _on_jump(self, change: dict) -> None:
        if self._quiet or change["new"] is None:
            return
        self.show(change["new"])

    def clear_filters(self) -> None:
        """Show every testimony again."""
        quiet, self._quiet = self._quiet, True
        try:
            self.claim_filter.value = self.speaker_filter.value = self.setting_filter.value = ""
        finally:
            self._quiet = quiet
        self.ids = list(self.all_ids)
        self._refresh_jump()

    # ------------------------------------------------------------------ changes
    def _save(self, criterion: str, **values: str) -> None:
        tid = self.current_id
        if tid is None:
            return
        was_scored = tid in self.scored_ids()
        try:
            self.store.set((tid, criterion), **values)
        except Exception as exc:
            self.status.value = self._status_html(
                f"<div style='color:#b00020'><b>Not saved:</b> {_e(criterion)} for {_e(tid)} could not be "
                f"written to {_e(str(self.store.path))} ({_e(type(exc).__name__)}: {_e(str(exc))}). "
                "Check that the folder exists and is writable, then choose again.</div>")
            raise
        quiet, self._quiet = self._quiet, True
        try:
            self._load_controls()  # what the controls show is what the file holds
        finally:
            self._quiet = quiet
        if (tid in self.scored_ids()) != was_scored:
            self._refresh_jump()
        self._update_summary()

    def _on_level(self, criterion: str, change: dict) -> None:
        if self._quiet:
            return
        new = change["new"]
        self._save(criterion, value="" if new is None or new == UNKNOWN else str(int(new)))

    def _on_comment(self, criterion: str, change: dict) -> None:
        if self._quiet:
            return
        self._save(criterion, comment=change["new"])

    def undo(self) -> bool:
        """Take back the last change (repeat to go further back); show the testimony it touched."""
        change = self.store.undo_change()
        if change is None:
            self._update_summary("<div>Nothing to undo.</div>")
            return False
        tid, criterion = change["key"]
        if tid in self.all_ids:
            if tid not in self.ids:
                self.clear_filters()
            self.show(tid)
        else:
            self.show(self.current_id)
        self._refresh_jump()
        self._update_summary(f"<div>Undone: {_e(tid)} · {_e(criterion)}: "
                             f"{_e(_describe(change['new'], change['old']))}</div>")
        return True


def _describe(old: dict | None, new: dict | None) -> str:
    """A change in words: ``"unknown → 3"``, ``"comment edited"``, ``"2 → not judged"``."""
    def shown(row: dict | None) -> str:
        if row is None:
            return "not judged"
        return row.get("value") or "unknown"
    parts = []
    if shown(old) != shown(new):
        parts.append(f"{shown(old)} → {shown(new)}")
    if (old or {}).get("comment", "") != (new or {}).get("comment", ""):
        parts.append("comment edited")
    return ", ".join(parts) or "no change"


def _level_label(value: int, word: str) -> str:
    """``"3: eyewitness"`` (a level, not a quantity); a word that already carries its own code (``"A: ..."``) as it is."""
    if not word:
        return str(value)
    head = word.split(":", 1)[0]
    if ":" in word and 0 < len(head) <= 3 and " " not in head:
        return word
    return f"{value}: {word}"


def scoring_panel(case: Case | str | Path, rater: str, scores_dir: str | Path, *,
                  rubric: Any = None, clock: Callable[[], str] = utc_now) -> ScoringPanel:
    """The scoring panel of ``rater`` over ``case``, saving to ``<scores_dir>/<rater>.csv``.

    One card per testimony (the quote, speaker and aliases, source and
    locator, the date given beside each claim's event date and the gap
    between them, setting, basis, conditions, and the chain of custody in one
    line), one control per rubric criterion with its level words and an
    "unknown" choice, a comment box per criterion, previous/next, a jump
    list, filters by claim, speaker and setting, progress, the testimony's
    credibility updated live (see :func:`workbook.scoring.credibility`), and
    undo with the last changes.

    Every change is saved at once (a temporary file replaces the scores file,
    and a line is added to ``<rater>.history.jsonl``); opening the panel again
    restores every value and writes nothing.  ``rater`` must be a safe name
    (lower-case letters, digits, ``-`` and ``_``): anything else raises
    :class:`workbook.case.store.RaterNameError`.  A scores file with testimony ids
    the case does not have, or criteria from another rubric, opens with a
    warning naming them; those rows stay in the file.  ``rubric`` (a name such
    as ``"nato"``, a path or a frame) replaces the case's rubric; keep the
    scores of different rubrics in different folders.  ``case`` may be a loaded
    case or its folder.
    """
    return ScoringPanel(case, rater, scores_dir, rubric=rubric, clock=clock)
