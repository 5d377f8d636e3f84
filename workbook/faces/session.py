"""Who is working, on which case, and where their work is saved: read by the app and the lesson pages.

A page served to a student (the scoring app, a lesson page of the student edition)
never decides for itself whose work it writes: the server that started its kernel
does.  The class server (``python -m workbook class``) sets, for each student's
kernel, the environment variables below from the identity it verified at join;
``make app`` on one machine sets none, and then :attr:`Session.rater` is ``None``:
the page asks for a name and never writes under a shared default.

=========================  ==================================================
``WORKBOOK_MODE``          ``class`` (served to a class) or ``single`` (default)
``WORKBOOK_RATER``         the student's rater name (checked with ``check_rater``)
``WORKBOOK_CASE``          the case folder
``WORKBOOK_SCORES_DIR``    the folder of ``<rater>.csv`` scores for this case
``WORKBOOK_ACH_DIR``       the folder of ``<rater>.csv`` competing-hypotheses ratings
``WORKBOOK_ANSWERS_DIR``   the folder of ``<rater>.csv`` answers to exercises
=========================  ==================================================

>>> s = current_session({"WORKBOOK_CASE": "data/x", "WORKBOOK_RATER": "ana"}, root="/w")
>>> s.rater, s.mode, s.scores_dir.as_posix(), s.answers_dir.as_posix()
('ana', 'single', '/w/scores/x', '/w/answers/x')
>>> current_session({}, root="/w").rater is None
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..case.store import RaterNameError, check_rater

__all__ = ["Session", "current_session", "DEFAULT_CASE", "ROOT"]

#: The workbook's own folder (the checkout): where ``data/``, ``scores/`` and ``answers/`` are.
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CASE = "data/moscow-trials"


@dataclass(frozen=True)
class Session:
    """The person working (``rater``, None when not known yet), the case, and where their work goes."""

    rater: str | None
    case: Path
    scores_dir: Path
    ach_dir: Path
    answers_dir: Path
    mode: str = "single"


def current_session(environ: Mapping[str, str] | None = None, *, root: str | Path | None = None) -> Session:
    """The session of this kernel, from its environment (see the module's table).

    Without ``WORKBOOK_SCORES_DIR`` (and the others) each kind of work goes to
    ``<root>/<kind>/<case-name>/``, so that two cases never share a file.  A rater
    name that is not a valid name is treated as unknown (the page asks again).
    """
    env = os.environ if environ is None else environ
    base = Path(root) if root is not None else ROOT
    case = Path(env.get("WORKBOOK_CASE") or base / DEFAULT_CASE)
    if not case.is_absolute():
        case = base / case
    name = case.name
    rater: str | None = None
    if env.get("WORKBOOK_RATER"):
        try:
            rater = check_rater(env["WORKBOOK_RATER"])
        except RaterNameError:
            rater = None

    def folder(variable: str, kind: str) -> Path:
        value = env.get(variable)
        return Path(value) if value else base / kind / name

    mode = env.get("WORKBOOK_MODE") or "single"
    return Session(rater=rater, case=case, scores_dir=folder("WORKBOOK_SCORES_DIR", "scores"),
                   ach_dir=folder("WORKBOOK_ACH_DIR", "ach"), answers_dir=folder("WORKBOOK_ANSWERS_DIR", "answers"),
                   mode=mode if mode in ("class", "single") else "single")
