"""What the teacher's dashboard shows, computed from the class folder's files alone.

Every number comes from the students' files as they are on disk (never from what
a page reported), so "saved" on the dashboard means saved in the file.  The
agreement and the most disputed testimonies are computed exactly as notebook 08
computes them on ``CLASS_SCORES_DIR = <class-dir>/scores``.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pandas as pd

from ...case.model import Case
from ...case.scores import ScoresWarning, load_scores
from ...judgement.scoring import agreement, disagreements

__all__ = ["class_scores", "class_progress", "class_agreement", "class_disputed"]


def class_scores(class_dir: str | Path, case: Case) -> pd.DataFrame:
    """The class's scores for ``case`` as notebook 08 reads them (rows for other cases left aside)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScoresWarning)
        scores = load_scores(Path(class_dir) / "scores")
    scores = scores[scores["testimony_id"].isin(case.testimonies["testimony_id"])]
    return scores.reset_index(drop=True)


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, UnicodeDecodeError):
        return []
    return list(csv.DictReader(io.StringIO(text, newline="")))


def class_progress(class_dir: str | Path, case: Case, students: list[str],
                   joined: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per student: ``rater``, ``scored`` (testimonies with at least one level chosen),
    ``scores`` (levels chosen), ``answers`` (exercises answered), ``ach`` (ACH ratings given),
    ``last_activity`` (the latest ``updated_at`` in the student's files, else the join time).

    ``students`` are the joined students; a file of a student who never joined through the
    server (copied in by hand) is counted too.
    """
    folder = Path(class_dir)
    ids = set(case.testimonies["testimony_id"])
    names = set(students)
    for sub in ("scores", "ach", "answers"):
        if (folder / sub).is_dir():
            names |= {p.stem for p in (folder / sub).glob("*.csv") if not p.name.startswith(".")}
    rows = []
    for rater in sorted(names):
        scores = [r for r in _rows(folder / "scores" / f"{rater}.csv")
                  if r.get("testimony_id") in ids and (r.get("value") or "") != ""]
        answers = [r for r in _rows(folder / "answers" / f"{rater}.csv") if (r.get("answer") or "").strip()]
        ach = [r for r in _rows(folder / "ach" / f"{rater}.csv") if (r.get("rating") or r.get("value") or "") != ""]
        stamps = [r.get("updated_at") or "" for r in (*scores, *answers, *ach)]
        rows.append({"rater": rater, "scored": len({r["testimony_id"] for r in scores}), "scores": len(scores),
                     "answers": len(answers), "ach": len(ach),
                     "last_activity": max([s for s in stamps if s] or [(joined or {}).get(rater, "")])})
    return pd.DataFrame(rows, columns=["rater", "scored", "scores", "answers", "ach", "last_activity"])


def class_agreement(scores: pd.DataFrame, case: Case) -> pd.DataFrame:
    """Krippendorff's alpha per criterion and overall, as notebook 08 computes it."""
    return agreement(scores.drop(columns="updated_at", errors="ignore"), case.rubric)


def class_disputed(scores: pd.DataFrame, case: Case, top: int = 10) -> pd.DataFrame:
    """The most disputed (testimony, criterion) pairs, as notebook 08 lists them."""
    return disagreements(scores.drop(columns="updated_at", errors="ignore"), top=top, rubric=case.rubric)

