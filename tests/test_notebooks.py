"""The notebook series as a whole.

Every notebook follows the skeleton of CONTRIBUTING.md (one title, an Overview whose
numbered goals match the ``##`` sections, Prerequisites with "Time to learn", the
``parameters`` cell, one imports cell, named exercises with solutions, Summary,
What's next, References); no id of the bundled case is written into code outside an
exercise; and the students' copies, with the solutions removed, still run from top to
bottom.  The stored outputs themselves are compared by nbval (``pytest notebooks``).

The execution of the students' copies is marked ``slow``: ``pytest -m "not slow"``
skips it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

import workbook
from workbook.series import series, write_student_copies

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUNDLED = ROOT / "data" / "moscow-trials"
PARAMETERS = ["CASE", "RATER", "SCORES_DIR", "CLASS_SCORES_DIR"]
BUNDLED_CASE_PARAMETER = "../data/moscow-trials"
SKELETON = ("overview", "prerequisites", "imports", "summary", "what's next", "references")
GLOSSARY_LINK = "../docs/glossary.md"

PATHS = series(NOTEBOOKS)
NAMES = [p.name for p in PATHS]


# --------------------------------------------------------------------------- reading


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _without_fences(text: str) -> str:
    """Markdown without fenced code blocks (a ``# comment`` in a block is not a heading)."""
    return re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.M | re.S)


def _normal(text: str) -> str:
    """Heading or goal text compared loosely: no emphasis, numbering, case or end punctuation."""
    text = text.replace("’", "'").replace("*", "").replace("_", " ").replace("`", "")
    text = re.sub(r"^\s*\d+(\.\d+)*[.)]?\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.rstrip("?:.! ")


def _markdown(nb: nbformat.NotebookNode) -> str:
    return "\n\n".join(_without_fences(c.source) for c in nb.cells if c.cell_type == "markdown")


def _headings(nb: nbformat.NotebookNode) -> list[tuple[int, str, int]]:
    """(level, text, cell index) of every heading in the markdown cells, in order."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in _without_fences(cell.source).splitlines():
            m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if m:
                found.append((len(m.group(1)), m.group(2), i))
    return found


def _sections(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The text of each ``##`` section (up to the next ``##`` or ``#``), keyed by its normal heading."""
    out: dict[str, str] = {}
    current: str | None = None
    for line in _markdown(nb).splitlines():
        m = re.match(r"^(#{1,2})\s+(.*)", line)
        if m:
            current = _normal(m.group(2)) if len(m.group(1)) == 2 else None
            if current is not None:
                out.setdefault(current, "")
            continue
        if current is not None:
            out[current] += line + "\n"
    return out


def _is_skeleton(heading: str) -> bool:
    return _normal(heading) in SKELETON or _normal(heading).endswith("references")


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _python(source: str) -> ast.Module:
    """The cell as Python, with IPython's ``!`` and ``%`` lines turned into calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def _has_imports(cell: nbformat.NotebookNode) -> bool:
    return any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in _python(cell.source).body)


def _number(path: Path) -> int:
    return int(path.name[:2])


@pytest.fixture(params=PATHS, ids=NAMES)
def notebook(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, _read(request.param)


# --------------------------------------------------------------------------- the skeleton


def test_the_series_is_there():
    assert NAMES, "no numbered notebooks in notebooks/"
    assert NAMES[0] == "00-start-here.ipynb"
    numbers = [_number(p) for p in PATHS]
    assert len(set(numbers)) == len(numbers), f"two notebooks share a number: {NAMES}"


def test_format_and_kernel(notebook):
    path, nb = notebook
    assert nb.nbformat == 4
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", path.name


def test_one_title(notebook):
    path, nb = notebook
    titles = [(text, i) for level, text, i in _headings(nb) if level == 1]
    assert len(titles) == 1, f"{path.name}: expected one '# Title', found {[t for t, _ in titles]}"
    first_markdown = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown")
    assert titles[0][1] == first_markdown, f"{path.name}: the title must open the notebook"
    assert nb.cells[first_markdown].source.lstrip().startswith("# ")


def test_overview_goals_match_sections(notebook):
    path, nb = notebook
    sections = _sections(nb)
    assert "overview" in sections, f"{path.name}: no '## Overview'"
    goals = re.findall(r"^\s*(\d+)\.\s+(.+)$", sections["overview"], flags=re.M)
    assert goals, f"{path.name}: the Overview has no numbered goals"
    assert [int(n) for n, _ in goals] == list(range(1, len(goals) + 1)), \
        f"{path.name}: the goals are not numbered 1, 2, 3..."
    content = [text for level, text, _ in _headings(nb) if level == 2 and not _is_skeleton(text)]
    assert len(goals) == len(content), (
        f"{path.name}: {len(goals)} goals in the Overview but {len(content)} '##' sections: {content}")
    for (n, goal), heading in zip(goals, content):
        assert _normal(heading) in _normal(goal), (
            f"{path.name}: goal {n} ({goal!r}) does not name its section '## {heading}'")


def test_prerequisites_time_and_glossary(notebook):
    path, nb = notebook
    sections = _sections(nb)
    assert "prerequisites" in sections, f"{path.name}: no '## Prerequisites'"
    text = sections["prerequisites"]
    assert re.search(r"Time to learn\**:?\**\s*\d+\s*minutes", text), \
        f"{path.name}: Prerequisites must say 'Time to learn: N minutes'"
    assert f"]({GLOSSARY_LINK})" in text, f"{path.name}: Prerequisites must link the glossary ({GLOSSARY_LINK})"


def test_skeleton_order(notebook):
    path, nb = notebook
    order = [_normal(text) for level, text, _ in _headings(nb) if level == 2]
    for name in ("overview", "prerequisites", "summary", "what's next"):
        assert name in order, f"{path.name}: no '## {name.capitalize()}' section"
    assert any(h.endswith("references") for h in order), f"{path.name}: no '## References' section"
    assert order[:2] == ["overview", "prerequisites"], f"{path.name}: Overview and Prerequisites come first"
    closing = [h for h in order if h in ("summary", "what's next") or h.endswith("references")]
    assert len(closing) == 3 and order[-3:] == closing and closing[:2] == ["summary", "what's next"], (
        f"{path.name}: the notebook must end with Summary, What's next, References; ends with {order[-3:]}")


def test_parameters_cell(notebook):
    path, nb = notebook
    cells = _code_cells(nb)
    assert cells, f"{path.name}: no code cells"
    first = cells[0]
    assert "parameters" in first.metadata.get("tags", []), f"{path.name}: the first code cell must be tagged 'parameters'"
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: one cell only is tagged 'parameters'"
    body = _python(first.source).body
    assert all(isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
               and isinstance(node.value, ast.Constant) for node in body), \
        f"{path.name}: the parameters cell holds only NAME = \"value\" lines"
    names = [node.targets[0].id for node in body]
    assert names == PARAMETERS, f"{path.name}: the parameters cell must set exactly {PARAMETERS}, sets {names}"
    values = {node.targets[0].id: node.value.value for node in body}
    assert values["CASE"] == BUNDLED_CASE_PARAMETER, f"{path.name}: CASE must be {BUNDLED_CASE_PARAMETER!r}"


def test_one_imports_cell(notebook):
    path, nb = notebook
    cells = _code_cells(nb)
    with_imports = [i for i, c in enumerate(cells) if _has_imports(c)]
    assert len(with_imports) == 1, (
        f"{path.name}: imports belong in one cell; code cells {with_imports} import something")
    assert with_imports == [1], f"{path.name}: the imports cell comes right after the parameters cell"


def test_exercises_have_solutions(notebook):
    """Every '### Exercise N.k — Title' is followed, before the next exercise or section, by a solution."""
    path, nb = notebook
    number = _number(path)
    seen: list[str] = []
    current: str | None = None
    solved = True
    for cell in nb.cells:
        source = cell.source
        begins, ends = source.count("### BEGIN SOLUTION"), source.count("### END SOLUTION")
        assert begins == ends, f"{path.name}: unbalanced BEGIN/END SOLUTION in a cell:\n{source[:200]}"
        if begins:
            assert current is not None, f"{path.name}: a solution with no exercise before it:\n{source[:200]}"
            solved = True
        if cell.cell_type != "markdown":
            continue
        for level, text in re.findall(r"^(#{2,3})\s+(.*)$", _without_fences(source), flags=re.M):
            if text.strip() in ("BEGIN SOLUTION", "END SOLUTION"):
                continue
            if text.startswith("Exercise"):
                m = re.match(r"Exercise (\d+)\.(\d+)\s+[—–-]\s+\S", text)
                assert level == "###" and m, f"{path.name}: write exercises as '### Exercise N.k — Title': {text!r}"
                assert int(m.group(1)) == number, f"{path.name}: {text!r} should be numbered {number}.k"
                assert solved, f"{path.name}: {current!r} has no solution before {text!r}"
                assert text not in seen, f"{path.name}: {text!r} appears twice"
                seen.append(text)
                current, solved = text, False
            elif level == "##":
                assert solved, f"{path.name}: {current!r} has no solution before '## {text}'"
                current = None
    assert solved, f"{path.name}: {current!r} has no solution"
    numbers = [int(re.match(r"Exercise \d+\.(\d+)", t).group(1)) for t in seen]
    assert numbers == list(range(1, len(numbers) + 1)), f"{path.name}: exercises numbered {numbers}"


def test_links_resolve(notebook):
    path, nb = notebook
    for target in re.findall(r"\]\(([^)\s]+)\)", _markdown(nb)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        local = target.split("#", 1)[0]
        assert (path.parent / local).exists(), f"{path.name}: the link ({target}) points at nothing"


def test_whats_next_links_a_notebook(notebook):
    path, nb = notebook
    text = _sections(nb).get("what's next", "")
    assert re.search(r"\]\([^)]+\.(ipynb|md)(#[^)]*)?\)", text), f"{path.name}: What's next must link the next step"


def test_stored_outputs_are_clean(notebook):
    path, nb = notebook
    machine = {str(ROOT), str(Path.home()), str(Path(tempfile.gettempdir())) + os.sep} - {"/", ""}
    for i, cell in enumerate(_code_cells(nb)):
        if cell.source.strip():
            assert cell.execution_count is not None, f"{path.name}: code cell {i} is stored without running it"
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: code cell {i} stored an error"
            text = json.dumps(output)
            for place in machine:
                assert place not in text, f"{path.name}: code cell {i} shows a path of this machine ({place})"


def _time_to_learn(nb: nbformat.NotebookNode) -> int | None:
    m = re.search(r"Time to learn\**:?\**\s*(\d+)\s*minutes", _sections(nb).get("prerequisites", ""))
    return int(m.group(1)) if m else None


def test_start_here_maps_the_series():
    """The map in 00 links every notebook of the series, with the time its Prerequisites give."""
    start = _markdown(_read(NOTEBOOKS / "00-start-here.ipynb"))
    missing = [name for name in NAMES if f"]({name})" not in start]
    assert not missing, f"00-start-here.ipynb: the map of the series does not link {missing}"
    for path in PATHS:
        row = next(line for line in start.splitlines() if f"]({path.name})" in line and line.startswith("|"))
        minutes = re.search(r"(\d+)\s*min", row.split("|")[-2])
        assert minutes, f"00-start-here.ipynb: the map gives no time for {path.name}: {row}"
        expected = _time_to_learn(_read(path))
        assert int(minutes.group(1)) == expected, (
            f"00-start-here.ipynb: the map says {minutes.group(1)} min for {path.name}, its Prerequisites {expected}")


# --------------------------------------------------------------------------- the bundled case's ids


def _bundled_ids() -> list[str]:
    case = workbook.load_case(BUNDLED)
    ids: set[str] = set()
    for table, column in (("testimonies", "testimony_id"), ("sources", "source_id"),
                          ("claims", "claim_id"), ("people", "person_id")):
        ids |= {i for i in case.table(table)[column] if len(i) > 4}
    return sorted(ids)


def test_no_bundled_ids_in_code(notebook):
    """Examples are picked by computation, so that the series runs on any case."""
    path, nb = notebook
    ids = _bundled_ids()
    assert ids, "the bundled case has no ids"
    pattern = re.compile(r"(?<![A-Za-z0-9_.-])(" + "|".join(map(re.escape, ids)) + r")(?![A-Za-z0-9_-])")
    for i, cell in enumerate(_code_cells(nb)):
        if "parameters" in cell.metadata.get("tags", []):
            continue  # names the case folder, not a row of it
        if "Exercise" in cell.source or "BEGIN SOLUTION" in cell.source:
            continue
        found = sorted(set(pattern.findall(cell.source)))
        assert not found, f"{path.name}: code cell {i} names ids of the bundled case {found}; pick them by computation"


# --------------------------------------------------------------------------- students' copies


@pytest.fixture(scope="module")
def student_tree(tmp_path_factory) -> Path:
    """A copy of the workbook's folders the notebooks use, with the students' notebooks in it."""
    top = tmp_path_factory.mktemp("student-run")
    shutil.copytree(ROOT / "data", top / "data")
    if (ROOT / "examples").is_dir():
        shutil.copytree(ROOT / "examples", top / "examples")
    # anything the notebooks read beside them (pictures, small files), but not the notebooks themselves
    shutil.copytree(NOTEBOOKS, top / "notebooks",
                    ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
    written = write_student_copies(top / "notebooks", PATHS)
    assert [p.name for p in written] == NAMES
    return top


def test_student_copies_have_no_solutions(student_tree):
    for name in NAMES:
        original = _read(NOTEBOOKS / name)
        copy = _read(student_tree / "notebooks" / name)
        assert len(copy.cells) == len(original.cells), name
        for cell in copy.cells:
            assert "BEGIN SOLUTION" not in cell.source, f"{name}: a solution is left in the students' copy"
        solutions = sum("BEGIN SOLUTION" in c.source for c in original.cells)
        stubs = sum("Your answer here" in c.source for c in copy.cells)
        assert stubs >= solutions, f"{name}: {solutions} solutions but {stubs} answer cells"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_student_copy_runs(student_tree, name):
    """A student who answers nothing can still run the notebook from top to bottom."""
    from workbook.series import execute

    path = student_tree / "notebooks" / name
    nb = execute(path, output=student_tree / "executed" / name, timeout=300)
    errors = [o for c in _code_cells(nb) for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"


def test_readme_map_matches_each_notebooks_time_to_learn():
    """The README's table of notebooks gives the same minutes as each notebook's Prerequisites."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\d\d-[a-z-]+)` \|.*\| (\d+) min \|$", readme, flags=re.M))
    expected = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        expected[path.stem] = re.search(r"Time to learn[^0-9]*(\d+)", text).group(1)
    assert rows == expected
