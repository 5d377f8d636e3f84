"""A process killed while it saves leaves a scores file that loads, before or after the change.

A child process loops ``RatingStore.set`` over five keys with an increasing
counter (the comment) and its value (the counter mod 5); the test kills it with
SIGKILL at random moments, many times, each time checking the file.  Iteration
``i`` writes key ``i % 5``, so after iteration ``m`` the five comments are
exactly ``m-4 .. m``: any other set of comments would be a torn or mixed state.
Each new child starts from the file the killed one left, so the store's own
reading of a file left by a kill is tested too.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from workbook import load_scores
from workbook.store import RatingStore

ROOT = Path(__file__).resolve().parents[1]
KEYS = 5
KILLS = 30

# The child imports only workbook.store and workbook._io (a stub package skips
# workbook/__init__.py and its pandas import), so it starts in a few
# milliseconds and the test spends its time saving and killing.
CHILD = r"""
import sys, types
package = types.ModuleType("workbook")
package.__path__ = [sys.argv[1]]
sys.modules["workbook"] = package
from workbook.store import RatingStore

store = RatingStore(sys.argv[2], "ana", keys=("testimony_id", "criterion"), values=("value", "comment"))
done = [int(vals["comment"]) for _, vals in store.items()]
i = max(done) + 1 if done else 0
print("ready", flush=True)
while True:
    store.set((f"t{i % 5}", "access"), value=str(i % 5), comment=str(i))
    i += 1
"""


def check(folder: Path) -> int:
    """Assert the folder holds one consistent state; return the last counter saved."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would mean a malformed row
        frame = load_scores(folder)
    assert list(frame["rater"].unique()) == ["ana"]
    assert frame["criterion"].eq("access").all() and frame["updated_at"].str.match(r"^\d{4}-").all()
    counters = sorted(int(c) for c in frame["comment"])
    assert [int(v) for v in frame["value"]] == [int(c) % 5 for c in frame["comment"]]
    assert frame["testimony_id"].tolist() == sorted(f"t{c % KEYS}" for c in counters)
    last = counters[-1]
    assert counters == list(range(max(0, last - KEYS + 1), last + 1)), counters
    # the history has one complete line per change, perhaps minus the one in flight
    history = folder / "ana.history.jsonl"  # absent when killed between the first save and its history line
    lines = history.read_text(encoding="utf-8").split("\n") if history.exists() else [""]
    complete = [json.loads(line) for line in lines[:-1]]
    changes = [int(e["new"]["comment"]) for e in complete if not e.get("recovered")]
    assert changes == sorted(set(changes)) and (not changes or changes[-1] <= last)
    return last


def history_state(folder: Path) -> dict:
    state = {}
    for line in (folder / "ana.history.jsonl").read_text(encoding="utf-8").split("\n")[:-1]:
        entry = json.loads(line)
        state[tuple(entry["key"])] = entry["new"]
    return state


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is a POSIX signal")
def test_a_process_killed_while_saving_leaves_a_consistent_file(tmp_path):
    rng = random.Random(20261127)
    folder = tmp_path / "scores"
    last = -1
    for kill in range(KILLS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT / "workbook"), str(folder)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline() == "ready\n", child.stderr.read()
            time.sleep(rng.uniform(0.002, 0.08))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
            child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        if not (folder / "ana.csv").exists():
            continue  # killed before the first save completed
        now = check(folder)
        assert now >= last  # never back to an older state
        last = now
    assert last >= KILLS, "the children saved too little to test anything"
    # a change whose history line was lost in a kill is recorded before the next change
    store = RatingStore(folder, "ana", keys=("testimony_id", "criterion"), values=("value", "comment"))
    store.set(("t0", "access"), value="0", comment=str(last + 1))
    assert history_state(folder) == {key: vals for key, vals in store.items()}
    # temporary files of interrupted saves are never taken for scores files
    assert all(p.name.startswith(".") and p.name.endswith(".tmp")
               for p in folder.iterdir() if p.name not in ("ana.csv", "ana.history.jsonl", ".ana.csv.lock"))
