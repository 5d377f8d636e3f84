"""Moved to :mod:`workbook.case.rubric`, :mod:`workbook.case.scores` and :mod:`workbook.judgement.scoring`;
this old name stays for scripts."""

from .case.rubric import RUBRICS, ScoresWarning, load_rubric, rubric, rubric_levels
from .case.scores import load_scores, scores_problems
from .judgement.scoring import agreement, credibility, disagreements

__all__ = ["RUBRICS", "ScoresWarning", "load_rubric", "rubric", "rubric_levels", "credibility", "load_scores",
           "scores_problems", "agreement", "disagreements"]
