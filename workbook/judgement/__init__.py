"""Judgement: pure functions on a case's frames.

Custody and dependence, corroboration, credibility and agreement, versions,
timelines and alibis, competing hypotheses.  Each function takes a
:class:`~workbook.case.Case` (and frames of scores or ratings) and returns new
DataFrames, sorted; none draws a figure, builds a widget or writes a file.

This layer imports only ``workbook.case`` (never views or faces), and never
ipywidgets, matplotlib or IPython, not even lazily (``lint-imports`` checks it).
"""

from .ach import ach_evidence, ach_matrix, ach_scores, diagnosticity, sensitivity
from .corroboration import corroboration, corroboration_tree, unanimity_curve, unanimity_posterior
from .custody import (custody_chain, custody_line, custody_prov, dependence_groups, derivation_graph, derivation_path,
                      is_assessment)
from .scoring import agreement, credibility, disagreements
from .timeline import timeline, whereabouts_conflicts
from .versions import align_versions, compare_versions, versions_html, versions_text

__all__ = ["ach_evidence", "ach_matrix", "ach_scores", "agreement", "align_versions", "compare_versions", "corroboration",
           "corroboration_tree", "credibility", "custody_chain", "custody_line", "custody_prov", "dependence_groups",
           "derivation_graph", "derivation_path", "diagnosticity", "disagreements", "is_assessment", "sensitivity",
           "timeline",
           "unanimity_curve", "unanimity_posterior", "versions_html", "versions_text", "whereabouts_conflicts"]
