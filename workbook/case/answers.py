"""Students' written answers to the exercises, saved at once beside their scores.

One file per student, ``<answers_dir>/<rater>.csv``, with the columns
``rater, exercise_id, answer, updated_at``, written by the same no-loss store
as the scores (:class:`workbook.case.store.RatingStore`: atomic replace, an
undoable history beside it).  In class mode ``answers_dir`` is
``<class-dir>/answers/``; on one machine it is ``answers/<case-name>/``
(:func:`workbook.faces.session.current_session` decides).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .store import RatingStore, check_rater, utc_now

__all__ = ["ANSWER_COLUMNS", "answer_store", "load_answers"]

ANSWER_COLUMNS = ("rater", "exercise_id", "answer", "updated_at")


def answer_store(answers_dir: str | Path, rater: str, *, clock: Callable[[], str] = utc_now) -> RatingStore:
    """The answers of one student, saved in ``<answers_dir>/<rater>.csv`` on every change.

    >>> import tempfile
    >>> store = answer_store(tempfile.mkdtemp(), "ana", clock=lambda: "2026-01-01T00:00:00Z")
    >>> store.set(("1.1",), answer="The NKVD, in December 1936.")
    >>> print(store.path.read_text(), end="")
    rater,exercise_id,answer,updated_at
    ana,1.1,"The NKVD, in December 1936.",2026-01-01T00:00:00Z
    """
    store = RatingStore(answers_dir, check_rater(rater), keys=("exercise_id",), values=("answer",), clock=clock)
    if store.columns[: len(ANSWER_COLUMNS)] != ANSWER_COLUMNS:  # pragma: no cover - a change in RatingStore
        raise RuntimeError(f"the answers store writes {store.columns}, not {ANSWER_COLUMNS}")
    return store


def load_answers(answers_dir: str | Path) -> pd.DataFrame:
    """Every student's answers from ``<answers_dir>/*.csv``, sorted by rater and exercise."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False)
              for p in sorted(Path(answers_dir).glob("*.csv"))]
    if not frames:
        return pd.DataFrame(columns=list(ANSWER_COLUMNS))
    out = pd.concat(frames, ignore_index=True)[list(ANSWER_COLUMNS)]
    return out.sort_values(["rater", "exercise_id"], kind="stable").reset_index(drop=True)
