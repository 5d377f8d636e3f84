"""Moved to :mod:`workbook.views.charts`; this old name stays for scripts and notebooks that use it."""

import sys
from importlib import import_module

_module = import_module("workbook.views.charts")

sys.modules[__name__] = _module
