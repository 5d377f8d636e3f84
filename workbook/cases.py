"""Moved to :mod:`workbook.case` (``loading``, ``model``, ``reading``, ``checks``); this old name stays for scripts."""

from .case.checks import blank as _blank
from .case.checks import integers as _integers
from .case.checks import list_items as _list_items
from .case.loading import DEFAULT_RUBRIC_PATH, load_case, validate
from .case.model import Case, CaseError, Problem, split_list

__all__ = ["Case", "CaseError", "Problem", "load_case", "validate", "split_list", "DEFAULT_RUBRIC_PATH",
           "_blank", "_integers", "_list_items"]
