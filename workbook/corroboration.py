"""Moved to :mod:`workbook.judgement.corroboration`; this old name stays for scripts and notebooks that use it."""

import sys
from importlib import import_module

_module = import_module("workbook.judgement.corroboration")

sys.modules[__name__] = _module
