"""The case: the data contract, reading and validating a case folder, EDTF dates,
Frictionless descriptors, the bibliography, and the no-loss store of a rater's work.

This layer is the bottom of the house: it imports nothing from ``workbook.judgement``,
``workbook.views`` or ``workbook.faces``, and never ipywidgets, matplotlib or IPython
(``lint-imports`` checks both).  Everything above it reads a case through
:func:`load_case` and writes a user's work through :class:`~workbook.case.store.RatingStore`.
"""

from .contract import TABLES
from .dates import DateError, edtf_bounds
from .loading import load_case, validate
from .model import Case, CaseError, Problem, split_list
from .rubric import ScoresWarning, load_rubric, rubric
from .scores import ach_store, load_ach, load_scores
from .store import RaterNameError, RatingStore

__all__ = ["TABLES", "Case", "CaseError", "DateError", "Problem", "RaterNameError", "RatingStore", "ScoresWarning",
           "ach_store", "edtf_bounds", "load_ach", "load_case", "load_rubric", "load_scores", "rubric",
           "split_list", "validate"]
