"""The student edition in a real browser (Voilà, Debian's Chromium), by keyboard only.

A student opens the first lesson page, types a name into the page's form, goes
through every lesson page with the links, answers two exercises and scores three
testimonies with the keyboard alone, reloads, and finds everything again.  On every
page: no code cell, no solution text, no serious or critical axe-core violation.
Screenshots of every page go to ``artifacts/student/`` (git-ignored).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from axe_support import serious_violations
from browser_support import (ARTIFACTS, INSTALL_HINT, copy_workbook, find_chromium, launch_chromium, shown_or_reload,
                             start_lesson_voila)
from test_student_edition import ALL
from workbook.faces.student_edition import LESSONS, page_name

SHOTS = ARTIFACTS / "student"
NAME = "kb-student"
PHRASES = {p for path, _, phrases in ALL if path.stem in LESSONS for p in phrases}


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p, chromium)
        yield b
        b.close()


@pytest.fixture
def voila(tmp_path):
    root = copy_workbook(tmp_path / "wb")
    server = start_lesson_voila(root, tmp_path / "home", SHOTS / "voila.log")
    try:
        server.wait_until_up(f"{server.url}/voila/static/extension.js")
        yield server
    finally:
        server.stop()


def _tab_to(page, test: str, limit: int = 400) -> None:
    """Press Tab until ``test`` (a JS expression on ``el``, the focused element) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({test}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def _loaded(page):
    """Wait until the page's last cell (the bottom navigation) is shown; a page that hangs with its
    kernel idle (voila-dashboards/voila#1446) is reloaded once, as a student would."""
    shown_or_reload(page, page.locator("nav[aria-label='Lessons (bottom of the page)']"), first=120_000)
    page.wait_for_timeout(500)


def _check_page(page, label: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".jp-CodeCell .jp-InputArea, .cm-editor, .jp-CodeMirrorEditor")).to_have_count(0)
    text = re.sub(r"\s+", " ", page.inner_text("body"))
    assert "import workbook" not in text and "page.answer(" not in text
    leaked = sorted(p for p in PHRASES if p in text)
    assert not leaked, f"{label}: solution text on the page: {leaked[:3]}"
    problems = serious_violations(page)
    assert not problems, f"{label}: axe-core: " + "\n".join(problems)


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []


@pytest.mark.parametrize("size", [(1366, 768), (1280, 800)], ids=["1366x768", "1280x800"])
def test_a_student_goes_through_the_lessons_by_keyboard(browser, voila, size):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(120_000)
    tag = f"{size[0]}x{size[1]}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"{voila.url}/voila/render/"
    # 1. the first page asks for a name; the student types it and presses Enter
    page.goto(base + page_name(LESSONS[0]), wait_until="commit")
    _loaded(page)
    _tab_to(page, "el.id === 'scw-rater'")
    page.keyboard.type(NAME)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"rater={NAME}"))
    _loaded(page)
    expect(page.get_by_text(f"Working as {NAME}")).to_have_count(1)
    # 2. every page, moved through with the "Next" link by keyboard
    for i, lesson in enumerate(LESSONS):
        _loaded(page)
        assert page.url.endswith(f"{page_name(lesson)}?rater={NAME}"), page.url
        page.screenshot(path=SHOTS / f"{tag}-{lesson}.png", full_page=False)
        _check_page(page, lesson)
        if lesson == "00-start-here":
            _tab_to(page, "el.tagName === 'TEXTAREA' && el.closest('.scw-answer') !== null")
            page.keyboard.type("Contextualisation, then sourcing.")
        if lesson == "01-sources-and-custody":
            _tab_to(page, "el.tagName === 'TEXTAREA' && el.closest('.scw-answer') !== null")
            page.keyboard.type("The NKVD recorded it first.")
        if lesson == "03-scoring":
            for _ in range(3):  # one level of the first criterion, then Next
                _tab_to(page, "el.classList.contains('widget-toggle-button') && el.closest('.scw-panel') !== null")
                page.keyboard.press("Tab")
                page.keyboard.press("Space")
                _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Next'")
                page.keyboard.press("Enter")
                page.wait_for_timeout(800)
        if i + 1 < len(LESSONS):
            page.keyboard.press("Escape")
            _tab_to(page, "el.tagName === 'A' && el.rel === 'next' && el.closest('nav') !== null")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(re.escape(page_name(LESSONS[i + 1]))))
    answers = _rows(voila.work / "answers" / f"{NAME}.csv")
    assert [(r["exercise_id"], r["answer"]) for r in answers] == [
        ("0.1", "Contextualisation, then sourcing."), ("1.1", "The NKVD recorded it first.")]
    scored = {r["testimony_id"] for r in _rows(voila.work / "scores" / f"{NAME}.csv") if r["value"]}
    assert len(scored) == 3, scored
    # 3. reload the pages: everything is there
    page.goto(base + page_name("01-sources-and-custody") + f"?rater={NAME}", wait_until="commit")
    _loaded(page)
    expect(page.locator(".scw-answer textarea").first).to_have_value("The NKVD recorded it first.")
    page.goto(base + page_name("00-start-here") + f"?rater={NAME}", wait_until="commit")
    _loaded(page)
    expect(page.locator(".scw-answer textarea").first).to_have_value("Contextualisation, then sourcing.")
    # 4. the glossary the prose links to is a page too, reached by keyboard, and the name goes with it
    _tab_to(page, "el.tagName === 'A' && el.getAttribute('href').startsWith('doc-glossary.ipynb')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(f"doc-glossary.ipynb?rater={NAME}")))
    _loaded(page)
    expect(page.get_by_text("Chain of custody").first).to_be_visible()
    page.screenshot(path=SHOTS / f"{tag}-glossary.png", full_page=False)
    _check_page(page, "glossary")
    page.close()
