"""Nothing cut off, nothing wider than its cell, at 1366x768 and 1280x800 (issue 12, "Overflow").

In a real browser (Debian's Chromium driven by Playwright), from a temporary copy of
the workbook, with one JupyterLab and one Voilà server for the whole module:

- notebook 02 in JupyterLab and its lesson page in Voilà: the filter's labels are whole
  ("condition", not "condit"), no element of any output is wider than its cell except
  inside a table's own scroll box, and the big tables scroll in a box that fits on one
  screen, their header row staying on top;
- notebook 07 in JupyterLab: the competing-hypotheses panel's labels and its summary wrap
  instead of being cut mid-word, before and after a rating;
- the Voilà scoring app: the "Go to" menu stays inside the panel and every entry can be
  read whole.

Each page is checked at 1366x768, then the window is resized to 1280x800 and checked
again.  Screenshots go to ``artifacts/layout/`` (git-ignored).
"""

from __future__ import annotations

import secrets

import pytest

from browser_support import (ARTIFACTS, INSTALL_HINT, copy_workbook, find_chromium, launch_chromium,
                             open_notebook, run_all, start_lab, start_lesson_voila)

SHOTS = ARTIFACTS / "layout"
SIZES = ((1366, 768), (1280, 800))
RATER = "layout"

#: Elements of ``scope`` that are cut: text wider than the box that shows it (labels, buttons,
#: headings of the widgets), or a menu whose chosen entry is wider than the menu.
CLIPPED = """(scope) => {
  const root = scope || document;
  const canvas = document.createElement('canvas').getContext('2d');
  const visible = el => el.offsetParent !== null && el.getBoundingClientRect().width > 0;
  const out = [];
  root.querySelectorAll('.widget-label, label, .widget-button, button, .widget-html-content').forEach(el => {
    if (visible(el) && el.scrollWidth > el.clientWidth + 1 && !el.closest('.scw-scroll'))
      out.push(`${el.tagName}.${el.className}: "${el.textContent.trim().slice(0, 60)}" `
               + `${el.scrollWidth} > ${el.clientWidth}`);
  });
  root.querySelectorAll('select').forEach(el => {
    if (!visible(el) || el.selectedIndex < 0) return;
    const style = getComputedStyle(el);
    canvas.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const text = el.options[el.selectedIndex].textContent;
    const width = canvas.measureText(text).width;
    if (width > room + 1) out.push(`SELECT: "${text.slice(0, 60)}" ${Math.round(width)} > ${Math.round(room)}`);
  });
  return out;
}"""

#: Elements that reach past the right edge of the output (or page column) they are in, except
#: inside a table's scroll box (class scw-scroll), which is meant to scroll.
WIDER_THAN_CELL = """(selector) => {
  const out = [];
  document.querySelectorAll(selector).forEach(area => {
    const edge = area.getBoundingClientRect().right;
    area.querySelectorAll('*').forEach(el => {
      if (el.closest('.scw-scroll') && !el.classList.contains('scw-scroll')) return;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > edge + 1)
        out.push(`${el.tagName}.${(el.className || '').toString().slice(0, 40)} right ${Math.round(r.right)} `
                 + `> ${Math.round(edge)}: "${(el.textContent || '').trim().slice(0, 40)}"`);
    });
  });
  return [...new Set(out)].slice(0, 20);
}"""

#: A scroll box: its size, where it is on screen, and whether its header stays on top when it scrolls.
BOX = """(box) => {
  const r = box.getBoundingClientRect();
  const head = box.querySelector('thead');
  const before = head.getBoundingClientRect().top - r.top;
  box.scrollTop = 200;
  const after = head.getBoundingClientRect().top - r.top;
  const scrolled = box.scrollTop;
  box.scrollTop = 0;
  return {top: r.top, bottom: r.bottom, height: r.height, width: r.width, scrollWidth: box.scrollWidth,
          clientWidth: box.clientWidth, scrollHeight: box.scrollHeight, clientHeight: box.clientHeight,
          headBefore: before, headAfter: after, scrolled: scrolled, viewport: window.innerHeight,
          tabindex: box.getAttribute('tabindex'), label: box.getAttribute('aria-label')};
}"""


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = launch_chromium(p, chromium)
        yield b
        b.close()


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return copy_workbook(tmp_path_factory.mktemp("workbook"))


@pytest.fixture(scope="module")
def lab(root, tmp_path_factory):
    server = start_lab(root, tmp_path_factory.mktemp("lab-home"), SHOTS / "jupyterlab.log", secrets.token_hex(16))
    try:
        server.wait_until_up(f"{server.url}/api/status?token={server.token}")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def voila(root, tmp_path_factory):
    """Voilà serving ``app/`` (the lesson pages and the scoring app), writing into a temporary folder."""
    server = start_lesson_voila(root, tmp_path_factory.mktemp("voila-home"), SHOTS / "voila.log")
    try:
        server.wait_until_up(f"{server.url}/voila/static/extension.js")
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    page.set_default_timeout(180_000)
    yield page
    page.close()


def _open_voila(page, url: str, locator: str) -> None:
    """Open a Voilà page and wait for ``locator``; reload once if the page hangs although its kernel
    has run every cell (voila-dashboards/voila#1446), as a student would (tests/test_class_server.py)."""
    from playwright.sync_api import expect

    page.goto(url, wait_until="commit")
    try:
        expect(page.locator(locator).first).to_be_visible(timeout=120_000)
    except AssertionError:
        page.reload(wait_until="commit")
        expect(page.locator(locator).first).to_be_visible(timeout=180_000)
    page.wait_for_timeout(1000)


def _sizes(page):
    """Each size in turn, the page resized to it (the first is the page's own)."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(800)  # JupyterLab and the widgets lay out again
        yield f"{width}x{height}"


def _shot(page, name: str, locator=None) -> None:
    if locator is not None:
        locator.scroll_into_view_if_needed()
        page.wait_for_timeout(200)
    page.screenshot(path=SHOTS / f"{name}.png")


def _check_box(page, box, where: str) -> dict:
    """The table's scroll box: on one screen with its scroll bars, named, by keyboard, header on top."""
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    b = box.evaluate(BOX)
    assert b["tabindex"] == "0" and b["label"], f"{where}: the scroll box takes no keyboard focus or has no name"
    assert b["height"] <= 0.7 * b["viewport"], f"{where}: the box is {b['height']:.0f} px tall on a " \
                                               f"{b['viewport']} px screen: {b}"
    assert b["top"] >= 0 and b["bottom"] <= b["viewport"], f"{where}: the box (and its scroll bars) is not on " \
                                                           f"one screen: {b}"
    assert b["scrollHeight"] > b["clientHeight"] and b["scrolled"] > 0, f"{where}: the box does not scroll: {b}"
    assert abs(b["headBefore"]) <= 1 and abs(b["headAfter"]) <= 1, f"{where}: the header row does not stay on " \
                                                                    f"top when the box scrolls: {b}"
    return b


# --------------------------------------------------------------------------- notebook 02


def test_notebook_02_in_jupyterlab_fits_its_cells(page, lab):
    open_notebook(page, lab, "notebooks/02-testimonies.ipynb")
    assert run_all(page) == []
    menus = page.locator(".jp-OutputArea-output .widget-hbox").filter(has=page.locator("select")).first
    big = page.locator(".jp-OutputArea-output .scw-scroll[aria-label^='The testimonies of the case']")
    chosen = page.locator(".jp-OutputArea-output .scw-scroll[aria-label^='The testimonies chosen']")
    page.wait_for_timeout(1000)
    for size in _sizes(page):
        menus.scroll_into_view_if_needed()
        labels = [t.strip() for t in menus.locator(".widget-label").all_text_contents()]
        assert labels == ["setting", "basis", "condition", "speaker"]
        assert menus.evaluate(CLIPPED) == [], size
        _shot(page, f"lab-02-{size}-filter", menus)
        assert page.evaluate(WIDER_THAN_CELL, ".jp-OutputArea-output") == [], size
        b = _check_box(page, big, f"notebook 02, the testimonies ({size})")
        _shot(page, f"lab-02-{size}-table")
        print(size, "the testimonies:", {k: round(v) if isinstance(v, float) else v for k, v in b.items()})
        b = _check_box(page, chosen, f"notebook 02, the filter's table ({size})")


def test_lesson_02_in_voila_fits_the_page(page, voila):
    _open_voila(page, f"{voila.url}/voila/render/lesson-02-testimonies.ipynb?rater={RATER}",
                "nav[aria-label='Lessons (bottom of the page)']")
    menus = page.locator(".widget-hbox").filter(has=page.locator("select")).first
    big = page.locator(".scw-scroll[aria-label^='The testimonies of the case']")
    chosen = page.locator(".scw-scroll[aria-label^='The testimonies chosen']")
    for size in _sizes(page):
        menus.scroll_into_view_if_needed()
        assert [t.strip() for t in menus.locator(".widget-label").all_text_contents()] == [
            "setting", "basis", "condition", "speaker"]
        assert menus.evaluate(CLIPPED) == [], size
        _shot(page, f"voila-lesson-02-{size}-filter", menus)
        assert page.evaluate(WIDER_THAN_CELL, ".jp-OutputArea-output, .jp-Cell") == [], size
        _check_box(page, big, f"lesson 02, the testimonies ({size})")
        _shot(page, f"voila-lesson-02-{size}-table")
        _check_box(page, chosen, f"lesson 02, the filter's table ({size})")
        # every table of the page is in a box (the page's own formatter), none wider than the page
        assert page.locator("table.dataframe:not(.scw-scroll table.dataframe)").count() == 0


# --------------------------------------------------------------------------- notebook 07


def test_notebook_07_panel_labels_and_summary_wrap(page, lab):
    open_notebook(page, lab, "notebooks/07-competing-hypotheses.ipynb")
    assert run_all(page) == []
    panel = page.locator(".jp-OutputArea-output .scw-ach").first
    panel.wait_for()
    summary = panel.locator(".widget-label").filter(has_text="No ranking yet")
    for size in _sizes(page):
        assert panel.evaluate(CLIPPED) == [], size
        assert page.evaluate(WIDER_THAN_CELL, ".jp-OutputArea-output") == [], size
        assert summary.evaluate("e => e.scrollWidth <= e.clientWidth"), size
        _shot(page, f"lab-07-{size}-panel", panel.locator(".widget-gridbox"))
    # a rating: the summary names the hypotheses and their counts, still whole
    first = panel.locator(".widget-gridbox select").first
    first.select_option("II")
    summary = panel.locator(".widget-label").filter(has_text="Least inconsistent")
    summary.wait_for()
    for size in _sizes(page):
        assert summary.evaluate("e => e.scrollWidth <= e.clientWidth"), size
        assert panel.evaluate(CLIPPED) == [], size
        summary.scroll_into_view_if_needed()
        _shot(page, f"lab-07-{size}-rated")


# --------------------------------------------------------------------------- the scoring app


def test_the_apps_go_to_menu_fits_the_panel(page, voila):
    _open_voila(page, f"{voila.url}/voila/render/scoring-app.ipynb?rater={RATER}", ".scw-panel select")
    panel = page.locator(".scw-panel").first
    jump = panel.locator(".widget-dropdown").filter(has_text="Go to")
    select = jump.locator("select")
    for size in _sizes(page):
        assert panel.evaluate(CLIPPED) == [], size
        edges = select.evaluate("""s => {
          const panel = s.closest('.scw-panel').getBoundingClientRect();
          const canvas = document.createElement('canvas').getContext('2d');
          const style = getComputedStyle(s);
          canvas.font = style.font;
          const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          const widest = Math.max(...[...s.options].map(o => canvas.measureText(o.textContent).width));
          return {right: s.getBoundingClientRect().right, panel: panel.right, room: room, widest: widest,
                  options: s.options.length};
        }""")
        assert edges["options"] > 100
        assert edges["right"] <= edges["panel"] + 1, f"the Go to menu reaches past the panel ({size}): {edges}"
        assert edges["widest"] <= edges["room"] + 1, f"an entry of Go to is cut ({size}): {edges}"
        print(size, "Go to:", {k: round(v) for k, v in edges.items()})
        _shot(page, f"voila-app-{size}-go-to", jump)
