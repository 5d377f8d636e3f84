"""Screenshots of every page of the student edition, one per screenful (a tool for looking, not a test).

    .venv/bin/python tests/student_screens.py                 # every lesson page, 1366x768
    .venv/bin/python tests/student_screens.py 03 --size 1280x800

Serves ``app/`` with Voilà from a temporary copy of the workbook (answers and scores
go to a temporary folder), opens each lesson page as the rater ``screens``, and
scrolls it from top to bottom with the mouse wheel, saving
``artifacts/student-screens/<size>-<lesson>-NN.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_support import (ARTIFACTS, INSTALL_HINT, Server, _isolated_env, copy_workbook,  # noqa: E402
                             find_chromium, free_port, launch_chromium)

OUT = ARTIFACTS / "student-screens"
MAX_SCREENS = 40


def main(argv: list[str] | None = None) -> int:
    from workbook.faces.student_edition import LESSONS, page_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (00 ... 07); default: all")
    parser.add_argument("--size", default="1366x768")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))
    chosen = [x for x in LESSONS if not args.lessons or x[:2] in args.lessons]
    chromium = find_chromium()
    if chromium is None:
        print(INSTALL_HINT)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = copy_workbook(tmp / "wb")
        env = _isolated_env(tmp / "home")
        env.update(WORKBOOK_SCORES_DIR=str(tmp / "w" / "scores"), WORKBOOK_ACH_DIR=str(tmp / "w" / "ach"),
                   WORKBOOK_ANSWERS_DIR=str(tmp / "w" / "answers"))
        port = free_port()
        server = Server("Voilà", [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
                                  "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "."],
                        f"http://127.0.0.1:{port}", OUT / "voila.log", env, root / "app")
        try:
            server.wait_until_up(f"{server.url}/voila/static/extension.js")
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = launch_chromium(p, chromium)
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(240_000)
                for lesson in chosen:
                    page.goto(f"{server.url}/voila/render/{page_name(lesson)}?rater=screens", wait_until="commit")
                    page.locator("nav[aria-label='Lessons (bottom of the page)']").wait_for()
                    page.wait_for_timeout(1500)
                    page.mouse.move(width / 2, height / 2)
                    last = None
                    for n in range(MAX_SCREENS):
                        shot = OUT / f"{args.size}-{lesson}-{n:02d}.png"
                        page.screenshot(path=shot)
                        data = shot.read_bytes()
                        if data == last:
                            shot.unlink()
                            break
                        last = data
                        page.mouse.wheel(0, height - 120)
                        page.wait_for_timeout(300)
                    print(lesson, n, "screens")
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
