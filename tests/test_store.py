"""RatingStore: atomic saves, an append-only history, undo, and nothing dropped."""

from __future__ import annotations

import json

import pytest

from workbook.store import RaterNameError, RatingStore, check_rater

CLOCK = lambda: "2026-01-01T00:00:00Z"  # noqa: E731
HEADER = "rater,testimony_id,criterion,value,comment,updated_at\n"


def store(folder, rater="ana"):
    return RatingStore(folder, rater, keys=("testimony_id", "criterion"), values=("value", "comment"), clock=CLOCK)


def history_lines(s):
    return s.history_path.read_text(encoding="utf-8").splitlines()


def test_set_writes_the_exact_file_and_a_history_line(tmp_path):
    s = store(tmp_path)
    s.set(("t2", "access"), value=3)
    s.set(("t1", "pressure"), value=None, comment='in custody, "on trial"\nsecond line')
    assert s.path.read_text(encoding="utf-8") == (
        HEADER
        + 'ana,t1,pressure,,"in custody, ""on trial""\nsecond line",2026-01-01T00:00:00Z\n'
        + "ana,t2,access,3,,2026-01-01T00:00:00Z\n")
    entries = [json.loads(line) for line in history_lines(s)]
    assert entries[0] == {"at": "2026-01-01T00:00:00Z", "key": ["t2", "access"], "old": None,
                          "new": {"value": "3", "comment": ""}}
    assert len(entries) == 2
    # no temp file left; the lock file that serialises writers across processes stays (hidden)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".ana.csv.lock"]


def test_an_unchanged_value_writes_nothing(tmp_path):
    s = store(tmp_path)
    s.set(("t1", "access"), value="3")
    s.set(("t1", "access"), value="3")
    assert len(history_lines(s)) == 1


def test_reopening_restores_every_value_exactly(tmp_path):
    s = store(tmp_path)
    s.set(("t1", "access"), value="0", comment="  spaces kept  ")
    s.set(("t1", "pressure"), value="")
    again = store(tmp_path)
    assert again.items() == s.items()
    assert again.get(("t1", "access")) == {"value": "0", "comment": "  spaces kept  "}
    assert again.get(("t1", "pressure")) == {"value": "", "comment": ""}  # explicit unknown kept
    assert again.get(("t1", "corroboration")) is None


def test_undo_walks_back_as_a_stack(tmp_path):
    s = store(tmp_path)
    s.set(("t1", "access"), value="1")
    s.set(("t1", "access"), value="2")
    s.set(("t2", "access"), value="4")
    change = s.undo_change()
    assert change == {"key": ("t2", "access"), "old": None, "new": {"value": "4", "comment": ""}}
    assert s.get(("t2", "access")) is None  # a row created by the change is removed again
    assert s.undo() is True
    assert s.get(("t1", "access")) == {"value": "1", "comment": ""}
    s.set(("t1", "pressure"), value="3")  # a new change after undos
    assert s.undo() and s.get(("t1", "pressure")) is None
    assert s.undo() and s.get(("t1", "access")) is None
    assert s.undo() is False
    assert s.path.read_text() == HEADER
    history = s.history()
    assert list(history["undo"]) == [False, False, False, True, True, False, True, True]
    assert len(s.history(last=2)) == 2


def test_history_ignores_a_line_cut_short(tmp_path):
    s = store(tmp_path)
    s.set(("t1", "access"), value="1")
    with open(s.history_path, "a", encoding="utf-8") as handle:
        handle.write('{"at": "2026", "key": ["t1", "acc')  # a write killed half way
    assert len(s.history()) == 1
    assert s.undo() is True
    assert s.get(("t1", "access")) is None


def test_rows_and_columns_the_caller_does_not_know_are_kept(tmp_path):
    (tmp_path / "ana.csv").write_text(
        "\ufeffrater,testimony_id,criterion,value,comment,updated_at,confidence\n"
        "ana,t-gone,old-criterion,2,,2025-01-01T00:00:00Z,high\n", encoding="utf-8")
    s = store(tmp_path)
    s.set(("t1", "access"), value="3")
    assert s.path.read_text(encoding="utf-8") == (
        "rater,testimony_id,criterion,value,comment,updated_at,confidence\n"
        "ana,t-gone,old-criterion,2,,2025-01-01T00:00:00Z,high\n"
        "ana,t1,access,3,,2026-01-01T00:00:00Z,\n")


def test_a_repeated_key_warns(tmp_path):
    (tmp_path / "ana.csv").write_text(HEADER + "ana,t1,access,2,,x\nana,t1,access,3,,y\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="rows 2 and 3 are both for t1, access"):
        s = store(tmp_path)
    assert s.get(("t1", "access"))["value"] == "3"


def test_a_second_store_on_the_same_file_loses_nothing(tmp_path):
    first, second = store(tmp_path), store(tmp_path)  # two panels open for one rater
    first.set(("t1", "access"), value="1")
    second.set(("t2", "access"), value="2")
    first.set(("t3", "access"), value="3")
    assert [key for key, _ in store(tmp_path).items()] == [("t1", "access"), ("t2", "access"), ("t3", "access")]


@pytest.mark.parametrize("name", ["../etc/passwd", "Ana", "", "a/b", "a.b", "/tmp/x", "ana\n", "-ana", "x" * 65,
                                  None, "ana smith", "..", "nul\x00"])
def test_unsafe_rater_names_are_refused_with_a_clear_message(tmp_path, name):
    with pytest.raises(RaterNameError, match="is not a usable rater name: use 1 to 64 lower-case letters"):
        store(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_check_rater_accepts_slugs():
    assert check_rater("ana_k-2") == "ana_k-2"


def test_first_change_on_a_file_without_history_records_every_row_in_one_append(tmp_path):
    """A scores file brought from elsewhere (no history) is reconciled in one write, not row by row."""
    lines = ["rater,testimony_id,criterion,value,comment,updated_at"]
    lines += [f"ana,t{i},access,{i % 5},,2026-01-01T00:00:00Z" for i in range(3)]
    (tmp_path / "ana.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = RatingStore(tmp_path, "ana", keys=("testimony_id", "criterion"), values=("value", "comment"),
                        clock=lambda: "2026-02-02T00:00:00Z")
    store.set(("t1", "access"), value="4")
    history = (tmp_path / "ana.history.jsonl").read_text(encoding="utf-8").splitlines()
    assert history == [
        '{"at": "2026-02-02T00:00:00Z", "key": ["t0", "access"], "new": {"comment": "", "value": "0"}, "old": null, "recovered": true}',
        '{"at": "2026-02-02T00:00:00Z", "key": ["t1", "access"], "new": {"comment": "", "value": "1"}, "old": null, "recovered": true}',
        '{"at": "2026-02-02T00:00:00Z", "key": ["t2", "access"], "new": {"comment": "", "value": "2"}, "old": null, "recovered": true}',
        '{"at": "2026-02-02T00:00:00Z", "key": ["t1", "access"], "new": {"comment": "", "value": "4"}, "old": {"comment": "", "value": "1"}}',
    ]
    assert store.undo() is True
    assert store.get(("t1", "access")) == {"value": "1", "comment": ""}


def test_last_changes_read_from_the_end_match_the_whole_history(tmp_path):
    store = RatingStore(tmp_path, "ana", keys=("testimony_id", "criterion"), values=("value", "comment"),
                        clock=lambda: "2026-02-02T00:00:00Z")
    for i in range(300):
        store.set((f"t{i:03d}", "access"), value=str(i % 5), comment="a comment, long enough " * 3)
    with open(store.history_path, "a", encoding="utf-8") as handle:
        handle.write('{"at": "cut short')  # a write cut short by a kill: no final newline
    whole = store.changes()
    assert len(whole) == 300
    for last in (1, 5, 120, 300, 1000):
        assert store.changes(last) == whole[-last:]
    assert store.changes(0) == []
