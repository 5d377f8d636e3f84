"""Source Criticism Workbook: weigh historical testimony in Jupyter.

The package is built in four layers, each importing only the ones below it
(``lint-imports`` checks it; see CONTRIBUTING.md):

``workbook.faces``      the command line, the series tools, the app and the class server
``workbook.views``      figures and widget panels, thin, over judgement
``workbook.judgement``  pure functions on a case's frames: custody, corroboration, scoring...
``workbook.case``       the contract: reading, validation, dates, the no-loss store

Every public name is importable from here.  Importing the package changes no
global state (no matplotlib style, no widget display); styling is an explicit call.
"""

# The old modules ``workbook.corroboration`` and ``workbook.timeline`` share their names with
# the functions below: load them first, so that the names end up bound to the functions and a
# later ``import workbook.corroboration`` (an old script) finds the module without rebinding them.
from . import corroboration as _old_corroboration_module  # noqa: F401
from . import timeline as _old_timeline_module  # noqa: F401
from .case import (
    TABLES,
    Case,
    CaseError,
    DateError,
    Problem,
    RaterNameError,
    ScoresWarning,
    edtf_bounds,
    load_ach,
    load_case,
    load_rubric,
    load_scores,
    rubric,
    split_list,
    validate,
)
from .case.answers import answer_store, load_answers
from .case.lesson import Lesson, load_lesson
from .case.scores import ach_store
from .case.store import RatingStore, StoreBusyError, case_folder, case_name, check_rater
from .judgement import (
    ach_evidence,
    ach_matrix,
    ach_scores,
    agreement,
    align_versions,
    compare_versions,
    corroboration,
    corroboration_tree,
    credibility,
    custody_chain,
    custody_line,
    custody_prov,
    dependence_groups,
    derivation_graph,
    derivation_path,
    diagnosticity,
    disagreements,
    is_assessment,
    sensitivity,
    timeline,
    unanimity_curve,
    unanimity_posterior,
    versions_html,
    versions_text,
    whereabouts_conflicts,
)
from .views.ach_panel import AchPanel
from .views.charts import (derivation_neighbourhood, derivation_pages, plot_ach_heatmap, plot_agreement,
                           plot_corroboration_pages, plot_timeline)
from .views.lesson import CaseText, absent_table, case_text, table_or_sentence
from .views.pager import FigurePager
from .views.widgets import ScoringPanel, scoring_panel

# finding every spelling, importing from Zotero and Tropy, editing a case (issue 14)
from .case.editing import CaseEditor
from .case.importers import ImportFailure, import_tropy, import_zotero
from .judgement.find import find, spellings
from .views.editor import CaseForm, case_form
from .views.search import SearchBox

__version__ = "0.1.0"

#: The flat modules of before the layers; ``workbook.scoring.rubric_levels`` and the like keep
#: working in old notebooks and scripts (each is imported on first use, see ``__getattr__``).
_OLD_MODULES = ("ach", "bibliography", "cases", "charts", "contract", "custody", "datapackage", "dates", "scoring",
                "series", "store", "synthetic", "versions", "widgets")


def __getattr__(name: str):
    if name in _OLD_MODULES:
        from importlib import import_module

        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    # a rater's judgements, kept apart by case and saved without loss (case/store.py)
    "RatingStore",
    "StoreBusyError",
    "case_folder",
    "case_name",
    "check_rater",
    "Case",
    "CaseError",
    "DateError",
    "Problem",
    "TABLES",
    "edtf_bounds",
    "load_case",
    "split_list",
    "validate",
    # what a case says about itself in the notebooks (case/lesson.py, views/lesson.py)
    "CaseText",
    "Lesson",
    "absent_table",
    "case_text",
    "load_lesson",
    "table_or_sentence",
    # chains of custody and dependence between testimonies (judgement/custody.py)
    "custody_chain",
    "custody_line",
    "custody_prov",
    "dependence_groups",
    "is_assessment",
    "derivation_graph",
    "derivation_path",
    # corroboration per claim and the paradox of unanimity (judgement/corroboration.py)
    "corroboration",
    "corroboration_tree",
    "unanimity_curve",
    "unanimity_posterior",
    # students' written answers (case/answers.py) and readable figures (views/charts.py)
    "answer_store",
    "load_answers",
    "derivation_pages",
    "derivation_neighbourhood",
    "plot_corroboration_pages",
    "FigurePager",
    # competing hypotheses (judgement/ach.py, case/scores.py, views/ach_panel.py)
    "AchPanel",
    "ach_evidence",
    "ach_matrix",
    "ach_scores",
    "ach_store",
    "diagnosticity",
    "load_ach",
    "plot_ach_heatmap",
    "sensitivity",
    # timelines and alibis (judgement/timeline.py, views/charts.py)
    "plot_timeline",
    "timeline",
    "whereabouts_conflicts",
    # versions of one statement (judgement/versions.py)
    "align_versions",
    "compare_versions",
    "versions_html",
    "versions_text",
    # rubrics, scores, credibility, agreement and the scoring panel (case/, judgement/scoring.py, views/widgets.py)
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
    # every spelling of a name (judgement/find.py, views/search.py)
    "SearchBox",
    "find",
    "spellings",
    # bringing sources in and editing a case (case/importers/, case/editing.py, views/editor.py)
    "CaseEditor",
    "CaseForm",
    "ImportFailure",
    "case_form",
    "import_tropy",
    "import_zotero",
]
