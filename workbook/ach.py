"""Moved to :mod:`workbook.judgement.ach`, :mod:`workbook.case.scores` and :mod:`workbook.views`;
this old name stays for scripts."""

from .case.scores import ach_store, load_ach
from .judgement.ach import ACH_POINTS, ach_matrix, ach_scores, diagnosticity, sensitivity
from .views.ach_panel import AchPanel
from .views.charts import plot_ach_heatmap

__all__ = ["ACH_POINTS", "ach_matrix", "ach_scores", "diagnosticity", "sensitivity", "ach_store", "load_ach",
           "AchPanel", "plot_ach_heatmap"]
