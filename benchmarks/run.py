"""Scale and speed: the benchmarks behind ``make bench``.

Generates synthetic cases of 1,000, 10,000 and 100,000 testimonies in
``build/bench/`` (``workbook.synthetic``), measures, and writes the table of
results into BENCHMARKS.md between ``<!-- results -->`` and ``<!-- /results -->``
(and prints it).  Every figure is the median of several runs, next to a
baseline measured in the same run (the runs of the two are interleaved, so a
busy machine slows both alike):

- load and validate (``workbook.load_case``) against ``pandas.read_csv`` of
  the same files; ``workbook.validate`` against ``frictionless.validate`` of
  the same package (its full ``datapackage.json``), and on a corrupted copy,
  whether every error Frictionless reports is reported by us too;
- the peak memory of loading, in a fresh process, against the CSV bytes;
- a score change in the scoring panel, up to the redrawn credibility and
  claim chart, on the bundled case and at 10,000 testimonies;
- ``dependence_groups`` and ``corroboration`` at 100,000 testimonies;
- each notebook's execution against a bare notebook.

Timing targets live here, never in the test suite.  Run ``python benchmarks/run.py --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import workbook  # noqa: E402
from workbook.synthetic import corrupt_copy, make_case  # noqa: E402

BUNDLED = ROOT / "data" / "moscow-trials"
RESULTS_START, RESULTS_END = "<!-- results -->", "<!-- /results -->"


# --------------------------------------------------------------------------- plumbing


@dataclass
class Row:
    measure: str
    size: str
    ours: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


ROWS: list[Row] = []
NOTES: list[str] = []


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def seconds(t: float) -> str:
    if t != t:  # NaN
        return "–"
    if t < 1:
        return f"{t * 1000:.0f} ms" if t >= 0.01 else f"{t * 1000:.1f} ms"
    return f"{t:.2f} s"


def size_label(n: int | str) -> str:
    return f"{n:,}" if isinstance(n, int) else n


@dataclass
class Timing:
    wall: float  # median wall-clock time (time.perf_counter)
    cpu: float  # median CPU time of this process, all its threads (time.process_time)

    def __str__(self) -> str:
        return f"{seconds(self.wall)} (CPU {seconds(self.cpu)})"


def median_times(*functions, runs: int) -> list[Timing]:
    """Median wall and CPU time of each function over ``runs`` rounds, the functions interleaved in each round."""
    walls: list[list[float]] = [[] for _ in functions]
    cpus: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for i, fn in enumerate(functions):
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            walls[i].append(time.perf_counter() - start)
            cpus[i].append(time.process_time() - cpu)
    return [Timing(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus)]


def ratio(a: Timing, b: Timing) -> str:
    return f"{a.wall / b.wall:.1f}× (CPU {a.cpu / b.cpu:.1f}×)"


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def not_measured(measure: str, size: str, why: str) -> None:
    ROWS.append(Row(measure, size, f"not measured: {why}"))


def case_csv_files(folder: Path) -> list[Path]:
    return [folder / t.file for t in workbook.TABLES.values() if (folder / t.file).is_file()]


def csv_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in case_csv_files(folder))


# --------------------------------------------------------------------------- cases


def prepare(sizes: list[int], work: Path) -> dict[int, dict]:
    from workbook.datapackage import describe

    cases = {}
    for n in sizes:
        folder = work / f"case-{n}"
        scores = work / f"case-{n}-scores"
        for old in (folder, scores):
            shutil.rmtree(old, ignore_errors=True)
        start = time.perf_counter()
        make_case(folder, n, seed=0, raters=3, scores_dir=scores)
        made = time.perf_counter() - start
        describe(folder)  # the full descriptor, for Frictionless
        start = time.perf_counter()
        faults = corrupt_copy(folder, work / f"case-{n}-corrupt", seed=0)
        corrupted = time.perf_counter() - start
        cases[n] = {"folder": folder, "scores": scores, "corrupt": work / f"case-{n}-corrupt", "faults": faults}
        total = csv_bytes(folder)
        ROWS.append(Row("generate a case (`make_case`, with 3 raters' scores)", size_label(n), seconds(made),
                        baseline=f"{total / 1e6:.1f} MB of CSV", target="(no target)"))
        log(f"case of {n:,} testimonies: {made:.1f} s, {total / 1e6:.1f} MB; corrupted copy {corrupted:.1f} s")
    return cases


# --------------------------------------------------------------------------- 1. load and validate


def bench_load(cases: dict[int, dict], runs_for) -> None:
    for n, info in cases.items():
        folder = info["folder"]
        files = case_csv_files(folder)

        def plain() -> None:
            for path in files:
                pd.read_csv(path)

        ours, base = median_times(lambda: workbook.load_case(folder), plain, runs=runs_for(n))
        ROWS.append(Row("load and validate (`load_case`) vs `pandas.read_csv`", size_label(n), str(ours),
                        f"read_csv {base}", ratio(ours, base), "≤ 3× (CPU)", verdict(ours.cpu <= 3 * base.cpu)))
        log(f"load {n:,}: {ours} vs read_csv {base}")


def _frictionless_errors(report) -> list[dict]:
    """Every error of a Frictionless report: resource, type, row (header = 1), field and message."""
    return [{"resource": task.name, "type": error.type, "row": getattr(error, "row_number", None),
             "field": getattr(error, "field_name", None), "message": error.message}
            for task in report.tasks for error in task.errors]


def bench_frictionless(cases: dict[int, dict], runs_for) -> None:
    try:
        import frictionless
    except ImportError:
        not_measured("validate vs `frictionless validate`", "all", "frictionless is not installed (pip install -e '.[dev]')")
        return
    version = metadata.version("frictionless")
    for n, info in cases.items():
        folder = info["folder"]
        package = str(folder / "datapackage.json")
        runs = runs_for(n, slow=True)
        reports = []

        def theirs() -> None:
            reports.append(frictionless.validate(package))

        ours, base = median_times(lambda: workbook.validate(folder), theirs, runs=runs)
        valid = all(r.valid for r in reports)
        ROWS.append(Row(f"validate (`workbook.validate`) vs `frictionless.validate` {version}", size_label(n),
                        str(ours), f"frictionless {base}" + ("" if valid else " (not valid!)"),
                        f"{base.wall / ours.wall:.1f}× (CPU {base.cpu / ours.cpu:.1f}×) faster",
                        "≥ 10× faster (CPU)", verdict(base.cpu >= 10 * ours.cpu)))
        if runs < 3:
            NOTES.append(f"Frictionless at {n:,} testimonies: median of {runs} run{'s' if runs > 1 else ''} "
                         f"only (each takes about {base.wall:.0f} s).")
        log(f"validate {n:,}: {ours} vs frictionless {base} ({runs} runs)")

        # the corrupted copy: every error that Frictionless reports, reported by us at the same file and row
        corrupt = info["corrupt"]
        start = time.perf_counter()
        report = frictionless.validate(str(corrupt / "datapackage.json"))
        their_time = time.perf_counter() - start
        start = time.perf_counter()
        problems = workbook.validate(corrupt)
        our_time = time.perf_counter() - start
        files = {r["name"]: r["path"] for r in json.loads((corrupt / "datapackage.json").read_text())["resources"]}
        ours_at = {(p.file, p.row) for p in problems}
        theirs_list = _frictionless_errors(report)
        missed = [e for e in theirs_list if (files.get(e["resource"], e["resource"]), e["row"]) not in ours_at]
        found = {(p.file, p.row, p.column) for p in problems}
        injected = info["faults"]
        ours_found = [f for f in injected if (f.file, f.row, f.column) in found]
        ROWS.append(Row("corrupted copy: Frictionless errors we report too (same file and row)", size_label(n),
                        f"{len(theirs_list) - len(missed)} of {len(theirs_list)}",
                        f"injected faults we report at file:row:column: {len(ours_found)} of {len(injected)}",
                        f"Frictionless took {their_time / our_time:.0f}× as long" if our_time else "",
                        "all", verdict(not missed and len(ours_found) == len(injected))))
        for e in missed:
            NOTES.append(f"Missed at {n:,}: Frictionless {e['type']} in {e['resource']} row {e['row']}: {e['message']}")
        log(f"corrupted {n:,}: frictionless {len(theirs_list)} errors, {len(missed)} missed; "
            f"ours {len(problems)} problems, {len(ours_found)}/{len(injected)} injected found")


# --------------------------------------------------------------------------- 2. memory

_MEMORY_CHILD = r"""
import gc, json, re, resource, sys
from pathlib import Path
import numpy, pandas, pyarrow, pyarrow.csv, pyarrow.compute
import workbook
mode, folder = sys.argv[1], Path(sys.argv[2])
files = [folder / t.file for t in workbook.TABLES.values() if (folder / t.file).is_file()]
# warm up: the lazy imports of the loader (edtf, networkx, pyarrow's kernels) on a small case
workbook.load_case(Path(workbook.__file__).with_name("template_case"))
for p in files[:1]:
    pandas.read_csv(p)
gc.collect()

def status(field):
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1))

try:  # Linux: reset the high-water mark, so that the peak of loading is measured from here
    Path("/proc/self/clear_refs").write_text("5")
    before, how = status("VmRSS"), "VmHWM after clear_refs"
except OSError:
    before, how = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"
if mode == "load_case":
    kept = workbook.load_case(folder)
else:
    kept = [pandas.read_csv(p) for p in files]
after = status("VmHWM") if how.startswith("VmHWM") else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kib": before, "after_kib": after, "how": how}))
"""


def _peak(mode: str, folder: Path) -> int:
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, mode, str(folder)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return (data["after_kib"] - data["before_kib"]) * 1024


def bench_memory(cases: dict[int, dict], runs_for) -> None:
    for n, info in cases.items():
        folder = info["folder"]
        total = csv_bytes(folder)
        runs = 3 if n < 100_000 else 2
        ours = statistics.median(_peak("load_case", folder) for _ in range(runs))
        base = statistics.median(_peak("read_csv", folder) for _ in range(runs))
        ROWS.append(Row("peak memory of loading (resident memory at its peak, above a warmed-up process)",
                        size_label(n),
                        f"{ours / 2**20:.0f} MiB ({ours / total:.1f}× the CSV)",
                        f"read_csv {base / 2**20:.0f} MiB; CSV {total / 2**20:.0f} MiB",
                        f"{ours / total:.1f}× CSV", "≤ 5× CSV", verdict(ours <= 5 * total)))
        log(f"memory {n:,}: {ours / 2**20:.0f} MiB vs CSV {total / 2**20:.0f} MiB, read_csv {base / 2**20:.0f} MiB")


# --------------------------------------------------------------------------- 3. the scoring panel


@contextlib.contextmanager
def _no_fsync():
    """Skip fsync for a moment (only while the store reconciles a history it never had; see the notes)."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def bench_panel(cases: dict[int, dict]) -> None:
    if not hasattr(workbook, "scoring_panel"):
        not_measured("score change in the panel", "bundled, 10,000", "workbook.scoring_panel does not exist yet")
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    have_chart = hasattr(workbook, "corroboration")
    try:
        from workbook.charts import plot_corroboration
    except ImportError:
        have_chart = False
    targets = []
    if BUNDLED.is_dir():
        targets.append(("bundled (" + BUNDLED.name + ")", BUNDLED, None, 0.100))
    if 10_000 in cases:
        targets.append(("10,000", cases[10_000]["folder"], cases[10_000]["scores"], 0.250))
    for label, folder, scores, limit in targets:
        case = workbook.load_case(folder)
        with tempfile.TemporaryDirectory() as tmp:
            if scores is not None:
                shutil.copy(scores / "ana.csv", Path(tmp) / "ana.csv")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                panel = workbook.scoring_panel(case, "ana", tmp)
                built = time.perf_counter() - start
            criteria = list(panel.controls)
            fig, ax = plt.subplots(figsize=(7, 3))
            changes, charts, corrobs = [], [], []
            for i in range(8):
                control = panel.controls[criteria[i % len(criteria)]]
                choices = [v for _, v in control.options if v != control.value]
                new = choices[i % len(choices)]
                with _no_fsync() if i == 0 else contextlib.nullcontext():
                    start = time.perf_counter()
                    control.value = new  # observers run now: the score is saved, the label redrawn
                    changed = time.perf_counter() - start
                if have_chart:
                    tid = panel.current_id
                    claims = list(case.evidence.loc[case.evidence["testimony_id"] == tid, "claim_id"].unique())
                    start = time.perf_counter()
                    frame = workbook.corroboration(case, panel.scores())
                    corrob = time.perf_counter() - start
                    start = time.perf_counter()
                    ax.clear()
                    if claims:
                        plot_corroboration(frame, claims, ax=ax)
                    fig.canvas.draw()
                    chart = time.perf_counter() - start
                else:
                    corrob = chart = 0.0
                if i == 0:
                    warm = changed
                    continue  # the first change of a session reconciles the history (see the notes)
                changes.append(changed)
                corrobs.append(corrob)
                charts.append(chart)
            plt.close(fig)
        change, corrob, chart = (statistics.median(x) for x in (changes, corrobs, charts))
        total = change + corrob + chart
        ROWS.append(Row("score change in the panel → credibility label (saved, label redrawn)", label,
                        seconds(change), f"panel built in {seconds(built)}", "", "", ""))
        if have_chart:
            ROWS.append(Row("… → `corroboration` with the new scores + claim chart redrawn (Agg)", label,
                            f"{seconds(corrob)} + {seconds(chart)}", "", "", "", ""))
        ROWS.append(Row("score change → credibility and claim chart, total", label, seconds(total), "", "",
                        f"< {limit * 1000:.0f} ms", verdict(total < limit)))
        if scores is not None:
            NOTES.append(f"Panel at {label}: the first change of a session is left out of the median: the store "
                         "first records in the history every row of a scores file that has none (in one append; "
                         f"here {warm * 1000:.0f} ms with fsync skipped for that one change).")
        log(f"panel {label}: change {change * 1000:.0f} ms, corroboration {corrob * 1000:.0f} ms, "
            f"chart {chart * 1000:.0f} ms (first change {warm * 1000:.0f} ms without fsync)")


# --------------------------------------------------------------------------- 4. dependence and corroboration


def bench_dependence(cases: dict[int, dict]) -> None:
    n = max(cases)
    if not hasattr(workbook, "dependence_groups"):
        not_measured("dependence groups", size_label(n), "workbook.dependence_groups does not exist yet")
        return
    case = workbook.load_case(cases[n]["folder"])
    scores = workbook.load_scores(cases[n]["scores"]) if hasattr(workbook, "load_scores") else None
    groups_time, = median_times(lambda: workbook.dependence_groups(case), runs=3)
    ROWS.append(Row("`dependence_groups` (all ties, all testimonies)", size_label(n), str(groups_time), "", "",
                    "< 1 s", verdict(groups_time.wall < 1)))
    if not hasattr(workbook, "corroboration"):
        not_measured("corroboration per claim", size_label(n), "workbook.corroboration does not exist yet")
        return
    plain, = median_times(lambda: workbook.corroboration(case), runs=3)
    ROWS.append(Row("`corroboration` per claim and stance (no scores)", size_label(n), str(plain), "", "",
                    "< 1 s", verdict(plain.wall < 1)))
    if scores is not None:
        weighted, = median_times(lambda: workbook.corroboration(case, scores), runs=1 if n >= 100_000 else 3)
        ROWS.append(Row(f"`corroboration` weighted by 3 raters' scores ({len(scores):,} score rows)",
                        size_label(n), str(weighted), "", "", "< 1 s", verdict(weighted.wall < 1)))
    log(f"dependence {n:,}: groups {groups_time}, corroboration {plain}")


# --------------------------------------------------------------------------- 5. notebooks


def _run_notebook(nb, cwd: Path, timeout: int = 900) -> float:
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def bench_notebooks(runs: int) -> None:
    import nbformat

    try:
        from workbook.series import series
        notebooks = series(ROOT / "notebooks")
    except ImportError:
        notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        not_measured("notebook execution", "", "no notebooks in notebooks/")
        return
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import pandas, matplotlib, ipywidgets")])
    with tempfile.TemporaryDirectory() as tmp:
        # a copy of the notebooks beside a copy of the data, so that what they write stays in the copy
        shutil.copytree(ROOT / "notebooks", Path(tmp) / "notebooks")
        for extra in ("data", "docs"):
            if (ROOT / extra).is_dir():
                shutil.copytree(ROOT / extra, Path(tmp) / extra)
        cwd = Path(tmp) / "notebooks"
        times: dict[str, list[float]] = {"bare": []}
        failed: dict[str, str] = {}
        for _ in range(runs):  # interleaved: one round of every notebook, then the next round
            times["bare"].append(_run_notebook(nbformat.from_dict(json.loads(json.dumps(bare))), cwd))
            for path in notebooks:
                if path.name in failed:
                    continue
                nb = nbformat.read(cwd / path.name, as_version=4)
                try:
                    times.setdefault(path.name, []).append(_run_notebook(nb, cwd))
                except Exception as exc:  # a failing notebook is reported, not fatal
                    failed[path.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
    base = statistics.median(times["bare"])
    ROWS.append(Row("bare notebook (kernel start + import pandas, matplotlib, ipywidgets)", "–", seconds(base),
                    "", "1.0×", "", ""))
    for path in notebooks:
        if path.name in failed:
            not_measured(f"notebook `{path.name}`", "bundled", f"it failed: {failed[path.name]}")
            continue
        t = statistics.median(times[path.name])
        ROWS.append(Row(f"notebook `{path.name}`", "bundled", seconds(t), f"bare {seconds(base)}",
                        f"{t / base:.1f}×", "≤ 2×", verdict(t <= 2 * base)))
        log(f"notebook {path.name}: {t:.1f} s vs bare {base:.1f} s")


# --------------------------------------------------------------------------- the report


def machine() -> str:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "–"

    memory = "?"
    with contextlib.suppress(OSError, ValueError):
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    libs = ", ".join(f"{n} {version(n)}" for n in ("pandas", "pyarrow", "numpy", "frictionless", "matplotlib",
                                                    "ipywidgets", "nbclient", "networkx"))
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {memory} memory; "
            f"Python {platform.python_version()}; {libs}")


def table(started: float, loads: tuple[float, float]) -> str:
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M')} on {machine()}.",
        f"Load average at the start and the end: {loads[0]:.1f} and {loads[1]:.1f}; "
        f"the whole run took {time.perf_counter() - started:.0f} s.",
        "",
        "| Measure | Testimonies | Ours | Baseline (same run) | Ratio | Target | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in ROWS:
        lines.append(f"| {r.measure} | {r.size} | {r.ours} | {r.baseline} | {r.ratio} | {r.target} | {r.met} |")
    if NOTES:
        lines.append("")
        lines += [f"- {note}" for note in NOTES]
    return "\n".join(lines)


def write_results(path: Path, text: str) -> None:
    block = f"{RESULTS_START}\n{text}\n{RESULTS_END}"
    old = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{RESULTS_START}\n{RESULTS_END}\n"
    if RESULTS_START in old and RESULTS_END in old:
        head, rest = old.split(RESULTS_START, 1)
        _, tail = rest.split(RESULTS_END, 1)
        new = head + block + tail
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="numbers of testimonies (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure below 100,000 testimonies (default: 5)")
    parser.add_argument("--notebook-runs", type=int, default=3, help="runs per notebook (default: 3)")
    parser.add_argument("--skip", default="", help="parts to skip, comma-separated: load, frictionless, memory, "
                                                    "panel, dependence, notebooks")
    parser.add_argument("--work", default=str(ROOT / "build" / "bench"), help="where the cases go")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"), help="the file to write the table into")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    def runs_for(n: int, slow: bool = False) -> int:
        if slow:  # Frictionless: about 0.15 ms a row
            return args.runs if n <= 1_000 else (3 if n <= 10_000 else 2)
        return args.runs if n < 100_000 else 3

    cases = prepare(sizes, work)
    parts = [("load", lambda: bench_load(cases, runs_for)),
             ("frictionless", lambda: bench_frictionless(cases, runs_for)),
             ("memory", lambda: bench_memory(cases, runs_for)),
             ("panel", lambda: bench_panel(cases)),
             ("dependence", lambda: bench_dependence(cases)),
             ("notebooks", lambda: bench_notebooks(args.notebook_runs))]
    for name, part in parts:
        if name in skip:
            continue
        log(f"-- {name}")
        try:
            part()
        except Exception as exc:  # one broken part must not lose the others' figures
            not_measured(name, "", f"the benchmark failed: {type(exc).__name__}: {exc}")
            log(f"{name} failed: {type(exc).__name__}: {exc}")
    text = table(started, (load_start, os.getloadavg()[0]))
    print(text)
    if not args.no_write:
        write_results(Path(args.output), text)
        log(f"wrote the results into {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
