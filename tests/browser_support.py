"""Servers and a headless Chromium for the browser test and the screenshots script.

Not a test module: ``tests/test_browser.py`` and ``tests/screens.py`` import it.
Everything runs on 127.0.0.1 on free ports, from a temporary copy of the
workbook (so that no score, checkpoint or autosave touches the repository), with
Jupyter's configuration, data, runtime, settings and workspace folders inside that
copy (so that the user's own settings do not leak in).  Chromium is Debian's
system browser, driven by Playwright (Playwright's own browser download is not
used).  Nothing is installed here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
INSTALL_HINT = ("Chromium is not installed: sudo apt-get install chromium (Debian/Ubuntu) — "
                "the test drives the system Chromium with Playwright")
#: The folders of the workbook that the notebooks and the app read (relative links included).
COPIED = ("notebooks", "data", "examples", "app", "docs", "workbook/template_case")
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-default-apps", "--mute-audio"]
#: JupyterLab settings that keep the page the same on every run: no news or update
#: notifications, no autosave (the copy is thrown away anyway), no kernel-restart dialogs.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # every cell laid out, also off screen: what is measured and scrolled through is the real page
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
#: No news feed and no update check (``None`` cannot be given on the command line).
LAB_CONFIG = {"LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}}


def find_chromium() -> str | None:
    """The system Chromium (``chromium`` on the PATH, else ``/usr/bin/chromium``), or None."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_workbook(dest: Path) -> Path:
    """Copy what the notebooks and the app read into ``dest`` (same layout as the repository)."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
    for name in COPIED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


def _isolated_env(home: Path) -> dict[str, str]:
    """The environment for a server: Jupyter's folders inside ``home``, nothing from the user's own."""
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython"),
                     ("MPLCONFIGDIR", "matplotlib")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    for name, settings in LAB_SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings), encoding="utf-8")
    (home / "config" / "jupyter_lab_config.json").write_text(json.dumps(LAB_CONFIG), encoding="utf-8")
    env.pop("JUPYTER_PATH", None)
    env.pop("QUERY_STRING", None)
    env["PYTHONHASHSEED"] = "0"
    return env


def _stop_with_parent() -> None:
    """In the child, before it runs the server: on Linux, ask for SIGTERM when the parent dies.

    So that a test run killed before its finalizers (SIGKILL, a CI timeout) does not leave servers
    behind; the server then shuts its kernels down itself.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """A server process in its own session, stopped with its kernels by :meth:`stop`."""

    def __init__(self, name: str, command: list[str], url: str, log: Path, env: dict[str, str], cwd: Path):
        self.name, self.url, self.log = name, url, log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(log, "wb")
        self.process = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True,
                                        preexec_fn=_stop_with_parent)

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def wait_until_up(self, probe: str, timeout: float = 90.0) -> float:
        """Wait until ``probe`` (a URL) gets an HTTP answer, any status; the seconds it took.

        Any status, because a page of Voilà's that answers 200 would start a kernel.
        """
        start = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=2):
                    return time.monotonic() - start
            except urllib.error.HTTPError:
                return time.monotonic() - start
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{self.name} did not answer {probe} within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def _descendants(self) -> list[int]:
        """The processes this server started (kernels run in sessions of their own)."""
        try:
            import psutil
        except ImportError:
            return []
        with contextlib.suppress(psutil.Error):
            return [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]
        return []

    def stop(self, grace: float = 8.0) -> None:
        """SIGTERM to the server's process group (it shuts its kernels down), SIGKILL after ``grace`` s.

        Kernels that outlive their server (they run in their own session) are
        killed too, by the process ids recorded before the server was stopped.
        """
        if self.process.poll() is None:
            children = self._descendants()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            for pid in children:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        self._log_file.close()


def start_lab(root: Path, home: Path, log: Path, token: str) -> Server:
    """JupyterLab on a free port of 127.0.0.1 serving ``root``, with a token and the app exposed."""
    port = free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = Server("JupyterLab", command, f"http://127.0.0.1:{port}", log, _isolated_env(home), root)
    server.token = token
    return server


def start_voila(notebook: Path, home: Path, log: Path) -> Server:
    """Voilà serving ``notebook`` on a free port of 127.0.0.1."""
    port = free_port()
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    return Server("Voilà", command, f"http://127.0.0.1:{port}", log, _isolated_env(home), notebook.parent)


def start_lesson_voila(root: Path, home: Path, log: Path) -> Server:
    """Voilà serving ``root/app`` (the lesson pages and the scoring app) in folder mode, as ``make app`` does.

    The student's work goes under ``home/work`` (``server.work``): scores, ach and answers; no
    name is preset, so each page asks for one.
    """
    env = _isolated_env(home)
    work = home / "work"
    env.update(WORKBOOK_SCORES_DIR=str(work / "scores"), WORKBOOK_ACH_DIR=str(work / "ach"),
               WORKBOOK_ANSWERS_DIR=str(work / "answers"), WORKBOOK_CASE=str(root / "data" / "moscow-trials"))
    env.pop("WORKBOOK_RATER", None)
    port = free_port()
    server = Server("Voilà", [env.get("PYTHON", sys.executable), "-m", "voila", "--no-browser", f"--port={port}",
                              "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "."],
                    f"http://127.0.0.1:{port}", log, env, root / "app")
    server.work = work
    return server


def shown_or_reload(page, locator, first: float = 90_000, then: float = 180_000) -> int:
    """Wait for ``locator`` on a Voilà page; reload once if the page hangs with its kernel idle
    (voila-dashboards/voila#1446, seen on this shared machine under load), as a user would.
    Returns the number of reloads (0 or 1)."""
    from playwright.sync_api import expect

    try:
        expect(locator).to_have_count(1, timeout=first)
        return 0
    except AssertionError:
        page.reload(wait_until="commit")
        expect(locator).to_have_count(1, timeout=then)
        return 1


def launch_chromium(playwright, executable: str):
    """Debian's Chromium, headless, with a fresh profile (Playwright's temporary one)."""
    args = list(CHROMIUM_ARGS)
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return playwright.chromium.launch(executable_path=executable, headless=True, args=args)


# --------------------------------------------------------------------------- JupyterLab in the page

RUN_ALL = """async (timeoutMs) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  const run = app.commands.execute('notebook:run-all-cells');
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('run-all timed out')), timeoutMs));
  await Promise.race([run, timeout]);
  const errors = [];
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j);
      if (out.type === 'error') errors.push(`cell ${i + 1}: ${out.toJSON().ename}: ${out.toJSON().evalue}`);
    }
  }
  return errors;
}"""

NOTEBOOK_OPEN = """(path) => {
  const app = window.jupyterapp;
  const w = app && app.shell && app.shell.currentWidget;
  return !!(w && w.context && w.context.path === path && w.sessionContext && w.sessionContext.session
            && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle');
}"""


def open_notebook(page, server: Server, path: str, timeout: float = 90.0) -> None:
    """Open ``path`` (relative to the server's root) in JupyterLab and wait for an idle kernel."""
    page.goto(f"{server.url}/lab/tree/{path}?token={server.token}")
    wait_for_notebook(page, path, timeout)


def wait_for_notebook(page, path: str, timeout: float = 90.0) -> None:
    """Wait until ``path`` is the notebook on show in JupyterLab and its kernel is idle."""
    page.wait_for_function(NOTEBOOK_OPEN, arg=path, timeout=timeout * 1000)


def run_all(page, timeout: float = 120.0) -> list[str]:
    """Run every cell of the notebook on show; the errors the cells raised (empty: none)."""
    return page.evaluate(RUN_ALL, timeout * 1000)
