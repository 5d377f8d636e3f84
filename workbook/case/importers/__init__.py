"""Bringing a researcher's material into a case: Zotero (CSL-JSON, BibTeX/BibLaTeX) and Tropy (JSON-LD).

>>> from workbook.case.importers import import_zotero, import_tropy      # doctest: +SKIP
>>> print(import_zotero("my-library.json", "data/my-case"))              # doctest: +SKIP

Each importer reads the other tool's export into rows of the contract's tables
and merges them into the case's CSV files (:func:`merge_rows`): new rows are
added, the user's values are kept (differences are reported), every write is
atomic. A file that cannot be read raises :class:`ImportFailure`; an item that
cannot be imported as it is becomes an :class:`ImportProblem` in the report.
"""

from .common import ImportFailure, ImportProblem, MergeReport, merge_rows
from .tropy import import_tropy, read_tropy, to_complete
from .zotero import import_zotero, read_zotero

__all__ = ["ImportFailure", "ImportProblem", "MergeReport", "import_tropy", "import_zotero", "merge_rows",
           "read_tropy", "read_zotero", "to_complete"]
