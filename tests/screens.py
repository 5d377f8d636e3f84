"""Screenshots of what a person sees: every notebook run in JupyterLab, and the Voilà app.

    .venv/bin/python tests/screens.py                    # all notebooks and the app, 1366x768
    .venv/bin/python tests/screens.py 03 04 --no-app     # some notebooks only
    .venv/bin/python tests/screens.py --size 1280x720

Not a test (pytest does not collect it): a tool for looking.  It serves a
temporary copy of the workbook (nothing in the repository is written), opens each
notebook of ``notebooks/`` in JupyterLab in headless Chromium at a laptop's size,
runs all its cells, and saves one screenshot per screenful while scrolling from
top to bottom; then the same for the app in Voilà.  Beside the screenshots, in
``artifacts/screens/``:

- ``charts/``: every chart image of every notebook, as shown and in grayscale;
- ``report.md``: per notebook, how long it ran, the errors its cells raised, the
  console errors, and every output that is wider than its cell (a table or a
  widget that needs a horizontal scroll bar, or is cut off).

Look at the pictures; the report only points at candidates.
"""

from __future__ import annotations

import argparse
import base64
import io
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_support import (ARTIFACTS, INSTALL_HINT, ROOT, copy_workbook, find_chromium,  # noqa: E402
                             launch_chromium, open_notebook, run_all, start_lab, start_voila)

OUT = ARTIFACTS / "screens"
MAX_SCREENS = 60  # per notebook: a bound, not a target

#: Outputs wider than their box: (cell number, what, how wide, box width, a short text).
OVERFLOW = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  const cells = panel.content.widgets;
  cells.forEach((cell, i) => {
    cell.node.querySelectorAll('.jp-OutputArea-output, .widget-box, .widget-html-content, table, img, pre')
      .forEach(el => {
        const over = el.scrollWidth - el.clientWidth;
        const box = el.closest('.jp-OutputArea-child') || cell.node;
        const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
        const sticksOut = r.right - b.right;
        if (over > 2 || sticksOut > 2) {
          if (el.closest('.jp-OutputArea-output') !== el && el.closest('.jp-OutputArea-output')
              && el.closest('.jp-OutputArea-output').scrollWidth > el.closest('.jp-OutputArea-output').clientWidth + 2
              && el.tagName !== 'TABLE') return;  // reported once, as its output
          found.push({cell: i + 1, what: el.tagName.toLowerCase() + '.' + [...el.classList].slice(0, 3).join('.'),
                      scroll: el.scrollWidth, width: el.clientWidth, sticksOut: Math.round(sticksOut),
                      text: (el.innerText || '').trim().slice(0, 60).replace(/\\s+/g, ' ')});
        }
      });
    // text cut short inside a widget: a button, a description or a label too narrow for its words
    cell.node.querySelectorAll('.jupyter-widgets button, .jupyter-widgets .widget-label, .jupyter-widgets select')
      .forEach(el => {
        const text = (el.innerText || el.title || '').trim();
        if (el.scrollWidth > el.clientWidth + 1 && text) {
          found.push({cell: i + 1, what: 'cut text: ' + el.tagName.toLowerCase() + '.' + [...el.classList].slice(0, 2).join('.'),
                      scroll: el.scrollWidth, width: el.clientWidth, sticksOut: 0, text: text.slice(0, 60)});
        }
      });
  });
  return found;
}"""

SCROLLER = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"

CHART_IMAGES = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const out = [];
  panel.content.widgets.forEach((cell, i) => {
    cell.node.querySelectorAll('.jp-OutputArea-output img').forEach((img, j) => {
      if (img.src.startsWith('data:image/png')) out.push({cell: i + 1, n: j + 1, src: img.src,
        shown: Math.round(img.getBoundingClientRect().width), natural: img.naturalWidth});
    });
  });
  return out;
}"""


#: Shut the notebook's kernel down and close it without the "save?" and "shut down?" dialogs.
CLOSE = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await Promise.race([panel.sessionContext.shutdown(), new Promise(r => setTimeout(r, 10000))]);
  panel.context.model.dirty = false;
  panel.dispose();
}"""


def _save_chart(src: str, stem: Path) -> None:
    from PIL import Image

    data = base64.b64decode(src.split(",", 1)[1])
    stem.with_suffix(".png").write_bytes(data)
    Image.open(io.BytesIO(data)).convert("L").save(stem.with_name(stem.name + "-gray.png"))


def _scroll_shots(page, scroller: str | None, prefix: str, out: Path) -> int:
    """One screenshot per screenful, from top to bottom; the number taken."""
    if scroller:
        page.eval_on_selector(scroller, "e => e.scrollTo(0, 0)")
    else:
        page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    n = 0
    last = -1
    while n < MAX_SCREENS:
        n += 1
        page.screenshot(path=out / f"{prefix}-{n:02d}.png")
        if scroller:
            pos = page.eval_on_selector(scroller, """e => {
              const cells = e.querySelectorAll('.jp-Cell');
              const last = cells[cells.length - 1];
              if (last && last.getBoundingClientRect().bottom <= e.getBoundingClientRect().bottom) return -1;
              e.scrollBy(0, e.clientHeight * 0.9); return e.scrollTop; }""")
            if pos == -1:  # the last cell is on screen: the rest is the empty space after it
                break
        else:
            pos = page.evaluate("() => { const e = document.scrollingElement; "
                                "e.scrollBy(0, innerHeight * 0.9); return e.scrollTop; }")
        page.wait_for_timeout(250)
        if pos == last:
            break
        last = pos
    return n


def notebook_screens(browser, lab, names: list[str], size: tuple[int, int], out: Path, report: list[str]) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(120_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text[:300]} @ {m.location.get('url', '')}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)[:300]))
    page.on("dialog", lambda d: d.accept())
    for name in names:
        errors.clear()
        stem = Path(name).stem
        print(f"{name}: ", end="", flush=True)
        start = time.monotonic()
        open_notebook(page, lab, f"notebooks/{name}")
        try:
            cell_errors = run_all(page, timeout=600)
        except Exception as exc:  # keep going: the report says what happened
            cell_errors = [f"run-all failed: {exc}"]
        took = time.monotonic() - start
        page.wait_for_timeout(1500)  # widgets and images settle
        overflow = page.evaluate(OVERFLOW)
        charts = page.evaluate(CHART_IMAGES)
        (out / "charts").mkdir(exist_ok=True)
        for chart in charts:
            _save_chart(chart["src"], out / "charts" / f"{stem}-cell{chart['cell']:02d}-{chart['n']}")
        shots = _scroll_shots(page, SCROLLER, stem, out)
        print(f"{took:.0f} s, {shots} screens, {len(charts)} charts, {len(overflow)} overflowing outputs")
        report.append(f"## {name}\n\nran in {took:.0f} s; {shots} screenshots ({stem}-NN.png); "
                      f"{len(charts)} charts\n")
        report += [f"- cell error: {e}" for e in cell_errors]
        report += [f"- console error: {e}" for e in errors]
        for c in charts:
            if c["natural"] > c["shown"] + 2:
                report.append(f"- chart in cell {c['cell']} shown at {c['shown']} px of {c['natural']} "
                              f"(scaled to {c['shown'] / c['natural']:.0%})")
        for o in overflow:
            report.append(f"- overflow in cell {o['cell']}: {o['what']} is {o['scroll']} px wide in "
                          f"{o['width']} px (sticks out {o['sticksOut']} px): {o['text']!r}")
        report.append("")
        # close it, so that the next notebook is the one on show and kernels do not pile up
        page.evaluate(CLOSE)
    page.close()


def app_screens(browser, voila, size: tuple[int, int], out: Path, report: list[str]) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text[:300]} @ {m.location.get('url', '')}")
            if m.type == "error" else None)
    start = time.monotonic()
    page.goto(f"{voila.url}/?rater=screens")
    page.wait_for_selector(".widget-toggle-button", timeout=120_000)
    page.wait_for_selector(".scw-side img", timeout=60_000)
    page.wait_for_timeout(1000)
    took = time.monotonic() - start
    shots = _scroll_shots(page, ".lm-BoxPanel-child", "app", out)
    print(f"app: {took:.0f} s, {shots} screens")
    report.append(f"## the Voilà app\n\nopened in {took:.0f} s; {shots} screenshots (app-NN.png)\n")
    report += [f"- console error: {e}" for e in errors]
    report.append("")
    page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="numbers or names of notebooks (default: all)")
    parser.add_argument("--size", default="1366x768", help="the browser's viewport, WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-app", action="store_true", help="skip the Voilà app")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers in `finally` when killed
    chromium = find_chromium()
    if chromium is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    size = tuple(int(x) for x in args.size.lower().split("x"))
    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if args.notebooks:
        names = [n for n in names if any(n.startswith(w) or n == w for w in args.notebooks)]
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    report = [f"# Screens at {size[0]}x{size[1]}\n"]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="workbook-screens-") as tmp:
        root = copy_workbook(Path(tmp) / "root")
        lab = start_lab(root, Path(tmp) / "lab-home", args.out / "jupyterlab.log", secrets.token_hex(16))
        voila = None if args.no_app else start_voila(root / "app" / "scoring-app.ipynb", Path(tmp) / "voila-home",
                                                     args.out / "voila.log")
        try:
            lab.wait_until_up(f"{lab.url}/api/status?token={lab.token}")
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright, chromium)
                try:
                    notebook_screens(browser, lab, names, size, args.out, report)
                    if voila is not None:
                        voila.wait_until_up(f"{voila.url}/voila/static/extension.js")
                        app_screens(browser, voila, size, args.out, report)
                finally:
                    browser.close()
        finally:
            lab.stop()
            if voila is not None:
                voila.stop()
    (args.out / "report.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"screenshots and report.md in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
