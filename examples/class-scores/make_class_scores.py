"""Make the SIMULATED class scores in ``examples/class-scores/<case>/``.

These files are not anyone's judgement.  They are drawn by a seeded random
procedure, so that ``notebooks/08-the-class-together.ipynb`` (pooling a class's
scores, agreement between raters) and ``notebooks/04-corroboration.ipynb``
(corroboration weighted by credibility) have a class's worth of scores to show
on the bundled case.  Nothing about the testimonies goes into them: the
procedure reads only the list of testimony ids and the rubric's criteria and
ranges.

The values come from :func:`workbook.synthetic.make_scores` (the generator the
package uses for benchmarks and tests), with four raters:

1. For every testimony and criterion, a *shared tendency*: a level drawn at
   random across the criterion's range.  It is what the simulated raters lean
   towards together, so that they agree more often than chance would give.
2. A "common set" of about ``SHARE / 2`` of the testimonies is scored by all
   four raters (as a teacher would assign), so that agreement can be measured
   on it; each rater also scores about ``SHARE / 2`` of the rest, chosen at random.
3. Each score is the shared tendency plus the rater's own noise (normal, with a
   standard deviation of 0.15 of the criterion's range), rounded to a level and
   kept within the range; about 5% are left empty ("unknown": the rater could
   not judge).
4. ``updated_at`` is a fixed, made-up time, so the files are the same on every run.

``make_scores`` also writes a few canned remarks in the ``comment`` column (for
testing how comments are read); here every comment is replaced by the word
``simulated``, so that no row reads like someone's reasoning about a real
testimony.

Usage, from the repository root (the defaults are the bundled case)::

    .venv/bin/python examples/class-scores/make_class_scores.py [CASE_FOLDER] [OUT_FOLDER]

With the same case, seed and library versions the files come out the same; a
case with other testimonies gives other files, as it should.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import workbook
from workbook.synthetic import make_scores

SEED = 1938
RATERS = 4
SHARE = 0.5
COMMENT = "simulated"

ROOT = Path(__file__).resolve().parents[2]


def relabel_comments(path: Path, comment: str = COMMENT) -> None:
    """Set every row's ``comment`` in the scores file ``path`` to ``comment``."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if not rows:
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "comment": comment})
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", default=str(ROOT / "data" / "moscow-trials"))
    parser.add_argument("out", nargs="?", default=None,
                        help="output folder (default: examples/class-scores/<case folder name>)")
    args = parser.parse_args(argv)
    case = workbook.load_case(args.case)  # validates the case first
    out = Path(args.out) if args.out else Path(__file__).resolve().parent / Path(args.case).resolve().name
    for old in out.glob("*.csv"):  # a rerun replaces the files, never mixes old and new
        old.unlink()
    written = make_scores(case, out, raters=RATERS, seed=SEED, share=SHARE)
    for path in written:
        relabel_comments(path)
        print(path.relative_to(out.parent))
    return written


if __name__ == "__main__":
    main()
