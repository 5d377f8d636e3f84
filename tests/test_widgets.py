"""The scoring panel, driven from Python as a rater would drive it in the browser."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import ipywidgets as w
import pytest

import workbook
from workbook import RaterNameError, ScoresWarning, load_case, scoring_panel
from workbook import widgets
from workbook.widgets import UNKNOWN, format_gap

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "template_case"
AT = "2026-01-01T00:00:00Z"
HEADER = "rater,testimony_id,criterion,value,comment,updated_at\n"
IDS = ["t-neighbour-court", "t-miller-court", "t-miller-letter", "t-history", "t-neighbour-market"]


@pytest.fixture(scope="module")
def case():
    return load_case(TEMPLATE)


def panel_for(case, folder, rater="ana", **kwargs):
    return scoring_panel(case, rater, folder, clock=lambda: AT, **kwargs)


def html_values(widget) -> list[str]:
    """Every markup string a widget tree renders as HTML."""
    out = []
    if isinstance(widget, (w.HTML, w.HTMLMath)):
        out.append(widget.value)
    for child in getattr(widget, "children", ()):
        out += html_values(child)
    return out


def test_every_change_is_saved_at_once_with_the_exact_rows(case, tmp_path):
    panel = panel_for(case, tmp_path)
    assert panel.current_id == "t-neighbour-court"
    assert not (tmp_path / "ana.csv").exists()  # opening writes nothing
    panel.controls["access"].value = 3
    assert (tmp_path / "ana.csv").read_text() == HEADER + f"ana,t-neighbour-court,access,3,,{AT}\n"
    panel.controls["pressure"].value = 0
    panel.controls["corroboration"].value = UNKNOWN
    panel.comments["corroboration"].value = 'only "the neighbour", nobody else,\nsays so'
    panel.next_button.click()
    assert panel.current_id == "t-miller-court"
    panel.controls["pressure"].value = 1
    panel.controls["pressure"].value = 2
    assert (tmp_path / "ana.csv").read_text() == HEADER + (
        f"ana,t-miller-court,pressure,2,,{AT}\n"
        f"ana,t-neighbour-court,access,3,,{AT}\n"
        f'ana,t-neighbour-court,corroboration,,"only ""the neighbour"", nobody else,\nsays so",{AT}\n'
        f"ana,t-neighbour-court,pressure,0,,{AT}\n")
    history = [json.loads(line) for line in (tmp_path / "ana.history.jsonl").read_text().splitlines()]
    assert len(history) == 6 and history[-1]["old"] == {"value": "1", "comment": ""}


def test_reopening_restores_every_control_and_writes_nothing(case, tmp_path):
    first = panel_for(case, tmp_path)
    first.controls["access"].value = 4
    first.controls["authenticity"].value = 0  # 0 is a judgement, not unknown
    first.controls["pressure"].value = UNKNOWN
    first.comments["disinterest"].value = "  a comment only  "
    assert first.controls["disinterest"].value == UNKNOWN  # the live panel shows what the file holds
    first.jump.value = "t-history"
    first.controls["specificity"].value = 1
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    again = panel_for(case, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert again.current_id == "t-neighbour-court"
    shown = {c: again.controls[c].value for c in again.controls}
    assert shown == {"authenticity": 0, "access": 4, "contemporaneity": None, "pressure": UNKNOWN,
                     "disinterest": UNKNOWN, "specificity": None, "corroboration": None}
    assert again.controls["contemporaneity"].index is None  # never judged: nothing selected
    assert again.comments["disinterest"].value == "  a comment only  "
    again.jump.value = "t-history"
    assert again.controls["specificity"].value == 1 and again.controls["access"].index is None


def test_navigation_jump_and_filters(case, tmp_path):
    panel = panel_for(case, tmp_path)
    assert panel.previous_button.disabled and not panel.next_button.disabled
    for _ in range(10):
        panel.next_button.click()
    assert panel.current_id == "t-neighbour-market" and panel.next_button.disabled
    panel.previous_button.click()
    assert panel.current_id == "t-history"
    assert [v for _, v in panel.jump.options] == IDS
    panel.jump.value = "t-miller-letter"
    assert panel.current_id == "t-miller-letter" and "3 of 5" in panel.card.value

    panel.speaker_filter.value = "miller"
    assert panel.ids == ["t-miller-court", "t-miller-letter"] and panel.current_id == "t-miller-letter"
    panel.setting_filter.value = "open_court"
    assert panel.ids == ["t-miller-court"] and panel.current_id == "t-miller-court"
    assert "of 1 in this selection" in panel.progress.value
    panel.claim_filter.value = "meeting"
    assert panel.ids == [] and panel.current_id is None
    assert all(c.disabled for c in panel.controls.values()) and "No testimony matches" in panel.card.value
    panel.speaker_filter.value = ""
    panel.setting_filter.value = ""
    assert panel.ids == ["t-neighbour-market"] and panel.current_id == "t-neighbour-market"
    assert not panel.controls["access"].disabled
    panel.claim_filter.value = "fire"
    assert panel.ids == ["t-neighbour-court", "t-miller-court", "t-miller-letter", "t-history"]
    assert [label for label, _ in panel.claim_filter.options][1].startswith("fire: The miller set fire")


def test_progress_and_credibility_update_live(case, tmp_path):
    panel = panel_for(case, tmp_path)
    assert "<b>0 of 5</b> testimonies scored" in panel.progress.value
    assert "not known yet — 0 of 7 criteria known (0%)" in panel.credibility_label.value
    panel.controls["pressure"].value = UNKNOWN  # an explicit unknown is not a score
    assert "<b>0 of 5</b>" in panel.progress.value and panel.progress_bar.value == 0
    panel.controls["access"].value = 3
    assert "0.75 on a scale of 0 to 1 — 1 of 7 criteria known (14%)" in panel.credibility_label.value
    panel.controls["authenticity"].value = 1
    assert "0.50 on a scale of 0 to 1 — 2 of 7 criteria known (29%)" in panel.credibility_label.value
    assert "<b>1 of 5</b> testimonies scored" in panel.progress.value and panel.progress_bar.value == 1
    assert panel.jump.options[0][0].endswith("✓")
    panel.next_button.click()
    assert "not known yet" in panel.credibility_label.value


def test_undo_takes_back_changes_and_shows_where(case, tmp_path):
    panel = panel_for(case, tmp_path)
    panel.controls["access"].value = 2
    panel.controls["access"].value = 3
    panel.next_button.click()
    panel.comments["access"].value = "second testimony"
    panel.undo_button.click()
    assert panel.comments["access"].value == "" and panel.current_id == "t-miller-court"
    assert "Undone: t-miller-court · access: not judged, comment edited" in panel.status.value \
        or "Undone: t-miller-court · access: unknown → not judged, comment edited" in panel.status.value
    panel.undo_button.click()
    assert panel.current_id == "t-neighbour-court" and panel.controls["access"].value == 2
    assert (tmp_path / "ana.csv").read_text() == HEADER + f"ana,t-neighbour-court,access,2,,{AT}\n"
    assert "t-neighbour-court · access: 3 → 2" in panel.history_view.value
    panel.undo_button.click()
    panel.undo_button.click()
    assert "Nothing to undo" in panel.status.value
    assert (tmp_path / "ana.csv").read_text() == HEADER


def test_undo_clears_filters_to_show_the_testimony_it_changed(case, tmp_path):
    panel = panel_for(case, tmp_path)
    panel.controls["access"].value = 1
    panel.speaker_filter.value = "historian"
    assert panel.current_id == "t-history"
    panel.undo_button.click()
    assert panel.current_id == "t-neighbour-court" and panel.speaker_filter.value == ""
    assert panel.controls["access"].index is None


def test_a_quote_with_script_renders_as_text(case, tmp_path):
    folder = shutil.copytree(TEMPLATE, tmp_path / "case")
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    rows = list(csv.DictReader((folder / "testimonies.csv").open(encoding="utf-8")))
    rows[0]["quote"] = evil
    rows[0]["locator"] = "p. <b onmouseover=alert(3)>1</b>"
    rows[0]["notes"] = "<iframe src=javascript:alert(4)>"
    with (folder / "testimonies.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    people = (folder / "people.csv").read_text(encoding="utf-8")
    (folder / "people.csv").write_text(people.replace("Anna Weber", "<img src=x onerror=alert(5)>")
                                       .replace("Anne Weaver", "<script>alert(6)</script>"), encoding="utf-8")
    claims = (folder / "claims.csv").read_text(encoding="utf-8")
    (folder / "claims.csv").write_text(claims.replace("The miller set fire to the barn.",
                                                      "<svg onload=alert(7)>"), encoding="utf-8")
    (folder / "rubric.csv").write_text(
        "criterion,label,question,min,max,levels,help\n"
        "access,<img src=x onerror=alert(8)>,<script>alert(9)</script>?,0,1,"
        "<b>no</b>;<img src=y onerror=alert(10)>,<script>alert(11)</script>\n", encoding="utf-8")
    (tmp_path / "scores").mkdir()
    (tmp_path / "scores" / "ana.csv").write_text(HEADER + "ana,<img src=z onerror=alert(12)>,access,1,,x\n",
                                                 encoding="utf-8")
    with pytest.warns(ScoresWarning):
        panel = panel_for(load_case(folder), tmp_path / "scores")
    panel.comments["access"].value = "<script>alert(13)</script>"
    panel.controls["access"].value = 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in panel.card.value
    markup = "".join(html_values(panel.widget))
    for tag in ("<script", "<img", "<iframe", "<svg", "<b onmouseover"):
        assert tag not in markup.lower()
    assert "&lt;img src=z onerror=alert(12)&gt;" in panel.status.value
    # the level words are button labels, which ipywidgets renders as text
    assert panel.controls["access"].options[2] == ("1: <img src=y onerror=alert(10)>", 1)


def test_an_unsafe_rater_name_is_refused(case, tmp_path):
    for name in ("../../etc/cron.d/x", "Ana Smith", "ana.csv", ""):
        with pytest.raises(RaterNameError, match="is not a usable rater name"):
            scoring_panel(case, name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_old_rubric_and_unknown_testimonies_warn_on_reopen_and_stay_in_the_file(case, tmp_path):
    (tmp_path / "ana.csv").write_text(HEADER + f"ana,t-gone,access,2,,{AT}\n"
                                               f"ana,t-history,bias,3,,{AT}\n"
                                               f"ana,t-history,access,9,,{AT}\n", encoding="utf-8")
    with pytest.warns(ScoresWarning) as record:
        panel = panel_for(case, tmp_path)
    messages = " | ".join(str(r.message) for r in record)
    assert "testimony ids not in the case (kept): t-gone" in messages
    assert "criteria not in the rubric, perhaps from an older rubric (kept): bias" in messages
    assert "row 4: access=9 (allowed 0 to 4)" in messages
    assert "t-gone" in panel.status.value
    panel.jump.value = "t-history"
    assert panel.controls["access"].index is None
    assert "holds &#x27;9&#x27; for access, which is not a level" in panel.status.value
    panel.controls["pressure"].value = 1
    text = (tmp_path / "ana.csv").read_text()
    assert f"ana,t-gone,access,2,,{AT}\n" in text and f"ana,t-history,bias,3,,{AT}\n" in text
    assert f"ana,t-history,access,9,,{AT}\n" in text


def test_the_nato_rubric_in_the_panel(case, tmp_path):
    panel = panel_for(case, tmp_path, rubric="nato")
    assert list(panel.controls) == ["reliability", "credibility"]
    labels = [label for label, _ in panel.controls["reliability"].options]
    assert labels[:2] == ["unknown", "A: Completely reliable"] and labels[-1] == "F: Reliability cannot be judged"
    panel.controls["reliability"].value = 6
    assert "not known yet — 0 of 2 criteria known" in panel.credibility_label.value
    panel.controls["credibility"].value = 2  # probably true: 1 - 1/4
    assert "0.75 on a scale of 0 to 1 — 1 of 2 criteria known (50%)" in panel.credibility_label.value
    assert "ana,t-neighbour-court,reliability,6," in (tmp_path / "ana.csv").read_text()


def test_a_failed_save_is_shown_and_raised(case, tmp_path, monkeypatch):
    panel = panel_for(case, tmp_path)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(panel.store, "set", broken)
    with pytest.raises(OSError):
        panel.controls["access"].value = 3
    assert "Not saved:" in panel.status.value and "No space left on device" in panel.status.value


def test_the_panel_repr_is_deterministic(case, tmp_path):
    panel = panel_for(case, tmp_path)
    assert repr(panel) == "ScoringPanel(case='my-case', rater='ana', testimonies=5)"
    bundle = panel._repr_mimebundle_()
    # stored outputs and static pages show this sentence where the widget cannot be drawn (never a repr)
    assert bundle["text/plain"] == (
        "[The scoring panel: 5 testimonies of the case 'my-case', scored by 'ana'. It appears here when "
        "the notebook runs: run the cells from the top (Run > Run All Cells).]")
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    assert isinstance(panel, workbook.ScoringPanel)


def test_show_refuses_an_unknown_testimony(case, tmp_path):
    panel = panel_for(case, tmp_path)
    with pytest.raises(KeyError, match="no testimony called 't-nope'"):
        panel.show("t-nope")


def test_the_card_has_everything_a_rater_weighs(case):
    card = widgets.testimony_card(case, "t-miller-letter")
    for text in ("They will say I owed him money", "Johann Miller (miller; also: John Miller, J. Müller)",
                 "Letter of the miller to his brother (letter-1850, letter), fol. 3r", "1850-06-03",
                 "contradicts</b> fire", "event 1850-05-12; statement given 22 days after",
                 "supports</b> motive", "event 1850; statement given from 7 months before to 5 months after",
                 "private letter", "participant", "in custody",
                 "created by Johann Miller, 1850-06-03, archived by county archive, 1851"):
        assert text in card, text


def test_format_gap_words():
    assert format_gap("1850-07-02", "1850-07-02", "1850-07-02", "1850-07-02") == "the same day"
    assert format_gap("1850-07-01", "1850-07-01", "1850-07-02", "1850-07-02") == "1 day before"
    assert format_gap("1937-01-01", "1937-01-31", "1936-12-12", "1936-12-12") == "20 to 50 days after"
    assert format_gap("1938-03-01", "1938-03-01", "1936-08-01", "1936-08-01") == "about 19 months after"
    assert format_gap("1990", None, "1936", "1936") == "unknown"


def test_the_figure_pager_draws_only_the_page_asked_for():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbook import FigurePager

    drawn = []

    def draw(item, number, total):
        drawn.append((item, number, total))
        fig, ax = plt.subplots()
        ax.set_title(item)
        return ax

    pager = FigurePager(["first", "second", "third"], draw, what="pages of a test")
    assert drawn == [] and pager.menu.value == 0
    assert repr(pager) == "[A pager over 3 pages of a test: choose a page to draw it.]"
    pager.next.click()
    pager.next.click()
    pager.next.click()
    pager.next.click()  # stays on the last page
    pager.previous.click()
    assert drawn == [("first", 1, 3), ("second", 2, 3), ("third", 3, 3), ("second", 2, 3)]
    assert pager.menu.value == 2 and plt.get_fignums() == []  # every drawn figure closed
    started = FigurePager(["a", "b"], draw, start=2)
    assert drawn[-1] == ("b", 2, 2) and started.menu.value == 2
