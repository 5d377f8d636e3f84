"""Students' copies, the static report and the CSL-JSON export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

from workbook.series import student_copy, write_report

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "template_case"


def _exercise_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A title\n\n### Exercise 1.1 — Count the sources"),
        nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\nanswer = 2 + 2\nanswer\n### END SOLUTION",
                                  execution_count=1,
                                  outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "4"},
                                                                  execution_count=1)]),
        nbformat.v4.new_markdown_cell("Answer:\n\n### BEGIN SOLUTION\nBecause it was redacted.\n### END SOLUTION"),
    ]
    return nb


def test_student_copy_removes_solutions_and_their_outputs():
    student = student_copy(_exercise_notebook())
    assert student.cells[1].source == "x = 1\n# Your answer here\n"
    assert student.cells[1].outputs == []
    assert student.cells[1].execution_count is None
    assert student.cells[2].source == "Answer:\n\n*Your answer here.*"
    assert student.cells[0].source == "# A title\n\n### Exercise 1.1 — Count the sources"


def test_report_without_code(tmp_path):
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    nb = _exercise_notebook()
    nb.cells[0].source = "# Sources <and> custody\n\nA title"
    nbformat.write(nb, nb_dir / "01-sources.ipynb")
    index = write_report(tmp_path / "report", [nb_dir / "01-sources.ipynb"], execute_first=False)
    text = index.read_text(encoding="utf-8")
    assert '<li><a href="01-sources.html">Sources &lt;and&gt; custody</a></li>' in text
    page = (tmp_path / "report" / "01-sources.html").read_text(encoding="utf-8")
    assert "answer = 2 + 2" not in page  # no code in the report
    assert "A title" in page
    assert "Because it was redacted." not in page  # nor any solution: the report is the students' copy
    assert "Your answer here." in page


def test_csl_export_of_the_template_case(tmp_path):
    out = tmp_path / "case.csl.json"
    res = subprocess.run([sys.executable, "-m", "workbook", "csl", str(TEMPLATE), "-o", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout == f"wrote 3 sources as CSL-JSON to {out}\n"
    items = json.loads(out.read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == ["court-record-1850", "history-1950", "letter-1850"]
    assert items[1] == {
        "id": "history-1950", "type": "article-journal", "title": "A local history of the valley",
        "author": [{"literal": "historian"}], "issued": {"date-parts": [[1950]]}, "language": "en",
        "note": "A. Historian, The Valley (1950), p. 45 (example)",
        "custom": {"source_criticism_workbook": {"kind": "scholarly_work", "created": "1950", "access": "published"}}}
