"""Moved to :mod:`workbook.faces.series`; this old name stays for scripts and notebooks that use it."""

import sys
from importlib import import_module

_module = import_module("workbook.faces.series")

sys.modules[__name__] = _module
