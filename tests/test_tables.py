"""What keeps wide things inside their cell, without a browser (tests/test_layout_browser.py measures them).

Tables in a box that scrolls where it is (``workbook/views/tables.py``), the
"Go to" entries of the scoring panel short enough to be read whole, and the
competing-hypotheses panel's labels free to wrap.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

import workbook
from workbook import load_case, scoring_panel
from workbook.faces.student_edition import _table_html

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "template_case"


def test_a_scroll_table_reads_as_its_frame_and_shows_as_a_named_focusable_box():
    frame = pd.DataFrame({"speaker": ["Pyatakov", "<b>Radek</b>"], "n": [1, 2]},
                         index=pd.Index(["t1", "t2"], name="testimony_id"))
    table = workbook.scroll_table(frame, "The testimonies")
    assert repr(table) == repr(frame) and len(table) == 2 and table.frame is frame
    html = table._repr_html_()
    assert html == workbook.scroll_table_html(frame, "The testimonies")
    assert ('<div class="scw-table scw-scroll" style="max-width: 100%; max-height: min(60vh, 34em); '
            'overflow: auto; contain: inline-size;" tabindex="0" role="region" '
            'aria-label="The testimonies, 2 rows (scrolls with the arrow keys)">') in html
    assert "<b>" not in html and "&lt;b&gt;Radek&lt;/b&gt;" in html
    assert ".scw-scroll thead { position: sticky; top: 0; z-index: 2; }" in html
    assert ".scw-scroll tbody th { position: sticky; left: 0;" in html
    assert "min-width" not in html.split("</style>", 2)[1]  # no column of long texts: no least width


def test_long_text_columns_get_a_least_width_counted_from_the_end_of_the_row():
    frame = pd.DataFrame({"id": ["a"], "quote": ["q" * 40], "basis": ["participant"], "gap": ["g" * 80]})
    html = workbook.scroll_table_html(frame)
    key = html.split('class="scw-table scw-scroll ')[1].split('"')[0]
    assert key.startswith("scw-w-") and len(key) == 14
    # quote: 40 characters -> 10 em; gap: 80, shown as 50 (pandas' max_colwidth) -> 12.5; id and basis short
    assert (f"<style>.{key} td:nth-last-child(3) {{ min-width: 10em; text-align: left; }} "
            f".{key} thead th:nth-last-child(3) {{ text-align: left; }} "
            f".{key} td:nth-last-child(1) {{ min-width: 12.5em; text-align: left; }} "
            f".{key} thead th:nth-last-child(1) {{ text-align: left; }}</style>") in html
    with pd.option_context("display.max_colwidth", None):  # the whole text shown: at most 15 em
        assert ".scw-w-" in (wide := workbook.scroll_table_html(frame)) and "min-width: 15em" in wide
    assert workbook.scroll_table_html(frame.copy()) == html  # the same table, the same class: deterministic


def test_every_table_of_a_lesson_page_is_in_a_scroll_box():
    frame = pd.DataFrame({"a": [1, 2, 3]})
    assert _table_html(frame) == workbook.scroll_table_html(frame)
    assert 'aria-label="Table, 3 rows (scrolls with the arrow keys)"' in _table_html(frame)


def test_go_to_entries_shorten_a_long_name_and_keep_the_scored_mark(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(TEMPLATE, folder)
    people = folder / "people.csv"
    rows = people.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    first = rows[1].split(",")
    pid = first[header.index("person_id")]
    first[header.index("name")] = "Commission of Inquiry into the Charges Made against the Miller"
    people.write_text("\n".join([rows[0], ",".join(first), *rows[2:]]) + "\n", encoding="utf-8")
    case = load_case(folder)
    panel = scoring_panel(case, "ana", tmp_path / "scores", clock=lambda: "2026-01-01T00:00:00Z")
    theirs = set(case.testimonies.loc[case.testimonies["speaker_id"] == pid, "testimony_id"])
    assert theirs, "the template case has no testimony by its first person"
    labels = {value: label for label, value in panel.jump.options}
    for tid in theirs:
        assert labels[tid].endswith(" — Commission of Inquiry into the Charges…"), labels[tid]
    panel.show(sorted(theirs)[0])
    panel.controls[next(iter(panel.controls))].value = 1
    labels = {value: label for label, value in panel.jump.options}
    assert labels[sorted(theirs)[0]].endswith("Commission of Inquiry into the Charges… ✓")
    assert panel.jump.layout.max_width == "100%"
    assert all(d.layout.max_width == "100%"
               for d in (panel.claim_filter, panel.speaker_filter, panel.setting_filter))


def test_the_ach_panel_lets_its_labels_wrap(tmp_path):
    case = load_case(TEMPLATE)
    panel = workbook.AchPanel(case, "fire", "ana", tmp_path)
    assert "scw-ach" in panel.widget._dom_classes
    style = panel.widget.children[0].value
    assert ".scw-ach .widget-label { white-space: normal; overflow-wrap: anywhere; overflow: visible;" in style
    labels = [c for c in panel.grid.children if c.__class__.__name__ == "Label"]
    assert labels and all(c.layout.overflow is None for c in labels)  # no cut at the cell's edge
