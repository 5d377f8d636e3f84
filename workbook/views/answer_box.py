"""An answer box for one exercise: a labelled text area saved at once in the answers store."""

from __future__ import annotations

import ipywidgets as widgets

from ..case.store import RatingStore

__all__ = ["AnswerBox"]


class AnswerBox:
    """The answer of one student to one exercise, saved on every change (``store.set``).

    ``store`` is an :func:`workbook.case.answers.answer_store`, or None when the
    student has not given a name yet (the box is then read-only and says why).
    """

    def __init__(self, exercise_id: str, title: str, store: RatingStore | None):
        self.exercise_id = exercise_id
        self.store = store
        saved = store.get((exercise_id,)) if store is not None else None
        label = f"Your answer to Exercise {exercise_id}" + (f": {title}" if title else "")
        self.text = widgets.Textarea(
            value=(saved or {}).get("answer", ""),
            description=label, description_allow_html=False, tooltip=label,
            style={"description_width": "initial"},
            placeholder="Write your answer here." if store is not None else "Give your name at the top of the page first.",
            disabled=store is None,
            layout=widgets.Layout(width="100%", height="10em", flex_flow="column", align_items="stretch"),
        )
        self.status = widgets.Label(value=self._where() if store is not None else "Not saved: no name given yet.")
        self.text.observe(self._save, names="value")
        self.widget = widgets.VBox([self.text, self.status],
                                   layout=widgets.Layout(width="100%", max_width="60em"))
        self.widget.add_class("scw-answer")

    def _where(self) -> str:
        assert self.store is not None
        return f"Saved as you type, for {self.store.rater}."

    def _save(self, change) -> None:
        if self.store is None:
            return
        self.store.set((self.exercise_id,), answer=change["new"])
        self.status.value = self._where()

    def describe(self) -> str:
        return f"[The answer box for Exercise {self.exercise_id}.]"

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.describe()
        return bundle
