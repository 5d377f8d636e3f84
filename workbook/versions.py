"""Moved to :mod:`workbook.judgement.versions`; this old name stays for scripts and notebooks that use it."""

import sys
from importlib import import_module

_module = import_module("workbook.judgement.versions")

sys.modules[__name__] = _module
