"""Moved to :mod:`workbook.case.dates`; this old name stays for scripts and notebooks that use it."""

import sys
from importlib import import_module

_module = import_module("workbook.case.dates")

sys.modules[__name__] = _module
