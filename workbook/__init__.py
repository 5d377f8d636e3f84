"""Source Criticism Workbook: weigh historical testimony in Jupyter.

Importing the package changes no global state (no matplotlib style, no widget
display); styling is an explicit call.
"""

from .cases import Case, CaseError, Problem, load_case, split_list, validate
from .contract import TABLES
from .dates import DateError, edtf_bounds
from .custody import custody_chain, custody_line, custody_prov, dependence_groups, derivation_graph, derivation_path
from .corroboration import corroboration, corroboration_tree, unanimity_curve, unanimity_posterior

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
    # chains of custody and dependence between testimonies (custody.py)
    "custody_chain",
    "custody_line",
    "custody_prov",
    "dependence_groups",
    "derivation_graph",
    "derivation_path",
    # corroboration per claim and the paradox of unanimity (corroboration.py)
    "corroboration",
    "corroboration_tree",
    "unanimity_curve",
    "unanimity_posterior",
]
