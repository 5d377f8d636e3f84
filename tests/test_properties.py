"""Property-based tests: whatever happens to a case's files, loading never fails with anything but CaseError.

Random corruption of the valid corpus case (bytes replaced, deleted or inserted;
quotes, newlines, NUL and other awkward characters typed in; files truncated,
emptied or re-encoded; lines swapped, doubled or deleted; a column dropped)
either loads or raises :class:`CaseError`, never another exception.  A corruption
can be a legitimate edit (a letter changed in a note), so "loads" cannot mean
"loads identically" in general; it is checked instead that what loads is what a
CSV reader sees in the files.  Rewrites that keep the meaning (a byte-order
mark, CRLF line ends, every cell quoted, columns in another order, no final
newline) must load identically.  Loading never writes into the case folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook import TABLES, Case, CaseError, load_case, validate

VALID = Path(__file__).resolve().parent / "cases" / "valid"
ORIGINAL = {p.name: p.read_bytes() for p in sorted(VALID.iterdir()) if p.is_file()}
FILES = sorted(ORIGINAL)
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Characters that break naive CSV readers and validators.
AWKWARD = ['"', '""', "\n", "\r\n", "\r", ",", ";", "\x00", "\ufeff", "\u2028", "\u00a0", " ", "\t", "é", "ø",
           "\U0001f642", "..", "/", "-", "1936", "X", "?", "~", "\\", "'", "=", "\x1a"]


@cache
def reference() -> Case:
    return load_case(VALID)


def write_case(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@st.composite
def corruption(draw) -> tuple[str, str, object]:
    """One corruption: (file, kind, parameters drawn independently of the file's current length)."""
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from([
        "replace bytes", "delete bytes", "insert bytes", "insert text", "replace text", "truncate",
        "swap lines", "duplicate line", "delete line", "delete column", "re-encode", "empty"]))
    where = draw(st.integers(0, 10**6))
    other = draw(st.integers(0, 10**6))
    if kind in ("replace bytes", "insert bytes"):
        payload = draw(st.binary(min_size=1, max_size=4))
    elif kind in ("insert text", "replace text"):
        payload = draw(st.lists(st.sampled_from(AWKWARD) | st.text(max_size=2), min_size=1, max_size=3).map("".join))
    elif kind == "re-encode":
        payload = draw(st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32", "mac-roman"]))
    else:
        payload = draw(st.integers(1, 4))
    return name, kind, (where, other, payload)


def corrupt(data: bytes, kind: str, params) -> bytes:
    where, other, payload = params
    n = len(data)
    if kind == "empty" or n == 0:
        return b""
    i = where % n
    if kind == "replace bytes":
        return data[:i] + payload + data[i + len(payload):]
    if kind == "delete bytes":
        return data[:i] + data[i + payload:]
    if kind == "insert bytes":
        return data[:i] + payload + data[i:]
    if kind == "truncate":
        return data[:i]
    if kind in ("swap lines", "duplicate line", "delete line"):
        lines = lines_of(data)
        a, b = where % len(lines), other % len(lines)
        if kind == "swap lines":
            lines[a], lines[b] = lines[b], lines[a]
        elif kind == "duplicate line":
            lines.insert(a, lines[a])
        else:
            del lines[a]
        return b"".join(lines)
    text = data.decode("utf-8", errors="surrogateescape")
    j = where % (len(text) + 1)
    if kind == "insert text":
        return (text[:j] + payload + text[j:]).encode("utf-8", errors="surrogateescape")
    if kind == "replace text":
        return (text[:j] + payload + text[j + len(payload):]).encode("utf-8", errors="surrogateescape")
    if kind == "re-encode":
        return text.lstrip("\ufeff").encode(payload, errors="replace")
    if kind == "delete column":
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        k = where % max(1, len(rows[0]) if rows else 1)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(row[:k] + row[k + 1:] for row in rows)
        return out.getvalue().encode("utf-8", errors="surrogateescape")
    raise AssertionError(kind)


def check_loaded_case_matches_its_files(case: Case, folder: Path) -> None:
    """What loads is what a CSV reader sees: every contract column, one row per record, no open quote."""
    for name, table in TABLES.items():
        frame = case.table(name)
        assert set(table.column_names) <= set(frame.columns), name
        if name not in case.present:
            continue
        text = (folder / f"{name}.csv").read_bytes().decode("utf-8-sig")
        records = list(csv.reader(io.StringIO(text, newline="")))
        assert len(frame) == len(records) - 1, name
        list(csv.reader(io.StringIO(text, newline=""), strict=True))  # raises on a quote never closed


@settings(max_examples=150, **SETTINGS)
@given(corruptions=st.lists(corruption(), min_size=1, max_size=3))
def test_random_corruption_loads_or_raises_case_error(corruptions):
    files = dict(ORIGINAL)
    for name, kind, params in corruptions:
        files[name] = corrupt(files[name], kind, params)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", files)
        try:
            case = load_case(folder)  # any exception but CaseError fails the test
        except CaseError as exc:
            assert exc.problems
            for problem in exc.problems:
                line = str(problem)
                assert "\n" not in line and "\r" not in line
                assert line.startswith(f"{problem.file}:")
                assert problem.row is None or problem.row >= 1
        else:
            check_loaded_case_matches_its_files(case, folder)
            if files == ORIGINAL:
                for name in TABLES:
                    pd.testing.assert_frame_equal(case.table(name), reference().table(name))


# --------------------------------------------------------------------------- rewrites that keep the meaning


def rewrite(data: bytes, how: str, order_seed: int) -> bytes:
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if how == "no bom":
        return text.encode("utf-8")
    if how == "no final newline":
        return data.rstrip(b"\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if how == "reorder columns":
        order = sorted(range(len(rows[0])), key=lambda k: (k * 7919 + order_seed) % 101)
        rows = [[row[k] for k in order] for row in rows]
    out = io.StringIO()
    lineterminator = "\r\n" if how == "crlf" else "\n"
    quoting = csv.QUOTE_ALL if how == "quote every cell" else csv.QUOTE_MINIMAL
    csv.writer(out, lineterminator=lineterminator, quoting=quoting).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@settings(max_examples=25, **SETTINGS)
@given(steps=st.lists(st.tuples(st.sampled_from(FILES),
                                st.sampled_from(["bom", "no bom", "crlf", "lf", "quote every cell",
                                                 "reorder columns", "no final newline"]),
                                st.integers(0, 100)), min_size=1, max_size=4))
def test_rewrites_that_keep_the_meaning_load_identically(steps):
    files = dict(ORIGINAL)
    for name, how, seed in steps:
        files[name] = rewrite(files[name], how, seed)
    with tempfile.TemporaryDirectory() as tmp:
        case = load_case(write_case(Path(tmp) / "case", files))
    for name in TABLES:
        pd.testing.assert_frame_equal(case.table(name), reference().table(name))


# --------------------------------------------------------------------------- the command line


@settings(max_examples=3, **SETTINGS)
@given(corruptions=st.lists(corruption(), min_size=2, max_size=4))
def test_command_line_never_prints_a_traceback(corruptions):
    files = dict(ORIGINAL)
    for name, kind, params in corruptions:
        files[name] = corrupt(files[name], kind, params)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_case(Path(tmp) / "case", files)
        result = subprocess.run([sys.executable, "-m", "workbook", "validate", str(folder)],
                                capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120)
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr
    assert (result.returncode == 1) == bool(result.stdout)


# --------------------------------------------------------------------------- loading writes nothing


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file's bytes (hashed) and modification time, the listing, and the folders' own times."""
    out = {".": ("dir", folder.stat().st_mtime_ns)}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        stat = path.stat()
        if path.is_dir():
            out[key] = ("dir", stat.st_mtime_ns)
        else:
            out[key] = (hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns)
    return out


def test_loading_leaves_the_folder_byte_for_byte_unchanged(tmp_path):
    good = tmp_path / "good"
    shutil.copytree(VALID, good)
    (good / "datapackage.json").write_text('{"name": "good", "resources": [{"name": "sources", '
                                           '"path": "sources.csv"}]}\n', encoding="utf-8")
    bad = tmp_path / "bad"
    shutil.copytree(VALID, bad)
    (bad / "claims.csv").write_bytes(b"")
    (bad / "whereabouts.csv").write_bytes((VALID / "whereabouts.csv").read_text(encoding="utf-8").encode("latin-1"))
    (bad / "hypotheses.csv").write_bytes(b'hypothesis_id,claim_id,statement\nh1,oslo-flight,"never closed\n')
    for folder in (good, bad):
        before = snapshot(folder)
        try:
            load_case(folder)
        except CaseError:
            pass
        validate(folder)
        cli = subprocess.run([sys.executable, "-m", "workbook", "validate", str(folder)],
                             capture_output=True, text=True, timeout=120)
        assert cli.returncode == (0 if folder is good else 1)
        after = snapshot(folder)
        assert after == before, folder.name
        assert not [p for p in folder.rglob("*") if p.name in ("__pycache__", ".ipynb_checkpoints")
                    or p.suffix in (".lock", ".tmp", ".pyc")]
    # the describe command refuses a broken case and writes nothing there either
    before = snapshot(bad)
    cli = subprocess.run([sys.executable, "-m", "workbook", "describe", str(bad)], capture_output=True, text=True,
                         timeout=120)
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    assert snapshot(bad) == before
