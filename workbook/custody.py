"""Moved to :mod:`workbook.judgement.custody`; this old name stays for scripts and notebooks that use it."""

import sys
from importlib import import_module

_module = import_module("workbook.judgement.custody")

sys.modules[__name__] = _module
