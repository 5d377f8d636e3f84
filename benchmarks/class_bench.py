"""A class at full size: simulated students against ``python -m workbook class`` (part of ``make bench``).

Starts the class server on a free port of 127.0.0.1 (loopback only) with a
temporary class folder, then simulates ``--students`` students (default 30),
each doing what the page's browser does, without a browser:

1. join: ``GET /join``, ``POST /join`` with the join code and a name (a cookie comes back);
2. open the app page (Voilà runs the app in the student's own kernel and streams the page),
   open the kernel's websocket and ask for every widget's state, as the page's widget
   manager does; *join to first card* is the time from the join to the card's widgets
   being known (every state received);
3. click: every 2 to 5 seconds (uniform) a level of a criterion of the card on show, sent
   as the browser sends it (a ``comm_msg`` updating the toggle buttons' ``index``);
   *click to saved* is the time from sending the click to the new value being in the
   student's file on disk.

Students join spread over ``--join-window`` seconds (default 60) and click for
``--duration`` seconds each (default 180).  At the end, every student's file is
compared with the last level they clicked on each criterion: a difference is a
*lost change*.  Memory is the resident memory of the server and all kernels
(``psutil``), divided by the number of students.  A page that Voilà never finishes
(voila-dashboards/voila#1446) is loaded again after 150 s, as a student would; the
count is reported.

Run: ``python benchmarks/class_bench.py`` (or with ``--students 10 --duration 60``
for a shorter run).  Writes its table into BENCHMARKS.md between
``<!-- class-results -->`` and ``<!-- /class-results -->`` unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "data" / "moscow-trials"
JOIN, TEACHER = "BENCH7", "BENCHTEACHER"
START, END = "<!-- class-results -->", "<!-- /class-results -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Student:
    def __init__(self, name: str, url: str, folder: Path, rng: random.Random):
        from tornado.httpclient import AsyncHTTPClient

        self.name, self.url, self.folder, self.rng = name, url, folder, rng
        self.http = AsyncHTTPClient()
        self.cookies: dict[str, str] = {}
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict] = {}
        self.pending: dict[str, asyncio.Future] = {}
        self.clicks: list[float] = []
        self.expected: dict[str, str] = {}
        self.first_card: float | None = None
        self.reloads = 0
        self.errors: list[str] = []

    # ------------------------------------------------------------------ http
    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep(self, response) -> None:
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]

    async def fetch(self, path: str, body: dict | None = None, timeout: float = 120):
        from tornado.httpclient import HTTPClientError

        kwargs = {"method": "POST", "body": urllib.parse.urlencode(body)} if body is not None else {}
        try:
            response = await self.http.fetch(self.url + path, headers={"Cookie": self._cookie_header()},
                                             follow_redirects=False, request_timeout=timeout, **kwargs)
        except HTTPClientError as error:
            response = error.response
            if response is None:
                raise
        self._keep(response)
        return response

    # ------------------------------------------------------------------ the page's widget manager
    async def open_page(self) -> None:
        page = await self.fetch("/voila/render/scoring-app.ipynb", timeout=150)
        kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.body.decode()).group(1)
        await self.connect(kernel_id)

    async def connect(self, kernel_id: str) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        ws_url = self.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?session_id={self.session}"
        request = HTTPRequest(ws_url, headers={"Cookie": self._cookie_header(), "Origin": self.url})
        self.ws = await websocket_connect(request, max_message_size=64 * 1024 * 1024)
        asyncio.ensure_future(self.listen())
        reply = await self.send("shell", "comm_info_request", {"target_name": "jupyter.widget"}, wait="comm_info_reply")
        comms = list(reply["content"]["comms"])
        waits = [self.send("shell", "comm_msg", {"comm_id": c, "data": {"method": "request_state"}},
                           wait=("state", c)) for c in comms]
        await asyncio.gather(*waits)

    def message(self, channel: str, msg_type: str, content: dict) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                           "username": self.name, "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}

    async def send(self, channel: str, msg_type: str, content: dict, wait=None) -> dict | None:
        msg = self.message(channel, msg_type, content)
        future = None
        if wait is not None:
            key = wait if isinstance(wait, tuple) else (wait, msg["header"]["msg_id"])
            future = asyncio.get_running_loop().create_future()
            self.pending[key] = future
        await self.ws.write_message(json.dumps(msg))
        return await asyncio.wait_for(future, 120) if future is not None else None

    async def listen(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                return
            if isinstance(raw, bytes):
                continue
            msg = json.loads(raw)
            kind = msg.get("msg_type") or msg["header"]["msg_type"]
            parent = msg.get("parent_header", {}).get("msg_id")
            if kind == "comm_info_reply":
                self._resolve(("comm_info_reply", parent), msg)
            elif kind == "comm_msg":
                data = msg["content"].get("data", {})
                comm = msg["content"]["comm_id"]
                if data.get("method") == "update":
                    self.states.setdefault(comm, {}).update(data.get("state", {}))
                    self._resolve(("state", comm), msg)
            elif kind == "comm_open":
                self.states.setdefault(msg["content"]["comm_id"], {}).update(
                    msg["content"].get("data", {}).get("state", {}))

    def _resolve(self, key, msg) -> None:
        future = self.pending.pop(key, None)
        if future is not None and not future.done():
            future.set_result(msg)

    # ------------------------------------------------------------------ the student
    def level_controls(self) -> list[tuple[str, dict]]:
        """The toggle buttons of the card's criteria (those whose labels include "unknown")."""
        return sorted((c, s) for c, s in self.states.items()
                      if s.get("_model_name") == "ToggleButtonsModel" and "unknown" in (s.get("_options_labels") or []))

    def saved(self) -> dict[tuple[str, str], str]:
        path = self.folder / f"{self.name}.csv"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        return {(r["testimony_id"], r["criterion"]): r["value"] for r in csv.DictReader(io.StringIO(text))}

    async def run(self, delay: float, duration: float, stop_at: float) -> None:
        await asyncio.sleep(delay)
        start = time.monotonic()
        try:
            await self.fetch("/join")
            await self.fetch("/join", {"code": JOIN, "name": self.name, "_xsrf": self.cookies.get("_xsrf", "")})
            for attempt in range(3):
                try:
                    await self.open_page()
                    break
                except Exception as error:  # noqa: BLE001 - a page Voilà never finishes: load it again
                    if attempt == 2:
                        raise
                    self.reloads += 1
                    self.errors.append(f"page load {attempt + 1}: {type(error).__name__}")
            self.first_card = time.monotonic() - start
            controls = self.level_controls()
            if not controls:
                raise RuntimeError("no criterion controls on the page")
            end = min(time.monotonic() + duration, stop_at)
            while time.monotonic() + 2 < end:
                await asyncio.sleep(self.rng.uniform(2, 5))
                comm, state = self.rng.choice(controls)
                labels = state["_options_labels"]
                index = self.rng.choice([i for i in range(len(labels)) if i != state.get("index")])
                before = self.saved()
                sent = time.monotonic()
                await self.send("shell", "comm_msg", {"comm_id": comm, "data": {
                    "method": "update", "state": {"index": index}, "buffer_paths": []}})
                state["index"] = index
                self.expected[comm] = labels[index]
                while time.monotonic() - sent < 30:
                    now = self.saved()
                    if now != before:
                        self.clicks.append(time.monotonic() - sent)
                        break
                    await asyncio.sleep(0.01)
                else:
                    self.errors.append("a click was not saved within 30 s")
        except Exception as error:  # noqa: BLE001 - a student's failure is a result, not a crash
            self.errors.append(f"{type(error).__name__}: {error}")


def memory(pid: int) -> tuple[float, float]:
    """Resident memory (MB) of the server alone and of the server with every kernel."""
    import psutil

    server = psutil.Process(pid)
    total = server.memory_info().rss
    for child in server.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return server.memory_info().rss / 2**20, total / 2**20


def lost_changes(students: list[Student], case_path: Path) -> tuple[int, int]:
    """Criteria whose last clicked level is not the one in the student's file at the end, and clicks in all.

    A criterion's control is known by its level labels (unique to each criterion).
    """
    import workbook

    probe = workbook.scoring_panel(workbook.load_case(case_path), "probe", tempfile.mkdtemp())
    by_labels = {tuple(label for label, _ in control.options): (criterion, dict(control.options))
                 for criterion, control in probe.controls.items()}
    lost = total = 0
    for s in students:
        saved = s.saved()
        total += len(s.clicks)
        for comm, label in s.expected.items():
            criterion, values = by_labels[tuple(s.states[comm]["_options_labels"])]
            want = "" if values[label] == "unknown" else str(values[label])
            if saved.get((probe.current_id, criterion)) != want:
                lost += 1
    return lost, total


def run(args) -> str:
    import psutil  # noqa: F401  (fail early when missing)

    work = Path(tempfile.mkdtemp(prefix="class-bench-"))
    class_dir = work / "class"
    port = free_port()
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    command = [sys.executable, "-m", "workbook", "class", str(CASE), "--ip", "127.0.0.1", f"--port={port}",
               "--class-dir", str(class_dir), "--join-code", JOIN, "--teacher-code", TEACHER]
    log = open(work / "server.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/join", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        rng = random.Random(20261204)
        students = [Student(f"bench-{n:02d}", url, class_dir / "scores", random.Random(rng.random()))
                    for n in range(args.students)]
        delays = sorted(rng.uniform(0, args.join_window) for _ in students)
        stop_at = time.monotonic() + args.join_window + args.duration + 120
        peak = [0.0, 0.0]

        async def sample() -> None:
            while True:
                server_mb, total_mb = memory(server.pid)
                peak[0], peak[1] = max(peak[0], server_mb), max(peak[1], total_mb)
                await asyncio.sleep(5)

        async def main() -> None:
            sampler = asyncio.ensure_future(sample())
            await asyncio.gather(*(s.run(d, args.duration, stop_at) for s, d in zip(students, delays)))
            sampler.cancel()

        started = time.monotonic()
        asyncio.run(main())
        elapsed = time.monotonic() - started
        server_mb, total_mb = memory(server.pid)
        lost, clicks = lost_changes(students, CASE)
    finally:
        for child in _children(server.pid):
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()

    firsts = [s.first_card for s in students if s.first_card is not None]
    saves = [t for s in students for t in s.clicks]
    failed = [f"{s.name}: {'; '.join(s.errors)}" for s in students if s.errors]
    n = len(students)
    rows = [
        ("students joined (cards shown / all)", f"{len(firsts)} / {n}", "all"),
        ("join to first card, median", f"{statistics.median(firsts):.1f} s" if firsts else "n/a", ""),
        ("join to first card, 95th percentile", f"{quantile(firsts, 0.95):.1f} s" if firsts else "n/a", "<= 5 s"),
        ("join to first card, slowest", f"{max(firsts):.1f} s" if firsts else "n/a", ""),
        ("pages loaded again (Voilà stall)", str(sum(s.reloads for s in students)), "0"),
        ("clicks", str(len(saves)), ""),
        ("click to saved, median", f"{statistics.median(saves) * 1000:.0f} ms" if saves else "n/a", ""),
        ("click to saved, 95th percentile", f"{quantile(saves, 0.95) * 1000:.0f} ms" if saves else "n/a",
         "<= 300 ms"),
        ("lost changes (each criterion's last click checked in the file)", f"{lost} (of {clicks} clicks)", "0"),
        ("memory: server alone (end)", f"{server_mb:.0f} MB", ""),
        ("memory per student (server + kernels, peak / students)", f"{peak[1] / n:.0f} MB", ""),
    ]
    text = [f"Run {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.python_version()}: {n} students joining within {args.join_window:.0f} s, "
            f"a click every 2-5 s for {args.duration:.0f} s each ({elapsed:.0f} s in all), loopback.", "",
            "| measure | result | target |", "|---|---|---|"]
    text += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    if failed:
        text += ["", "Students with problems: " + "; ".join(failed[:10])]
    shutil.rmtree(work, ignore_errors=True)
    return "\n".join(text)


def _children(pid: int) -> list[int]:
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception:  # noqa: BLE001
        return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--join-window", type=float, default=60.0, help="seconds over which students join")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds each student clicks")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    text = run(args)
    print(text)
    if not args.no_write:
        path = Path(args.output)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        block = f"{START}\n{text}\n{END}"
        if START in old and END in old:
            new = old[:old.index(START)] + block + old[old.index(END) + len(END):]
        else:
            new = old.rstrip("\n") + "\n\n## A class at full size (benchmarks/class_bench.py)\n\n" + block + "\n"
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
