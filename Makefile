# Source Criticism Workbook. Quick start:
#   make lab    create the environment when missing, open JupyterLab on working copies of the notebooks (work/)
#   make test   create the environment when missing, run every test (notebooks included)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
LAB_ARGS ?=
# Jupyter refuses to start as root (school VMs and containers often run as root) unless told it may
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
PYTEST_ARGS ?=
export PYTHONHASHSEED := 0

.PHONY: lab test env student report notebooks app class bench bench-class clean lock

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -c constraints.txt -e ".[dev]"
	@# nbgrader is used only for students' copies (make student): hide its menus and buttons from students
	@$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1 || true
	@for e in formgrader validate_assignment assignment_list course_list; do \
	  $(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$e >/dev/null 2>&1 || true; done
	@touch $(STAMP)

# The teacher's edition (with solutions) as working copies in work/: saving there leaves notebooks/ as tested
lab: $(STAMP)
	$(BIN)/python -m workbook lab-copies work
	$(BIN)/jupyter lab --ServerApp.root_dir=. work/00-start-here.ipynb $(ALLOW_ROOT) $(LAB_ARGS)

# The student edition (lesson pages without code, with answer boxes) and the scoring app, served by Voilà
# on 127.0.0.1 from app/; make app APP_PORT=8867 for another port
APP_PORT ?= 8866
app: $(STAMP)
	@echo "Open http://127.0.0.1:$(APP_PORT)/voila/render/lesson-00-start-here.ipynb in your browser (the scoring app: /voila/render/scoring-app.ipynb?rater=yourname). Ctrl-C stops it."
	cd app && $(abspath $(BIN))/voila --no-browser --Voila.ip=127.0.0.1 --port=$(APP_PORT) --Voila.port_retries=0 .

# A class: the student app served to the classroom's browsers (join code, teacher's dashboard; docs/teaching.md).
# It prints the address and codes to give; work is kept in classes/<case-name>/. E.g.
#   make class CASE=data/my-case CLASS_ARGS="--roster roster.csv --port 8870"
CASE ?= data/moscow-trials
CLASS_ARGS ?=
class: $(STAMP)
	$(BIN)/python -m workbook class $(CASE) $(CLASS_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks at 1,000 to 100,000 testimonies (a few minutes); writes the results table into BENCHMARKS.md
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/class_bench.py $(CLASS_BENCH_ARGS)

# Only the class at full size: 30 simulated students against make class (about 7 minutes, loopback)
CLASS_BENCH_ARGS ?=
bench-class: $(STAMP)
	$(BIN)/python benchmarks/class_bench.py $(CLASS_BENCH_ARGS)

# Students' copies of the notebooks, solutions removed, in student/; the lesson pages of app/ regenerated
student: $(STAMP)
	$(BIN)/python -m workbook student student
	$(BIN)/python -m workbook student-edition app

# Run the series and write a static HTML report (no code) in report/
report: $(STAMP)
	$(BIN)/python -m workbook report report

# Re-execute every notebook in place and store its outputs (after changing the package or a case)
notebooks: $(STAMP)
	$(BIN)/python -c "from workbook.series import execute, series; [print(p.name) or execute(p) for p in series()]"

clean:
	rm -rf $(VENV) build student report artifacts

# Re-pin every dependency to the newest release that pyproject.toml allows.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	{ printf '%s\n' '# Exact versions that every setup installs from (pip install -c constraints.txt).' \
	  '# nbval compares stored notebook outputs, and those change with library versions.' \
	  '# Regenerate with: make lock'; \
	  build/lock-venv/bin/python -m pip freeze --disable-pip-version-check --exclude-editable; } > constraints.txt
