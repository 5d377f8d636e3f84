"""The setup a newcomer meets: the main command serves the start notebook, the environments agree, CI runs the README's command."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00-start-here.ipynb"

#: PyPI name -> conda-forge name, where the two differ.
CONDA_NAMES = {
    "collatex": "collatex-python",
    "python-levenshtein": "python-levenshtein",
    "playwright": "playwright-python",
}


# --------------------------------------------------------------------------- make lab


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """End the whole process group (make, jupyter and its children): TERM, then KILL."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _server_root(runtime: Path, port: int) -> Path | None:
    """The folder the Jupyter server on ``port`` serves, from the file it writes into its runtime folder."""
    for info in runtime.glob("jpserver-*.json"):
        try:
            data = json.loads(info.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being written
        if data.get("port") == port and data.get("root_dir"):
            return Path(data["root_dir"])
    return None


def test_make_lab_serves_start_notebook(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    lab_args = (f"--no-browser --ip=127.0.0.1 --port={port} --port-retries=0 --IdentityProvider.token={token} "
                "--ServerApp.open_browser=False --allow-root")
    venv = Path(sys.prefix)  # the environment running these tests; `make` skips creating it (-o)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    command = ["make", "--no-print-directory", f"VENV={venv}", "-o", f"{venv}/.installed", "lab",
               f"LAB_ARGS={lab_args}"]
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    log_path = tmp_path / "lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        model = None
        root = None
        while model is None:
            assert process.poll() is None, f"make lab stopped:\n{log_path.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() < deadline, f"no answer in 90 s:\n{log_path.read_text(errors='replace')[-3000:]}"
            root = root or _server_root(tmp_path / "runtime", port)
            if root is None:
                time.sleep(0.5)
                continue
            # the whole workbook is served (so students see data/ and docs/), and it opens the start notebook
            assert root.resolve() == ROOT.resolve(), f"make lab serves {root}, not the workbook's folder"
            path = (ROOT / START).relative_to(root.resolve()).as_posix()
            try:
                with opener.open(f"{base}/api/contents/{path}?token={token}", timeout=10) as answer:
                    if answer.status == 200:
                        model = json.load(answer)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.5)
        assert model["name"] == "00-start-here.ipynb"
        assert model["type"] == "notebook" and model["content"]["cells"]
        with opener.open(f"{base}/lab/tree/{path}?token={token}", timeout=10) as answer:
            assert answer.status == 200 and b"JupyterLab" in answer.read()
        try:  # and nobody without the token gets in
            opener.open(f"{base}/api/contents/{path}", timeout=10)
            raise AssertionError("the server answered without the token")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
    finally:
        _stop(process)
    assert process.poll() is not None


# --------------------------------------------------------------------------- environment.yml


def _requirements(lines: list[str]) -> dict[str, SpecifierSet]:
    out = {}
    for line in lines:
        requirement = Requirement(line)
        out[canonicalize_name(requirement.name)] = requirement.specifier
    return out


def test_environment_yml_lists_the_dependencies_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirements(project["dependencies"] + project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert environment["channels"] == ["conda-forge"]
    assert environment["name"] == project["name"]
    conda: dict[str, SpecifierSet] = {}
    pip: list[str] = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            assert list(entry) == ["pip"], entry
            pip += entry["pip"]
            continue
        name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
        assert name not in conda, f"{name} is listed twice"
        conda[name] = SpecifierSet(spec)
    # python and pip themselves, as pyproject.toml says
    assert conda.pop("python") == SpecifierSet(project["requires-python"])
    assert conda.pop("pip") == SpecifierSet()
    # the workbook itself, from this checkout, with the dev extra
    assert "-e .[dev]" in pip
    pip_requirements = _requirements([line for line in pip if not line.startswith("-e")])
    from_conda = {}
    for pypi_name in wanted:
        conda_name = CONDA_NAMES.get(pypi_name, pypi_name)
        if conda_name in conda:
            from_conda[pypi_name] = conda.pop(conda_name)
    assert not conda, f"environment.yml has conda packages that pyproject.toml does not: {sorted(conda)}"
    both = set(from_conda) & set(pip_requirements)
    assert not both, f"listed both as conda packages and under pip: {sorted(both)}"
    listed = {**from_conda, **pip_requirements}
    assert set(listed) == set(wanted), (
        f"missing from environment.yml: {sorted(set(wanted) - set(listed))}; "
        f"not in pyproject.toml: {sorted(set(listed) - set(wanted))}")
    for name, spec in wanted.items():
        assert listed[name] == spec, f"{name}: environment.yml says '{listed[name]}', pyproject.toml '{spec}'"


def test_readme_names_the_conda_environment():
    name = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["name"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"conda env create -f environment.yml && conda activate {name}" in readme


# --------------------------------------------------------------------------- CI


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh|console)?\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    tests = [c for c in commands if re.match(r"make\s+test\b", c)]
    assert len(tests) == 1, f"the Quick start should show one test command, not {tests}"
    return tests[0]


def test_ci_runs_exactly_the_readme_test_command():
    """CI may prepare the machine first, but the tests it runs are the README's command, and its result is CI's."""
    command = _readme_test_command()
    assert command == "make test"
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert "set -euo pipefail" in lines
    runs_tests = [line for line in lines if re.search(r"\bmake\b.*\btest\b|\bpytest\b", line)]
    assert runs_tests == [command]
    assert lines[-1] == command
