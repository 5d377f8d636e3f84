"""Source Criticism Workbook: weigh historical testimony in Jupyter.

Importing the package changes no global state (no matplotlib style, no widget
display); styling is an explicit call.
"""

from .cases import Case, CaseError, Problem, load_case, split_list, validate
from .contract import TABLES
from .dates import DateError, edtf_bounds

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseError",
    "DateError",
    "Problem",
    "TABLES",
    "edtf_bounds",
    "load_case",
    "split_list",
    "validate",
]
