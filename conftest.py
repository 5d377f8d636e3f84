"""pytest: the old flat module names in ``workbook/`` are aliases of the moved modules
(``workbook/charts.py`` is ``workbook/views/charts.py``); their doctests are collected
once, where the code lives, so the aliases are not collected."""

from pathlib import Path

_PACKAGE = Path(__file__).parent / "workbook"
collect_ignore = [str(p) for p in sorted(_PACKAGE.glob("*.py")) if p.name not in ("__init__.py", "__main__.py")]
