"""Source Criticism Workbook: weigh historical testimony in Jupyter.

Importing the package changes no global state (no matplotlib style, no widget
display); styling is an explicit call.
"""

from .cases import Case, CaseError, Problem, load_case, split_list, validate
from .contract import TABLES
from .dates import DateError, edtf_bounds
from .custody import (custody_chain, custody_line, custody_prov, dependence_groups, derivation_graph, derivation_path,
                      is_assessment)
from .corroboration import corroboration, corroboration_tree, unanimity_curve, unanimity_posterior
from .ach import AchPanel, ach_matrix, ach_scores, ach_store, diagnosticity, load_ach, plot_ach_heatmap, sensitivity
from .timeline import plot_timeline, timeline, whereabouts_conflicts
from .versions import align_versions, compare_versions, versions_html, versions_text
from .scoring import ScoresWarning, agreement, credibility, disagreements, load_rubric, load_scores, rubric
from .charts import plot_agreement
from .store import RaterNameError
from .widgets import ScoringPanel, scoring_panel

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
    "is_assessment",
    "derivation_graph",
    "derivation_path",
    # corroboration per claim and the paradox of unanimity (corroboration.py)
    "corroboration",
    "corroboration_tree",
    "unanimity_curve",
    "unanimity_posterior",
    # competing hypotheses (ach.py)
    "AchPanel",
    "ach_matrix",
    "ach_scores",
    "ach_store",
    "diagnosticity",
    "load_ach",
    "plot_ach_heatmap",
    "sensitivity",
    # timelines and alibis (timeline.py)
    "plot_timeline",
    "timeline",
    "whereabouts_conflicts",
    # versions of one statement (versions.py)
    "align_versions",
    "compare_versions",
    "versions_html",
    "versions_text",
    # rubrics, scores, credibility, agreement and the scoring panel (scoring.py, widgets.py)
    "RaterNameError",
    "ScoresWarning",
    "ScoringPanel",
    "agreement",
    "credibility",
    "disagreements",
    "load_rubric",
    "load_scores",
    "plot_agreement",
    "rubric",
    "scoring_panel",
]
