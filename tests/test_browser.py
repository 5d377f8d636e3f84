"""The workbook in a real browser: the scoring notebook in JupyterLab and the Voilà app.

Both servers run on free ports of 127.0.0.1 from a temporary copy of the workbook
(so the repository's own ``scores/`` is never written), and Debian's Chromium is
driven headless by Playwright.  In each, a rater clicks a level of one criterion
and types a comment; the test then reads the rater's scores file on disk and
asserts that it holds exactly that row, reloads the page and asserts that the
controls show what was saved.  No error may reach the browser console, except the
few listed in ``BENIGN`` with their reasons.  axe-core finds no serious or critical
violation in the app (with and without a rater name, at 1366x768 and 1280x800) nor in
the scoring panel's output area in JupyterLab.  Screenshots are saved in
``artifacts/browser/`` (git-ignored).

The test installs nothing: the setup installs Playwright, and ``.ci/run`` installs
Chromium with apt when it is missing.  Without Chromium the browser tests are
skipped with a message that says how to install it, except when ``CI`` is set,
where they fail.  The servers are stopped when a test ends, passed or failed.

The first tests need no browser: they drive the app's logic (``app/scoring_app.py``)
from Python, as ``tests/test_widgets.py`` does for the panel.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import os
import re
import secrets
import time
from pathlib import Path

import nbformat
import pytest

import workbook
from axe_support import serious_violations
from browser_support import (ARTIFACTS, INSTALL_HINT, ROOT, copy_workbook, find_chromium, launch_chromium,
                             open_notebook, run_all, shown_or_reload, start_lab, start_voila, wait_for_notebook)

SHOTS = ARTIFACTS / "browser"
CASE = ROOT / "data" / "moscow-trials"
HEADER = ["rater", "testimony_id", "criterion", "value", "comment", "updated_at"]
UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
COMMENT = 'Recorded by the prosecution, "in custody" — see the conditions'
LAB_RATER = "lab-e2e"
APP_RATER = "app-e2e"

#: Console errors that are not the workbook's, each with the reason it is harmless.
#: (kind, pattern on the message text, pattern on the URL it came from or None, reason)
BENIGN = [
    ("console", r"^Failed to load resource: net::ERR_(NAME_NOT_RESOLVED|INTERNET_DISCONNECTED|CONNECTION_REFUSED)",
     r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/",
     "Voilà's lab template links Font Awesome from a CDN; without internet it fails, and the icons "
     "still show (JupyterLab's bundled copy)"),
    ("console", r"^Failed to load resource: the server responded with a status of 403 \(Forbidden\)$",
     r"/voila/api/shutdown/[0-9a-f-]+$",
     "on reload Voilà 0.5 asks to shut the page's kernel down without its XSRF token (voila issue #1458); "
     "app/voila.json culls such kernels once they are disconnected and idle"),
]


def _load_app_module():
    spec = importlib.util.spec_from_file_location("scoring_app", ROOT / "app" / "scoring_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- the app without a browser


@pytest.fixture(scope="module")
def case():
    return workbook.load_case(CASE)


@pytest.fixture(scope="module")
def app_module():
    return _load_app_module()


def test_the_app_redraws_its_charts_when_a_score_changes_and_only_then(case, app_module, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    app = app_module.scoring_app(case, "ana", tmp_path)
    assert app.draws == {"claim": 1, "case": 1}
    assert "weighted" not in app.counts.columns  # nothing scored yet: raw and independent counts only
    first = app.panel.current_id
    criterion = next(iter(app.panel.controls))
    control = app.panel.controls[criterion]

    control.value = control.options[-1][1]  # the best level
    assert app.draws == {"claim": 2, "case": 2}
    assert {"weighted", "independent_weighted"} <= set(app.counts.columns)
    weighted = app.counts.loc[app.counts["claim_id"].isin(app.claims_on_show()), "weighted"].sum()
    assert weighted == pytest.approx(1.0)  # one testimony, credibility 1 on the one criterion known

    app.panel.comments[criterion].value = "a comment changes no count"
    app.panel.next_button.click()  # another testimony: the claim chart follows only if its claims differ
    assert app.draws["case"] == 2
    app.panel.previous_button.click()
    assert app.panel.current_id == first
    control.value = "unknown"  # credibility unknown: weighs nothing
    assert app.draws["case"] == 3 and app.counts["weighted"].sum() == 0
    app.panel.undo_button.click()
    assert app.panel.controls[criterion].value == control.options[-1][1]
    assert app.draws["case"] == 4 and app.counts["weighted"].sum() == pytest.approx(1.0)


def test_the_app_reads_back_only_its_own_raters_scores(case, app_module, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    other = workbook.scoring_panel(case, "ben", tmp_path)
    other.controls[next(iter(other.controls))].value = 4
    app = app_module.scoring_app(case, "ana", tmp_path)
    assert app.scores().empty and "weighted" not in app.counts.columns


def test_the_rater_can_come_from_the_address(app_module):
    assert app_module.rater_from_query("rater=ana&x=1", "student") == "ana"
    assert app_module.rater_from_query("", "student") == "student"
    assert app_module.rater_from_query("rater=", "student") == "student"


def test_without_a_name_the_app_asks_for_one_and_never_writes_under_a_shared_default(case, app_module, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    page = app_module.scoring_page(case, "", tmp_path, query="")
    assert isinstance(page, app_module.NamePrompt) and page.app is None
    page.name.value = "Not a name!"
    assert page.app is None and "is not a usable rater name" in page.message.value
    page.name.value = "ana"
    assert page.app is not None and page.app.rater == "ana"
    assert page.app.scores_dir == tmp_path / "moscow-trials"
    assert list(tmp_path.rglob("*.csv")) == []  # opening writes nothing
    assert app_module.scoring_page(case, "", tmp_path, query="rater=ben").rater == "ben"


def test_in_a_class_the_session_decides_and_the_address_does_not(case, app_module, tmp_path):
    import matplotlib

    from workbook.faces.session import current_session

    matplotlib.use("Agg")
    session = current_session({"WORKBOOK_MODE": "class", "WORKBOOK_RATER": "ana", "WORKBOOK_CASE": str(CASE),
                               "WORKBOOK_SCORES_DIR": str(tmp_path / "class" / "scores")})
    app = app_module.scoring_page(case, "ben", tmp_path, session=session, query="rater=carl")
    assert (app.rater, app.scores_dir) == ("ana", tmp_path / "class" / "scores")


def test_the_app_notebook_has_the_series_parameters_and_no_stored_outputs():
    nb = nbformat.read(ROOT / "app" / "scoring-app.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in ("CASE", "RATER", "SCORES_DIR"):
        assert re.search(rf"^{name} = ", code[0].source, re.M)
    assert all(not c.get("outputs") for c in code), "store the app without outputs: Voilà runs it"


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{INSTALL_HINT}. CI is set, so the browser test may not be skipped "
                        "(.ci/run installs chromium with apt when it runs as root).")
        pytest.skip(INSTALL_HINT)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        message = "Playwright is not installed: make env (or pip install -c constraints.txt -e '.[dev]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=30_000)  # a widget may take a while to render on a slow machine
    with sync_playwright() as playwright:
        chrome = launch_chromium(playwright, chromium)
        try:
            yield chrome
        finally:
            chrome.close()


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A copy of the workbook; its scoring notebook scores as LAB_RATER."""
    root = copy_workbook(tmp_path_factory.mktemp("workbook"))
    path = root / "notebooks" / "03-scoring.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source, n = re.subn(r'^RATER = "[^"]*"', f'RATER = "{LAB_RATER}"', cell.source, flags=re.M)
    assert n == 1, "the parameters cell of 03-scoring.ipynb has no RATER line"
    nbformat.write(nb, path)
    return root


@pytest.fixture
def lab(root, tmp_path):
    server = start_lab(root, tmp_path / "lab-home", SHOTS / "jupyterlab.log", secrets.token_hex(16))
    try:
        server.wait_until_up(f"{server.url}/api/status?token={server.token}")
        yield server
    finally:
        server.stop()


@pytest.fixture
def voila(root, tmp_path):
    server = start_voila(root / "app" / "scoring-app.ipynb", tmp_path / "voila-home", SHOTS / "voila.log")
    try:
        server.wait_until_up(f"{server.url}/voila/static/extension.js")
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser, request):
    """A laptop-sized page; its console is printed at the end, and a failure leaves a screenshot."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(60_000)
    page.console = Console(page)
    failed = request.session.testsfailed
    try:
        yield page
    finally:
        page.console.dump(request.node.name)
        if request.session.testsfailed != failed:  # the test itself failed (counted before teardown)
            with contextlib.suppress(Exception):
                page.screenshot(path=SHOTS / f"{request.node.name}-failed.png")
        page.close()


class Console:
    """Every console message and page error of a page; :meth:`check` fails on any error not in BENIGN."""

    def __init__(self, page):
        self.seen: list[tuple[str, str, str, str]] = []  # (kind, type, text, url)
        page.on("console", lambda m: self.seen.append(("console", m.type, m.text, m.location.get("url", ""))))
        page.on("pageerror", lambda e: self.seen.append(("pageerror", "error", str(e), "")))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.seen.append(("dialog", dialog.type, dialog.message, ""))
        dialog.accept()  # "leave the page?" on reload

    @staticmethod
    def benign(kind: str, text: str, url: str) -> str | None:
        for k, text_pattern, url_pattern, reason in BENIGN:
            if k == kind and re.search(text_pattern, text) and (url_pattern is None or re.search(url_pattern, url)):
                return reason
        return None

    def dump(self, name: str) -> None:
        """Print every message seen (pytest shows it with -s, or -rA, or when the test fails)."""
        print(f"\n--- browser console, {name}: {len(self.seen)} messages")
        for kind, type_, text, url in self.seen:
            reason = self.benign(kind, text, url) if type_ == "error" else None
            text = " ⏎ ".join(text.splitlines())
            print(f"[{kind}:{type_}] {text[:300]}{' @ ' + url if url else ''}"
                  f"{'  (benign: ' + reason + ')' if reason else ''}")

    def check(self, name: str) -> None:
        """Fail on any error that BENIGN does not explain."""
        errors = [f"[{kind}] {text[:500]}{' @ ' + url if url else ''}" for kind, type_, text, url in self.seen
                  if type_ == "error" and self.benign(kind, text, url) is None]
        assert not errors, f"errors in the browser console ({name}):\n" + "\n".join(errors)


def _expected(case_path: Path, tmp: Path) -> dict:
    """The testimony the panel opens on, a criterion, one of its levels and the labels shown for them."""
    probe = workbook.scoring_panel(workbook.load_case(case_path), "probe", tmp / "probe")
    criterion = list(probe.controls)[1]
    label, value = probe.controls[criterion].options[-2]  # the second-best level
    rubric = workbook.load_rubric(probe.case)
    heading = rubric.loc[rubric["criterion"] == criterion, "label"].iloc[0]
    return {"testimony_id": probe.current_id, "criterion": criterion, "level": label, "value": str(value),
            "heading": heading}


def _criterion_box(page, heading: str):
    """The box of one criterion: its heading, its row of levels and its comment."""
    return page.locator(
        "xpath=//div[contains(@class,'widget-vbox')]"
        f"[./div[contains(@class,'widget-html')]//b[normalize-space()={_xpath_text(heading)}]]"
        "[./div[contains(@class,'widget-toggle-buttons')]]")


def _xpath_text(text: str) -> str:
    return f'"{text}"' if '"' not in text else "concat(" + ", '\"', ".join(f'"{p}"' for p in text.split('"')) + ")"


def _level_button(box, label: str):
    return box.locator("button.widget-toggle-button").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def _rows(path: Path) -> list[list[str]] | None:
    if not path.exists():
        return None
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _wait_for_rows(path: Path, rater: str, want: dict, comment: str, timeout: float = 20.0) -> list[list[str]]:
    """Poll the scores file until it holds exactly the header and the one expected row."""
    expected = [rater, want["testimony_id"], want["criterion"], want["value"], comment]
    deadline = time.monotonic() + timeout
    while True:
        rows = _rows(path)
        if rows and rows[0] == HEADER and len(rows) == 2 and rows[1][:5] == expected:
            assert UTC.fullmatch(rows[1][5]), f"updated_at is not ISO 8601 UTC: {rows[1][5]!r}"
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} should hold exactly\n  {HEADER}\n  {expected + ['<updated_at>']}\n"
                                 f"but holds {rows}")
        time.sleep(0.2)


def _score(page, box, want: dict, path: Path, rater: str) -> None:
    """Click the level, check the file; type the comment, leave the box, check the file."""
    from playwright.sync_api import expect

    button = _level_button(box, want["level"])
    expect(button).to_have_count(1)
    button.scroll_into_view_if_needed()
    button.click()
    expect(button).to_have_class(re.compile(r"\bmod-active\b"))
    _wait_for_rows(path, rater, want, "")
    comment = box.locator("textarea")
    comment.fill(COMMENT)
    comment.press("Tab")  # the comment is saved when the focus leaves the box (continuous_update=False)
    _wait_for_rows(path, rater, want, COMMENT)


def _shows_saved(box, want: dict) -> None:
    from playwright.sync_api import expect

    active = box.locator("button.widget-toggle-button.mod-active")
    expect(active).to_have_count(1)
    expect(active).to_have_text(re.compile(rf"^\s*{re.escape(want['level'])}\s*$"))
    expect(box.locator("textarea")).to_have_value(COMMENT)


def _shot(page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png")


#: The scoring panel's output area in JupyterLab: axe-core checks only this part of the page.
#: JupyterLab's own chrome is not the workbook's and has violations we cannot change (its toolbar
#: ``jp-button``s carry ``aria-pressed``, CodeMirror's editors have no accessible name, its windowed
#: notebook list has children its role does not allow, the heading-collapse buttons have no name).
LAB_PANEL = ".jp-OutputArea-output:has(.scw-panel)"


def _axe(page, label: str, context: str | None = None) -> None:
    problems = serious_violations(page, context)
    assert not problems, f"{label}: axe-core: " + "\n".join(problems)


def test_scoring_in_jupyterlab(page, lab, root, tmp_path):
    from playwright.sync_api import expect

    want = _expected(root / "data" / "moscow-trials", tmp_path)
    scores = root / "scores" / "moscow-trials" / f"{LAB_RATER}.csv"  # scores are kept apart by case
    times = {}
    start = time.monotonic()
    open_notebook(page, lab, "notebooks/03-scoring.ipynb")
    times["open"] = time.monotonic() - start

    start = time.monotonic()
    assert run_all(page) == []
    times["run all"] = time.monotonic() - start
    box = _criterion_box(page, want["heading"])
    expect(box).to_have_count(1)
    box.scroll_into_view_if_needed()
    _shot(page, "lab-1-run")
    assert not scores.exists(), "opening the panel must write nothing"
    expect(page.locator(LAB_PANEL)).to_have_count(1)
    _axe(page, "JupyterLab panel 1366x768", LAB_PANEL)
    page.set_viewport_size({"width": 1280, "height": 800})
    box.scroll_into_view_if_needed()
    _shot(page, "lab-1-run-1280x800")
    _axe(page, "JupyterLab panel 1280x800", LAB_PANEL)
    page.set_viewport_size({"width": 1366, "height": 768})

    start = time.monotonic()
    _score(page, box, want, scores, LAB_RATER)
    times["score"] = time.monotonic() - start
    saved = scores.read_bytes()
    box.scroll_into_view_if_needed()
    _shot(page, "lab-2-scored")

    start = time.monotonic()
    page.reload()
    wait_for_notebook(page, "notebooks/03-scoring.ipynb")
    assert run_all(page) == []
    box = _criterion_box(page, want["heading"])
    expect(box).to_have_count(1)
    box.scroll_into_view_if_needed()
    _shows_saved(box, want)
    times["reload"] = time.monotonic() - start
    _shot(page, "lab-3-reloaded")
    assert scores.read_bytes() == saved, "reopening the panel must write nothing"
    print("JupyterLab timings (s):", {k: round(v, 1) for k, v in times.items()})
    page.console.check("JupyterLab")


def test_scoring_in_the_voila_app(page, voila, root, tmp_path):
    from playwright.sync_api import expect

    want = _expected(root / "data" / "moscow-trials", tmp_path)
    scores = root / "scores" / "moscow-trials" / f"{APP_RATER}.csv"  # scores are kept apart by case
    times = {}
    side_chart = page.locator(
        "xpath=//div[contains(@class,'widget-vbox')][./div[contains(@class,'widget-html')]//h2[normalize-space()="
        "'Corroboration of the claims on this card']]//img")

    start = time.monotonic()
    # Voilà streams the page while the notebook runs: wait for the panel, not for the "load" event
    page.goto(f"{voila.url}/?rater={APP_RATER}", wait_until="commit")
    box = _criterion_box(page, want["heading"])
    reloads = shown_or_reload(page, box, then=120_000)
    expect(side_chart).to_have_count(1)
    expect(page.get_by_text(f"Scoring as {APP_RATER}")).to_have_count(1)
    expect(page.get_by_text("import workbook")).to_have_count(0)  # no code on the page
    expect(page.locator(".jp-CodeCell .jp-InputArea, .cm-editor")).to_have_count(0)
    times["open"] = time.monotonic() - start
    _shot(page, "app-1-open")
    expect(side_chart).to_have_attribute("alt", re.compile(r"^Chart: Corroboration"))  # and its numbers in words:
    expect(page.get_by_text("The chart's numbers, as text")).to_have_count(2)
    _axe(page, "app 1366x768")
    before = side_chart.get_attribute("src")

    start = time.monotonic()
    _score(page, box, want, scores, APP_RATER)
    expect(side_chart).not_to_have_attribute("src", before)  # the chart follows the score
    expect(page.get_by_text(f"({APP_RATER}: 1 testimony scored)")).to_have_count(1)
    times["score"] = time.monotonic() - start
    saved = scores.read_bytes()
    box.scroll_into_view_if_needed()
    _shot(page, "app-2-scored")

    start = time.monotonic()
    page.reload(wait_until="commit")
    box = _criterion_box(page, want["heading"])
    reloads += shown_or_reload(page, box, then=120_000)
    _shows_saved(box, want)
    expect(page.get_by_text(f"({APP_RATER}: 1 testimony scored)")).to_have_count(1)
    times["reload"] = time.monotonic() - start
    box.scroll_into_view_if_needed()
    _shot(page, "app-3-reloaded")
    assert scores.read_bytes() == saved, "reopening the app must write nothing"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    _shot(page, "app-4-1280x800")
    _axe(page, "app 1280x800 (weighted charts)")
    print("Voilà timings (s):", {k: round(v, 1) for k, v in times.items()}, f"({reloads} hung page(s) reloaded)")
    page.console.check("Voilà")


def test_the_apps_name_prompt_passes_axe_and_works_by_keyboard(page, voila, root):
    """Without a name the app asks for one: no serious axe-core violation, and Tab, a name, Enter opens the app."""
    from playwright.sync_api import expect

    page.goto(f"{voila.url}/", wait_until="commit")
    name = page.get_by_label("Your name")
    shown_or_reload(page, name, then=120_000)
    _shot(page, "app-0-name")
    _axe(page, "app, name prompt")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('placeholder') === 'e.g. ana'"):
            break
    expect(name).to_be_focused()
    page.keyboard.type("kb-rater")
    page.keyboard.press("Enter")
    shown_or_reload(page, page.get_by_text("Scoring as kb-rater"), then=120_000)
    assert not (root / "scores" / "moscow-trials" / "kb-rater.csv").exists(), "opening the app writes nothing"
    page.console.check("Voilà name prompt")
