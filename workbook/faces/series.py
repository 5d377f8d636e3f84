"""Running the notebook series: execute, make students' copies, write a report.

The notebooks in ``notebooks/`` are the source of truth, stored with their
outputs from the bundled case.  These functions re-execute them (in their own
folder, as nbval and JupyterLab do), run them on another case through their
papermill ``parameters`` cell, write the students' copies with the solutions
removed (nbgrader's ``ClearSolutions``), and render a static HTML report.
"""

from __future__ import annotations

import copy
import html
import os
from collections.abc import Iterable
from pathlib import Path

import nbformat

__all__ = [
    "NOTEBOOK_DIR",
    "series",
    "execute",
    "clean",
    "student_copy",
    "write_student_copies",
    "write_report",
    "without_widgets",
    "prepare_lab",
    "LAB_DIR",
]

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
_VOLATILE_CELL_METADATA = ("execution", "papermill", "collapsed", "scrolled", "ExecuteTime")
STUDENT_CODE_STUB = "# Your answer here\n"
STUDENT_TEXT_STUB = "*Your answer here.*"
#: The teacher's working copies that ``make lab`` opens (git-ignored): the tested originals stay as they are.
LAB_DIR = NOTEBOOK_DIR.parent / "work"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_SENTENCE = ("[An interactive panel is here in the notebook. Open the student pages "
                   "(make app) or the notebook in JupyterLab to use it.]")


def series(folder: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks of the series, in order (``00-...`` to ``09-...``)."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]-*.ipynb"))


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove volatile metadata (timings, papermill bookkeeping), keep outputs and counts."""
    nb = copy.deepcopy(nb)
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    return nb


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


#: Kernel options for a quiet run: the kernel logs errors only, so that running ten notebooks does
#: not print its "running over TCP without encryption" warning ten times.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]


def execute(path: str | Path, *, output: str | Path | None = None, parameters: dict | None = None,
            timeout: int = 600, quiet_kernel: bool = False) -> nbformat.NotebookNode:
    """Execute a notebook in its own folder and save it (to ``output``, default in place).

    With ``parameters``, papermill injects them after the cell tagged
    ``parameters`` (the way to run the series on another case). ``quiet_kernel``
    keeps the kernel's own warnings off the terminal (``run-series``).
    """
    extra = QUIET_KERNEL if quiet_kernel else []
    path = Path(path).resolve()
    output = Path(output).resolve() if output is not None else path
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if parameters:
        import papermill

        papermill.execute_notebook(
            str(path), str(output), parameters=parameters, cwd=str(path.parent),
            kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False,
            execution_timeout=timeout, extra_arguments=extra)
        nb = nbformat.read(output, as_version=4)
    else:
        from nbclient import NotebookClient

        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", extra_arguments=extra,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute(env=_kernel_env())
    nb = clean(nb)
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output)
    return nb


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A student's copy: solutions between ``### BEGIN SOLUTION`` / ``### END SOLUTION``
    replaced by a stub, outputs of those cells cleared (nbgrader's ``ClearSolutions``)."""
    from nbgrader.preprocessors import ClearSolutions
    from traitlets.config import Config

    config = Config()
    config.ClearSolutions.enforce_metadata = False
    config.ClearSolutions.code_stub = {"python": STUDENT_CODE_STUB}
    config.ClearSolutions.text_stub = STUDENT_TEXT_STUB
    pre = ClearSolutions(config=config)
    nb = copy.deepcopy(nb)
    before = [c.source for c in nb.cells]
    nb, _ = pre.preprocess(nb, {})
    for cell, old in zip(nb.cells, before):
        if cell.source != old and cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def write_student_copies(out_dir: str | Path, notebooks: Iterable[Path] | None = None) -> list[Path]:
    """Write the students' copies of the series into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks or series():
        nb = student_copy(nbformat.read(path, as_version=4))
        target = out_dir / path.name
        nbformat.write(nb, target)
        written.append(target)
    return written


def without_widgets(nb: nbformat.NotebookNode, sentence: str = WIDGET_SENTENCE) -> nbformat.NotebookNode:
    """The notebook with every widget output replaced by a sentence (a static page has no widgets).

    A panel's own ``text/plain`` sentence is kept when it has one; a bare widget
    repr (``VBox(...)``) is replaced by ``sentence``.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data or WIDGET_MIME not in data:
                continue
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            keep = text if text.startswith("[") and text.endswith("]") else sentence
            out["data"] = {"text/plain": keep}
    return nb


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_lab(work_dir: str | Path = LAB_DIR, notebooks: Iterable[Path] | None = None) -> list[str]:
    """Copy the teacher's edition into ``work_dir`` (what ``make lab`` opens); return what was done.

    A copy is made when missing, and refreshed when the original changed and the
    copy was not edited since it was made (``.origins.json`` keeps the digests).
    A copy that was edited is never overwritten: the new original is written
    beside it as ``NN-name.new.ipynb`` and the message says so.
    """
    import json
    import shutil

    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    book = work_dir / ".origins.json"
    origins = json.loads(book.read_text(encoding="utf-8")) if book.exists() else {}
    said = []
    for path in notebooks or series():
        target = work_dir / path.name
        source = _digest(path)
        known = origins.get(path.name)
        if not target.exists():
            shutil.copyfile(path, target)
            said.append(f"copied {path.name}")
        elif known is None or source == known["source"]:
            if known is None:
                said.append(f"kept {path.name} (already there)")
            origins[path.name] = known or {"source": source, "copy": _digest(target)}
            continue
        elif _digest(target) == known["copy"]:
            shutil.copyfile(path, target)
            said.append(f"refreshed {path.name} (the original changed, your copy was not edited)")
        else:
            newer = target.with_name(path.stem + ".new.ipynb")
            shutil.copyfile(path, newer)
            said.append(f"kept your edited {path.name}; the changed original is beside it as {newer.name}")
            origins[path.name] = {"source": source, "copy": _digest(target)}
            continue
        origins[path.name] = {"source": source, "copy": _digest(target)}
    from ..case.atomic import atomic_write_text

    atomic_write_text(book, json.dumps(origins, indent=1, sort_keys=True) + "\n")
    return said


def write_report(out_dir: str | Path, notebooks: Iterable[Path] | None = None, *,
                 execute_first: bool = True, parameters: dict | None = None) -> Path:
    """Execute the series (unless told not to) and write a static HTML report without code.

    Returns the path of ``index.html``; each notebook becomes one HTML page with
    its prose, tables and charts.
    """
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    pages = []
    for path in notebooks or series():
        if execute_first:
            executed = out_dir / "executed" / path.name
            # run from the notebook's own folder so relative case paths resolve
            tmp = path.parent / f".report-{path.name}"
            try:
                nb = execute(path, output=tmp, parameters=parameters)
            finally:
                if tmp.exists():
                    executed.parent.mkdir(parents=True, exist_ok=True)
                    tmp.replace(executed)
        else:
            nb = nbformat.read(path, as_version=4)
        nb = without_widgets(student_copy(nb))
        body, _ = exporter.from_notebook_node(nb)
        page = out_dir / (path.stem + ".html")
        page.write_text(body, encoding="utf-8")
        title = next((c.source.splitlines()[0].lstrip("# ").strip() for c in nb.cells
                      if c.cell_type == "markdown" and c.source.startswith("# ")), path.stem)
        pages.append((page.name, title))
    items = "\n".join(f'<li><a href="{html.escape(n)}">{html.escape(t)}</a></li>' for n, t in pages)
    index = out_dir / "index.html"
    index.write_text(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Source Criticism Workbook: report</title></head>\n<body>\n"
        "<h1>Source Criticism Workbook: report</h1>\n"
        "<p>The notebooks of the series, run on the case, without their code.</p>\n"
        f"<ol>\n{items}\n</ol>\n</body></html>\n", encoding="utf-8")
    return index
