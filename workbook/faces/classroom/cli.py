"""``python -m workbook class CASE``: the command line of the class server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_class_command", "run_class_command"]

DESCRIPTION = """Serve the student app of CASE to a classroom: students open the address printed,
type the join code and their name, and score; each student's work is saved at once in
their own file in the class folder; the teacher follows the class on a dashboard."""


def add_class_command(subparsers) -> argparse.ArgumentParser:
    """Add ``class`` to the subcommands of ``python -m workbook``."""
    p = subparsers.add_parser("class", help="serve the student app to a classroom (join code, teacher's dashboard)",
                              description=DESCRIPTION)
    p.add_argument("path", metavar="CASE", help="the case folder, e.g. data/moscow-trials")
    p.add_argument("--port", type=int, default=8866, help="the port to listen on (default 8866)")
    p.add_argument("--ip", default="", help="the address to listen on (default: every interface, so the class "
                                            "can reach it; 127.0.0.1 for this computer only)")
    p.add_argument("--join-code", help="the code students type to join (default: a fresh short code, printed)")
    p.add_argument("--teacher-code", help="the code that opens the teacher's dashboard (default: a fresh code, printed)")
    p.add_argument("--class-dir", type=Path, help="where the class's work is kept (default classes/<case-name>/)")
    p.add_argument("--roster", type=Path, help="a CSV file with a column 'name': only these students may join")
    p.set_defaults(func=run_class_command)
    return p


def run_class_command(args: argparse.Namespace) -> int:
    from ...case.model import CaseError
    from ...case.store import RaterNameError
    from .server import serve_class
    from .state import RosterError

    folder = Path(args.path)
    if not folder.is_dir():
        print(f"error: there is no case folder at '{args.path}'", file=sys.stderr)
        return 2
    for name, code in (("--join-code", args.join_code), ("--teacher-code", args.teacher_code)):
        if code is not None and (len(code) < 4 or not code.replace("-", "").isalnum()):
            print(f"error: {name} {code!r}: use at least 4 letters or digits", file=sys.stderr)
            return 2
    try:
        serve_class(folder, port=args.port, ip=args.ip, join_code=args.join_code, teacher_code=args.teacher_code,
                    class_dir=args.class_dir, roster=args.roster)
    except CaseError as exc:
        for problem in exc.problems:
            print(problem)
        print("the class was not started: fix the problems above first", file=sys.stderr)
        return 1
    except (RosterError, RaterNameError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # address already in use (Linux, macOS, Windows)
            print(f"error: port {args.port} is already in use: stop what uses it, or give --port 8867",
                  file=sys.stderr)
            return 2
        raise
    return 0
