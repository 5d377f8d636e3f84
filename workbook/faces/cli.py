"""The command line: ``python -m workbook COMMAND PATH``.

Commands: ``validate`` (print every problem, exit 0 clean, 1 problems, 2 usage),
``describe`` (write the full datapackage.json), ``new-case`` (write a template case),
``student`` (students' copies), ``student-edition`` (the lesson pages in app/), ``lab-copies``
(the teacher's working copies), ``report`` (static HTML), ``run-series`` (the series
on any case), ``csl`` (the bibliography as CSL-JSON), ``import`` (sources from Zotero
or Tropy), ``class`` (serve the student app to a classroom: :mod:`workbook.faces.classroom`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ..case.atomic import atomic_write_text
from ..case.datapackage import name_and_title
from ..case.lesson import lesson_problems
from ..case.loading import CaseError, load_case, validate

TEMPLATE = Path(__file__).resolve().parents[1] / "template_case"


class _UsageError(Exception):
    """A command used wrongly (exit code 2); the message is printed as ``error: ...``."""


def _case_folder(text: str) -> Path:
    folder = Path(text)
    if not folder.is_dir():
        raise _UsageError(f"there is no case folder at '{text}'")
    return folder


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _cmd_validate(args: argparse.Namespace) -> int:
    folder = _case_folder(args.path)
    case = None
    try:
        case = load_case(folder)
        problems = []
    except CaseError as exc:
        problems = list(exc.problems)
    problems += lesson_problems(folder)
    for problem in problems:
        print(problem)
    if not args.quiet:
        if problems:
            print(f"{_plural(len(problems), 'problem')} in {args.path}", file=sys.stderr)
        elif case is not None:
            print(f"ok: {_plural(len(case.present), 'table')}, "
                  f"{_plural(len(case.testimonies), 'testimony', 'testimonies')}", file=sys.stderr)
    return 1 if problems else 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from ..case.datapackage import describe

    folder = _case_folder(args.path)
    try:
        case = load_case(folder)
        target = describe(folder)
    except CaseError as exc:
        for problem in exc.problems:
            print(problem)
        print("the descriptor was not written: fix the problems above first", file=sys.stderr)
        return 1
    print(f"wrote {target}")
    print(f"  title: {json.loads(target.read_text(encoding='utf-8'))['title']}")
    for name in case.present:
        print(f"  {name}: {len(case.table(name))} rows")
    return 0


def _cmd_new_case(args: argparse.Namespace) -> int:
    folder = Path(args.path)
    if folder.exists() and not folder.is_dir():
        print(f"error: '{args.path}' is a file; choose a new folder", file=sys.stderr)
        return 2
    if folder.exists() and any(folder.iterdir()):
        print(f"error: '{args.path}' exists and is not empty; choose a new folder", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(TEMPLATE.iterdir()):
        if source.is_file():
            shutil.copyfile(source, folder / source.name)
    # the template's name and title become the folder's ("data/harbour-fire": "harbour-fire", "Harbour fire")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["name"], descriptor["title"] = name_and_title(folder)
    atomic_write_text(folder / "datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote a template case to {folder}; edit its CSV files, then run: python -m workbook validate {folder}")
    return 0


def _cmd_student(args: argparse.Namespace) -> int:
    from .series import write_student_copies

    written = write_student_copies(args.out)
    print(f"wrote {len(written)} student notebooks to {args.out} (solutions removed)")
    return 0


def _cmd_student_edition(args: argparse.Namespace) -> int:
    from .student_edition import write_student_edition

    written = write_student_edition(args.out)
    print(f"wrote {len(written)} lesson pages to {args.out} (no solutions; served by make app)")
    return 0


def _cmd_lab_copies(args: argparse.Namespace) -> int:
    from .series import prepare_lab

    for line in prepare_lab(args.out):
        print(line)
    print(f"the teacher's edition to work in is in {args.out}/ (the notebooks in notebooks/ stay as tested)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .series import write_report

    parameters = None
    if args.case:
        folder = _case_folder(args.case)
        parameters = {"CASE": str(folder.resolve())}
    index = write_report(args.out, parameters=parameters, execute_first=not args.no_execute)
    print(f"wrote the report: {index}")
    return 0


def _cmd_run_series(args: argparse.Namespace) -> int:
    import time

    from .series import execute, series

    folder = _case_folder(args.case)
    problems = validate(folder) + lesson_problems(folder)
    if problems:
        for problem in problems:
            print(problem)
        print("the series was not run: fix the problems above first", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    parameters = {"CASE": str(folder.resolve()), "SCORES_DIR": str((out / "scores").resolve()),
                  "CLASS_SCORES_DIR": str((out / "class-scores").resolve())}
    for path in series():
        start = time.perf_counter()
        execute(path, output=out / path.name, parameters=parameters, quiet_kernel=True)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_csl(args: argparse.Namespace) -> int:
    from ..case.bibliography import write_csl_json

    try:
        case = load_case(args.path)
    except CaseError as exc:
        for problem in exc.problems:
            print(problem)
        return 1
    target = write_csl_json(case, args.output or f"{case.name}.csl.json")
    print(f"wrote {len(case.sources)} sources as CSL-JSON to {target}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from ..case.importers import ImportFailure, import_tropy, import_zotero, to_complete

    folder = _case_folder(args.case)
    try:
        if args.tool == "zotero":
            reports = [import_zotero(args.file, folder, update=args.update, dry_run=args.dry_run)]
        else:
            reports = list(import_tropy(args.file, folder, templates=args.template or (), update=args.update,
                                        dry_run=args.dry_run))
    except ImportFailure as exc:
        raise _UsageError(str(exc)) from None
    problems = [problem for report in reports for problem in report.problems]
    for report in reports:
        print(report)
    for problem in problems:
        print(problem)
    if args.dry_run:
        print("nothing was written (--dry-run)")
    if args.tool == "tropy" and not args.dry_run:
        left = to_complete(folder)
        if left:
            print(f"{len(left)} cells of the draft testimonies to fill in:")
            print("\n".join(left))
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook", description="Source Criticism Workbook: cases from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("validate", help="check a case and print every problem (file:row:column: message)")
    p.add_argument("path", help="the case folder")
    p.add_argument("-q", "--quiet", action="store_true", help="print the problems only, no summary")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("describe", help="write the full datapackage.json of a valid case")
    p.add_argument("path", help="the case folder")
    p.set_defaults(func=_cmd_describe)
    p = sub.add_parser("new-case", help="write a template case that validates")
    p.add_argument("path", help="a new, empty folder")
    p.set_defaults(func=_cmd_new_case)
    p = sub.add_parser("student", help="write the students' copies of the notebooks (solutions removed)")
    p.add_argument("out", nargs="?", default="student", help="output folder (default: student)")
    p.set_defaults(func=_cmd_student)
    p = sub.add_parser("student-edition", help="write the lesson pages of the student edition into app/")
    p.add_argument("out", nargs="?", default="app", help="output folder (default: app)")
    p.set_defaults(func=_cmd_student_edition)
    p = sub.add_parser("lab-copies", help="copy the teacher's edition into work/ for JupyterLab (edits kept)")
    p.add_argument("out", nargs="?", default="work", help="output folder (default: work)")
    p.set_defaults(func=_cmd_lab_copies)
    p = sub.add_parser("report", help="run the series and write a static HTML report")
    p.add_argument("out", nargs="?", default="report", help="output folder (default: report)")
    p.add_argument("--case", help="run the series on this case instead of the bundled one")
    p.add_argument("--no-execute", action="store_true", help="use the stored outputs as they are")
    p.set_defaults(func=_cmd_report)
    p = sub.add_parser("run-series", help="run every notebook of the series on a case")
    p.add_argument("case", help="the case folder")
    p.add_argument("--out", required=True, help="folder for the executed notebooks")
    p.set_defaults(func=_cmd_run_series)
    p = sub.add_parser("csl", help="export the case's sources as CSL-JSON (for Zotero)")
    p.add_argument("path", help="the case folder")
    p.add_argument("-o", "--output", help="the file to write (default: CASE-NAME.csl.json)")
    p.set_defaults(func=_cmd_csl)
    p = sub.add_parser("import", help="bring sources in from Zotero (CSL-JSON, BibTeX) or Tropy (JSON-LD)")
    p.add_argument("tool", choices=("zotero", "tropy"), help="the tool that wrote the export")
    p.add_argument("file", help="the exported file (.json, .bib; Tropy: .json / .jsonld)")
    p.add_argument("case", help="the case folder (make one first with new-case)")
    p.add_argument("--update", action="store_true",
                   help="where the export and the case differ, take the export's value (default: keep the case's)")
    p.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    p.add_argument("--template", action="append", metavar="TTP",
                   help="a Tropy template (.ttp) whose labels name your own fields (repeatable)")
    p.set_defaults(func=_cmd_import)
    from .classroom.cli import add_class_command

    add_class_command(sub)  # class: serve the student app to a classroom (faces/classroom/)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be read or written: say so, no traceback
        where = f" '{exc.filename}'" if exc.filename else ""
        print(f"error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
