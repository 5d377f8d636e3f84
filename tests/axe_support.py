"""axe-core in the page: the accessibility check of the browser tests (no network: the script is bundled).

``axe-playwright-python`` (pinned in constraints.txt) ships axe-core's ``axe.min.js``;
:func:`serious_violations` injects it into a Playwright page, runs it, and returns
one line per serious or critical violation (rule, impact, first failing element).
"""

from __future__ import annotations

SERIOUS = ("serious", "critical")


def axe_results(page, context: str | None = None) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, context=context).response


def serious_violations(page, context: str | None = None, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """``rule (impact): help — target`` for every serious or critical violation on the page.

    With ``context`` (a CSS selector), only that part of the page is checked; it must hold
    something axe-core checks (a selector that matched nothing would pass silently).
    """
    results = axe_results(page, context)
    if context is not None:
        assert results["passes"] or results["violations"], f"axe-core checked nothing in {context!r}"
    lines = []
    for v in results["violations"]:
        if v.get("impact") in SERIOUS and v["id"] not in ignore:
            targets = "; ".join(" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:3])
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return lines
