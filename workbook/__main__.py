"""``python -m workbook``: the command line (see :mod:`workbook.faces.cli`)."""

import sys

from .faces.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
