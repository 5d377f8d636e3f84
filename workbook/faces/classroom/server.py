"""The class server: Voilà serving the student pages of ``app/`` to a classroom, one kernel per student.

Built on Voilà's own application (a Jupyter Server web application) and its hooks,
not on a web framework of our own:

- **who a browser is** is decided by :class:`ClassIdentityProvider`, a Jupyter Server
  ``IdentityProvider``: a signed cookie set when the student joined, holding the
  student's name and a random token whose hash the class state keeps.  The page's
  address plays no part (``?rater=`` is ignored), an edited cookie fails its
  signature, and a cookie for a name whose token the state does not hold is refused;
- **what the kernel knows** comes from Voilà's ``prelaunch_hook``
  (:func:`prelaunch_hook`): it records the verified student for the request, and the
  kernel manager (:class:`ClassKernelManager`) starts that student's kernel with
  ``WORKBOOK_RATER``, ``WORKBOOK_CASE``, ``WORKBOOK_SCORES_DIR``, ``WORKBOOK_ACH_DIR``,
  ``WORKBOOK_ANSWERS_DIR`` and ``WORKBOOK_MODE=class`` in its environment, which
  :func:`workbook.faces.session.current_session` reads;
- **what a student reaches** is checked by :class:`ClassAuthorizer`, a Jupyter Server
  ``Authorizer``: a kernel's API and websocket only for the student whose page started
  it.  The application has no contents, sessions, terminals, tree or files handlers at
  all, Voilà's page can send the kernel only widget messages (Voilà's own message
  filter), and tracebacks are never sent;
- the join page, the teacher's dashboard and the download are small Jupyter Server
  handlers (:mod:`workbook.faces.classroom.pages`).
"""

from __future__ import annotations

import contextvars
import json
import os
import socket
from pathlib import Path

from jupyter_server import DEFAULT_STATIC_FILES_PATH
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Dict
from traitlets.config import Config
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler

from ...case.store import case_folder, case_name
from .state import WORK_FOLDERS, ClassState, Throttle, read_roster

__all__ = ["ClassroomApp", "serve_class", "lan_address", "STUDENT_COOKIE", "TEACHER_COOKIE", "class_pages"]

STUDENT_COOKIE = "workbook-class-student"
TEACHER_COOKIE = "workbook-class-teacher"
PENDING_COOKIE = "workbook-class-pending"
#: The page a student lands on after joining (when it exists).
FIRST_PAGE = "scoring-app.ipynb"
#: The verified student of the request being served (set by the prelaunch hook, read when the kernel starts).
_STUDENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("workbook_class_student", default=None)
ROOT = Path(__file__).resolve().parents[3]


def class_pages(app_dir: str | Path) -> list[str]:
    """The notebook pages students may open: every ``*.ipynb`` under ``app_dir``, by relative path,
    except hidden ones, ``_private`` ones and checkpoints; the scoring app first, the lessons next, the
    documents they link to (``doc-*``: the glossary...) last."""
    app_dir = Path(app_dir)
    pages = []
    for path in app_dir.rglob("*.ipynb"):
        parts = path.relative_to(app_dir).parts
        if any(p.startswith((".", "_")) for p in parts):
            continue
        pages.append(path.relative_to(app_dir).as_posix())
    return sorted(pages, key=lambda p: (p != FIRST_PAGE, p.startswith("doc-"), p))


def lan_address() -> str:
    """The machine's address on its network (what a student's browser can reach), else 127.0.0.1.

    Asks the operating system which local address it would use to reach an outside
    address (no packet is sent: a UDP socket is only connected).
    """
    for probe in ("192.0.2.1", "10.255.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                address = s.getsockname()[0]
            if address and not address.startswith("127."):
                return address
        except OSError:
            continue
    try:
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            return address
    except OSError:
        pass
    return "127.0.0.1"


# --------------------------------------------------------------------------- Jupyter Server hooks


class ClassIdentityProvider(IdentityProvider):
    """A student is who their signed cookie says, when the class state holds the cookie's token."""

    def get_user(self, handler: web.RequestHandler) -> User | None:
        classroom = handler.settings.get("workbook_class")
        if classroom is None:
            return None
        raw = handler.get_secure_cookie(STUDENT_COOKIE, max_age_days=366)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            rater, token = str(data["rater"]), str(data["token"])
        except (ValueError, KeyError, TypeError):
            return None
        if not classroom.state.is_student_token(rater, token):
            return None
        return User(username=rater, name=rater, display_name=rater, initials=rater[:2].upper())

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    @property
    def logout_available(self) -> bool:
        return False

    def get_handlers(self) -> list:
        return []  # the join page is the class's own (pages.JoinHandler)

    def validate_security(self, app, ssl_options=None) -> None:
        return None


class ClassAuthorizer(Authorizer):
    """A student may use a kernel (its API, its websocket) only if their own page started it."""

    def is_authorized(self, handler: web.RequestHandler, user: User, action: str, resource: str) -> bool:
        if user is None or resource != "kernels":
            return False
        kernel_id = (getattr(handler, "kernel_id", None) or handler.path_kwargs.get("kernel_id")
                     or (handler.path_args[0] if handler.path_args else None))
        owners = handler.settings["kernel_manager"].owners
        return kernel_id is not None and owners.get(kernel_id) == user.username


class ClassKernelManager(AsyncMappingKernelManager):
    """Starts each kernel with the verified student's session in its environment, and remembers its owner."""

    owners = Dict(help="kernel id -> the student whose page started it")
    session_env = Dict(help="the class's WORKBOOK_* variables, without the rater").tag(config=True)

    async def start_kernel(self, *, kernel_id: str | None = None, path: str | None = None, **kwargs) -> str:
        rater = _STUDENT.get()
        if rater is None:
            raise web.HTTPError(403, "no student for this kernel")
        env = dict(kwargs.pop("env", None) or os.environ)
        for name in ("QUERY_STRING", "SCRIPT_NAME", "PATH_INFO", "VOILA_REQUEST_URL"):
            env.pop(name, None)  # what the page's address said: the kernel must not trust it
        env.update(self.session_env)
        env["WORKBOOK_RATER"] = rater
        kernel_id = await super().start_kernel(kernel_id=kernel_id, path=path, env=env, **kwargs)
        self.owners[kernel_id] = rater
        return kernel_id


def prelaunch_hook(req_handler, notebook, cwd):
    """Voilà's pre-launch hook: the page is one of the class's pages and its student is verified."""
    user = req_handler.current_user
    if not isinstance(user, User):
        raise web.HTTPError(403)
    _STUDENT.set(user.username)
    return notebook


class ClassVoilaHandler(TornadoVoilaHandler):
    """Voilà's page handler, for the class's pages only."""

    @web.authenticated
    async def get(self, path=None):
        if path not in self.settings["workbook_class"].pages:
            raise web.HTTPError(404)
        return await super().get(path)


class ClassShutdownHandler(VoilaShutdownKernelHandler):
    """Voilà's "shut my kernel down" (on leaving the page), for the student's own kernel only."""

    @web.authenticated
    async def post(self, kernel_id):
        if self.settings["kernel_manager"].owners.get(kernel_id) != self.current_user.username:
            raise web.HTTPError(403)
        return await super().post(kernel_id)


# --------------------------------------------------------------------------- the application


class Classroom:
    """What the handlers share: the class state, the case, the folders, the pages, the throttles."""

    def __init__(self, *, case_path: Path, class_dir: Path, app_dir: Path, state: ClassState):
        self.case_path = case_path
        self.class_dir = class_dir
        self.app_dir = app_dir
        self.state = state
        self.pages = class_pages(app_dir)
        self.titles = {page: _title(app_dir / page) for page in self.pages}
        self.throttle = Throttle()
        self._case = None
        self._summary_cache: tuple | None = None

    @property
    def case(self):
        if self._case is None:
            from ...case.loading import load_case

            self._case = load_case(self.case_path)
        return self._case

    def folder(self, name: str) -> Path:
        return self.class_dir / name

    def _signature(self) -> tuple:
        stamps = []
        for sub in WORK_FOLDERS:
            folder = self.class_dir / sub
            if folder.is_dir():
                for path in sorted(folder.glob("*.csv")):
                    try:
                        st = path.stat()
                    except FileNotFoundError:
                        continue
                    stamps.append((sub, path.name, st.st_mtime_ns, st.st_size))
        return tuple(stamps), tuple(self.state.students()), len(self.state.pending()), self.state.closed

    def summary(self) -> dict:
        """The dashboard's numbers, from the files on disk (recomputed only when a file changed)."""
        signature = self._signature()
        if self._summary_cache and self._summary_cache[0] == signature:
            return self._summary_cache[1]
        from .progress import class_agreement, class_disputed, class_progress, class_scores

        case = self.case
        joined = {r: self.state.joined_at(r) for r in self.state.students()}
        progress = class_progress(self.class_dir, case, self.state.students(), joined)
        scores = class_scores(self.class_dir, case)
        alphas = class_agreement(scores, case)
        disputed = class_disputed(scores, case)
        total = len(case.testimonies)

        def number(value):
            return None if value != value else round(float(value), 3)  # NaN -> None

        summary = {
            "case": case_name(self.case_path),
            "testimonies": total,
            "closed": self.state.closed,
            "students": [{**row, "joined": row["rater"] in joined} for row in progress.to_dict("records")],
            "agreement": [{"criterion": r["criterion"], "label": str(r.get("label") or ""), "alpha": number(r["alpha"]),
                           "raters": int(r["raters"]), "units": int(r["units"]), "note": str(r.get("note") or "")}
                          for r in alphas.to_dict("records")],
            "disputed": [{"testimony_id": r["testimony_id"], "criterion": r["criterion"], "range": int(r["range"]),
                          "std": round(float(r["std"]), 2), "raters": int(r["raters"]), "values": r["values"]}
                         for r in disputed.to_dict("records")],
            "pending": [{"id": r["id"], "rater": r["rater"], "at": r["at"]} for r in self.state.pending()],
        }
        self._summary_cache = (signature, summary)
        return summary


def _title(path: Path) -> str:
    """The page's title: the first heading of its first markdown cell, else its file name."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                for line in "".join(cell.get("source", "")).splitlines():
                    if line.startswith("#"):
                        return line.lstrip("#").strip()
    except (OSError, ValueError):
        pass
    return path.stem.replace("-", " ").capitalize()


class ClassroomApp(Voila):
    """Voilà's application with the class's identity, authorizer, kernel manager, hook and pages."""

    name = "workbook-class"
    classroom = None  # set by serve_class before start

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["login_url"] = self.base_url + "join"
        settings["workbook_class"] = self.classroom
        settings["xsrf_cookies"] = True
        return settings

    def init_handlers(self) -> list:
        from voila.tornado.contentshandler import VoilaContentsHandler
        from voila.tornado.treehandler import TornadoVoilaTreeHandler

        from .pages import page_handlers

        dropped = {TornadoVoilaTreeHandler, VoilaContentsHandler}
        handlers = []
        for spec in super().init_handlers():
            pattern, handler = spec[0], spec[1]
            if handler in dropped or "/voila/files/" in pattern or "/voila/query/" in pattern \
                    or "/voila/execution/" in pattern:
                continue  # no file browser, no contents, no files, no progressive execution channel
            if handler is TornadoVoilaHandler:
                spec = (pattern, ClassVoilaHandler, *spec[2:])
            elif handler is VoilaShutdownKernelHandler:
                spec = (pattern, ClassShutdownHandler, *spec[2:])
            handlers.append(spec)
        return page_handlers(self.base_url) + handlers


def _config(classroom: Classroom, *, ip: str, port: int, secret: bytes) -> Config:
    env = {
        "WORKBOOK_MODE": "class",
        "WORKBOOK_CASE": str(classroom.case_path.resolve()),
        "WORKBOOK_SCORES_DIR": str((classroom.class_dir / "scores").resolve()),
        "WORKBOOK_ACH_DIR": str((classroom.class_dir / "ach").resolve()),
        "WORKBOOK_ANSWERS_DIR": str((classroom.class_dir / "answers").resolve()),
    }
    return Config({
        "Voila": {
            "ip": ip, "port": port, "port_retries": 0, "open_browser": False, "config_file_paths": [],
            "cookie_secret": secret, "token": "",
            "identity_provider_class": ClassIdentityProvider, "authorizer_class": ClassAuthorizer,
            "root_dir": str(classroom.app_dir),
            # set after the application is made, so no /static/ route is added: Jupyter's error
            # pages only need it to write their links
            "tornado_settings": {"static_path": DEFAULT_STATIC_FILES_PATH},
        },
        "VoilaConfiguration": {
            "show_tracebacks": False,
            "prelaunch_hook": prelaunch_hook,
            "multi_kernel_manager_class": ClassKernelManager,
            "preheat_kernel": False,
            "progressive_rendering": False,
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "http_header_envs": [],
            "extension_allowlist": ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"],
        },
        "ClassKernelManager": {"session_env": env, "cull_idle_timeout": 900, "cull_interval": 60,
                               "cull_connected": False},
    })


def banner(classroom: Classroom, *, ip: str, port: int) -> str:
    """What the teacher reads in the terminal: the students' address and code, the teacher's page and code."""
    host = lan_address() if ip in ("", "0.0.0.0", "::") else ip
    state = classroom.state
    lines = [
        "",
        f"The class is open: {case_name(classroom.case_path)} (class folder: {classroom.class_dir}).",
        "",
        f"  Students type this address in their browser:   http://{host}:{port}/",
        f"  and this join code:                            {state.join_code}",
        "",
        f"  Your dashboard (teacher):                      http://{host}:{port}/teacher",
        f"  teacher code (keep it to yourself):            {state.teacher_code}",
        "",
    ]
    if host.startswith("127."):
        lines.insert(-1, "  This address works on this computer only (--ip 127.0.0.1, or no network found).")
        lines.insert(-1, "")
    if state.roster:
        lines.append("  Personal codes (a student whose name is already taken on another browser types theirs):")
        for name, entry in sorted(state.roster.items()):
            lines.append(f"    {name:<24} {entry['code']}")
        lines.append("")
    lines.append("Every click is saved at once in the student's own file. Ctrl-C stops the class; "
                 "start it again with the same command and every student is back where they were.")
    return "\n".join(lines)


def serve_class(case: str | Path, *, port: int = 8866, ip: str = "", join_code: str | None = None,
                teacher_code: str | None = None, class_dir: str | Path | None = None,
                roster: str | Path | None = None, app_dir: str | Path | None = None) -> None:
    """Serve the class (blocks until stopped). See ``python -m workbook class --help``."""
    from ...case.loading import load_case

    case_path = Path(case)
    loaded = load_case(case_path)  # fails early, with the case's problems, before anything listens
    app_dir = Path(app_dir) if app_dir else ROOT / "app"
    if not (app_dir / FIRST_PAGE).exists() and not class_pages(app_dir):
        raise FileNotFoundError(f"there are no pages to serve in {app_dir}")
    class_dir = Path(class_dir) if class_dir else case_folder(Path("classes"), case_path)
    for sub in WORK_FOLDERS:
        (class_dir / sub).mkdir(parents=True, exist_ok=True)
    state = ClassState(class_dir)
    state.setup(case=case_name(case_path), join_code=join_code, teacher_code=teacher_code,
                roster=read_roster(roster) if roster else None)
    classroom = Classroom(case_path=case_path, class_dir=class_dir, app_dir=app_dir, state=state)
    classroom._case = loaded
    app = ClassroomApp(config=_config(classroom, ip=ip, port=port, secret=state.cookie_secret()))
    app.classroom = classroom
    app.initialize([str(app_dir)])
    text = banner(classroom, ip=ip, port=port)

    def announce() -> None:
        print(text, flush=True)

    from tornado.ioloop import IOLoop

    IOLoop.current().add_callback(announce)
    app.start()
