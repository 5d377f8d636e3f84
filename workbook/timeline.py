"""Moved to :mod:`workbook.judgement.timeline` (and ``plot_timeline`` to :mod:`workbook.views.charts`);
this old name stays for scripts."""

from .judgement.timeline import CONFLICT_COLUMNS, TIMELINE_COLUMNS, same_place, same_region, timeline, whereabouts_conflicts
from .views.charts import plot_timeline

__all__ = ["CONFLICT_COLUMNS", "TIMELINE_COLUMNS", "timeline", "plot_timeline", "whereabouts_conflicts",
           "same_place", "same_region"]
