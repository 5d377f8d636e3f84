"""The class server's own pages: joining, the page list, the teacher's dashboard and download.

Small Jupyter Server handlers (``JupyterHandler``: signed cookies, XSRF-checked
forms, Jupyter's error pages without tracebacks).  Every text that comes from a
student or a file is escaped (``html.escape``) where it becomes HTML, and the
dashboard's script writes numbers and names with ``textContent`` only.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import math
import secrets
import zipfile
from urllib.parse import quote

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from ...case.store import RaterNameError
from .state import WORK_FOLDERS, hash_token, normalise_name, same_code

__all__ = ["page_handlers"]

STYLE = """<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1b1b;
       background: #f6f6f4; line-height: 1.45; }
main { max-width: 46rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff; border: 1px solid #ddd;
       border-radius: 6px; }
main.wide { max-width: 80rem; }
h1 { font-size: 1.6rem; margin-top: 0; }
label { display: block; margin: 1rem 0 0.3rem; font-weight: 600; }
input, select { font-size: 1.1rem; padding: 0.45rem; width: 100%; max-width: 22rem; box-sizing: border-box;
                border: 1px solid #767676; border-radius: 4px; }
button { font-size: 1.05rem; padding: 0.5rem 1.2rem; margin-top: 1.2rem; background: #1f4e79; color: #fff;
         border: 0; border-radius: 4px; cursor: pointer; }
button.secondary { background: #fff; color: #1f4e79; border: 1px solid #1f4e79; margin-top: 0; }
button:focus, input:focus, select:focus, a:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
.error { color: #9b0014; background: #fdecee; border-left: 4px solid #9b0014; padding: 0.6rem 0.9rem; }
.note { color: #3d3d3d; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: #1f4e79; }
</style>"""


def _too_many(wait: float) -> str:
    seconds = max(1, math.ceil(wait))
    return (f"Too many wrong codes from this computer: wait {seconds} second{'' if seconds == 1 else 's'}, "
            "then try again.")


def _page(title: str, body: str, *, wide: bool = False) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>{STYLE}</head>"
            f'<body><main class="{"wide" if wide else ""}">{body}</main></body></html>')


class _ClassHandler(JupyterHandler):
    """Shared helpers: the class, the student (if any), the teacher (if signed in), pages."""

    @property
    def classroom(self):
        return self.settings["workbook_class"]

    def student(self) -> str | None:
        user = self.current_user
        return getattr(user, "username", None)

    def is_teacher(self) -> bool:
        raw = self.get_secure_cookie("workbook-class-teacher", max_age_days=2)
        return bool(raw) and self.classroom.state.is_teacher_token(raw.decode("ascii", "replace"))

    def write_error(self, status_code: int, **kwargs) -> None:
        """A short page for an error, never a traceback."""
        words = {403: "This page is not for you.", 404: "There is no such page.",
                 429: "Too many tries: wait a moment."}.get(status_code, "Something went wrong on the server.")
        self.finish(_page(f"{status_code}", f"<h1>{status_code}</h1><p>{html.escape(words)}</p>"
                          f'<p><a href="{html.escape(self.base_url)}">Back to the class</a></p>'))

    def send_page(self, title: str, body: str, *, status: int = 200, **kwargs) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(_page(title, body, **kwargs))

    def wait_for(self) -> float:
        return self.classroom.throttle.wait(self.request.remote_ip or "?")

    def failed(self) -> None:
        self.classroom.throttle.failed(self.request.remote_ip or "?")

    def succeeded(self) -> None:
        self.classroom.throttle.succeeded(self.request.remote_ip or "?")

    def set_student_cookie(self, rater: str, token: str) -> None:
        self.set_secure_cookie("workbook-class-student", json.dumps({"rater": rater, "token": token}),
                               expires_days=366, httponly=True, samesite="Lax", path=self.base_url)

    def after_join_url(self) -> str:
        from .server import FIRST_PAGE

        if FIRST_PAGE in self.classroom.pages:
            return self.base_url + f"voila/render/{quote(FIRST_PAGE)}"
        return self.base_url


# --------------------------------------------------------------------------- students


class IndexHandler(_ClassHandler):
    """The class's front page: the pages a joined student can open (joining first otherwise)."""

    @allow_unauthenticated
    def get(self):
        rater = self.student()
        if rater is None:
            return self.redirect(self.base_url + "join")
        items = "".join(f'<li><a href="{self.base_url}voila/render/{html.escape(quote(p))}">'
                        f"{html.escape(self.classroom.titles[p])}</a></li>" for p in self.classroom.pages)
        self.send_page("Your class", f"<h1>Your class</h1><p>You are <b>{html.escape(rater)}</b>. "
                       f"Everything you do is saved under this name.</p><ul>{items}</ul>")


class JoinHandler(_ClassHandler):
    """Type the join code and your name (or pick it from the class list)."""

    def form(self, error: str = "", name: str = "", status: int = 200) -> None:
        state = self.classroom.state
        self.xsrf_token  # noqa: B018  (sets the XSRF cookie, also on the page without a form)
        if state.closed:
            return self.send_page("Class closed", "<h1>This class is closed</h1><p>The teacher has closed the class "
                                  "to new students. If you joined before, open the page on the browser you used "
                                  "then; otherwise ask your teacher.</p>", status=403 if error else 200)
        if state.roster:
            options = "".join(f'<option value="{html.escape(n)}"{" selected" if n == name else ""}>{html.escape(n)}'
                              "</option>" for n in state.roster)
            name_field = (f'<label for="name">Your name</label><select id="name" name="name">'
                          f'<option value="">choose your name</option>{options}</select>')
        else:
            name_field = ('<label for="name">Your name</label>'
                          f'<input id="name" name="name" value="{html.escape(name)}" autocomplete="off" '
                          'required maxlength="64" aria-describedby="name-help">'
                          '<p id="name-help" class="note">Lower-case letters, digits, - or _ (e.g. ana or ana-k). '
                          "Use the same name every time.</p>")
        message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        self.send_page("Join the class", (
            f"<h1>Join the class</h1>{message}"
            f'<form method="post" action="{self.base_url}join">{self.xsrf_form_html()}'
            '<label for="code">Join code (on the board)</label>'
            '<input id="code" name="code" autocomplete="off" required autocapitalize="characters">'
            f"{name_field}<button type=\"submit\">Join</button></form>"), status=status)

    @allow_unauthenticated
    def get(self):
        if self.student() is not None:
            return self.redirect(self.after_join_url())
        self.form()

    @allow_unauthenticated
    async def post(self):
        state = self.classroom.state
        typed_name = self.get_body_argument("name", "")
        wait = self.wait_for()
        if wait > 0:
            return self.form(_too_many(wait),
                             typed_name, status=429)
        if not same_code(self.get_body_argument("code", ""), state.join_code):
            self.failed()
            await asyncio.sleep(0.5)
            return self.form("That join code is not right: check the code on the board and type it again.",
                             typed_name, status=403)
        if state.closed:
            return self.form("closed", status=403)
        try:
            rater = normalise_name(typed_name)
        except RaterNameError:
            return self.form(f"{typed_name.strip()!r} cannot be used as a name: use lower-case letters, digits, "
                             "- or _ (for example ana or ana-k).", typed_name, status=400)
        if state.roster and rater not in state.roster:
            return self.form(f"{rater!r} is not on the class list: choose your name from the list.", status=403)
        self.succeeded()
        current = self.student()
        if current == rater:
            return self.redirect(self.after_join_url())
        token = secrets.token_hex(24)
        if rater not in state.students():
            state.add_student_token(rater, token)
            self.set_student_cookie(rater, token)
            self.log.info("class: %s joined", rater)
            return self.redirect(self.after_join_url())
        # the name is taken by another browser: is it really them?
        request_id = state.add_request(rater, token)
        self.set_secure_cookie("workbook-class-pending", json.dumps({"request": request_id, "token": token}),
                               expires_days=1, httponly=True, samesite="Lax", path=self.base_url)
        self.redirect(self.base_url + "join/taken")


#: The "is it you?" page asks every 3 seconds whether the teacher has decided (``?check=1``, which
#: changes nothing) and reloads only then: no timed refresh (<meta http-equiv="refresh">), which
#: would reload under a student typing their personal code, and which axe-core counts as critical.
TAKEN_SCRIPT = """<script>
setInterval(async () => {
  try {
    const res = await fetch(location.pathname + '?check=1', {cache: 'no-store', credentials: 'same-origin'});
    const s = res.ok ? await res.json() : {state: 'gone'};
    if (s.state !== 'pending') location.reload();
  } catch (e) { /* the server is restarting: ask again later */ }
}, 3000);
</script>"""


class TakenHandler(_ClassHandler):
    """A name already in use: wait for the teacher's approval, or type your personal code."""

    def pending(self) -> tuple[str, str, dict] | None:
        raw = self.get_secure_cookie("workbook-class-pending", max_age_days=1)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            request_id, token = str(data["request"]), str(data["token"])
        except (ValueError, KeyError, TypeError):
            return None
        request = self.classroom.state.request(request_id)
        if request is None or request["token"] != hash_token(token):
            return None
        return request_id, token, request

    def show(self, error: str = "", status: int = 200) -> None:
        found = self.pending()
        if found is None:
            return self.redirect(self.base_url + "join")
        request_id, token, request = found
        rater = request["rater"]
        if request["state"] == "approved":
            self.set_student_cookie(rater, token)
            self.clear_cookie("workbook-class-pending", path=self.base_url)
            return self.redirect(self.after_join_url())
        if request["state"] == "refused":
            self.clear_cookie("workbook-class-pending", path=self.base_url)
            return self.send_page("Not let in", f"<h1>Not let in</h1><p>Your teacher did not let this browser in "
                                  f"as <b>{html.escape(rater)}</b>. <a href=\"{self.base_url}join\">Join again</a> "
                                  "with your own name.</p>", status=403)
        message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        code_form = ""
        if self.classroom.state.roster:
            code_form = (f'<form method="post" action="{self.base_url}join/taken">{self.xsrf_form_html()}'
                         '<label for="personal">Your personal code (from your teacher)</label>'
                         '<input id="personal" name="personal" autocomplete="off" required>'
                         '<button type="submit">That is me</button></form>')
        self.send_page("Is it you?", (
            f"<h1>Is it really you, {html.escape(rater)}?</h1>{message}"
            f"<p>The name <b>{html.escape(rater)}</b> is already in use in this class, on another browser. "
            "If it is you (another computer, or your browser forgot you), your teacher can let you in "
            "from the teacher's page; this page moves on by itself when they do.</p>"
            f"{code_form}<p class=\"note\"><a href=\"{self.base_url}join/taken\">Check again</a> now. "
            f"Not you? <a href=\"{self.base_url}join\">Join with your own name</a>.</p>{TAKEN_SCRIPT}"),
            status=status)

    @allow_unauthenticated
    def get(self):
        if self.get_query_argument("check", ""):  # the page's script: has the teacher decided? (changes nothing)
            found = self.pending()
            self.set_header("Cache-Control", "no-store")
            return self.finish({"state": found[2]["state"] if found else "gone"})
        self.show()

    @allow_unauthenticated
    async def post(self):
        found = self.pending()
        if found is None:
            return self.redirect(self.base_url + "join")
        request_id, token, request = found
        roster = self.classroom.state.roster
        wait = self.wait_for()
        if wait > 0:
            return self.show(_too_many(wait),
                             status=429)
        entry = roster.get(request["rater"])
        if entry is None or not same_code(self.get_body_argument("personal", ""), entry["code"]):
            self.failed()
            await asyncio.sleep(0.5)
            return self.show("That personal code is not right.", status=403)
        self.succeeded()
        self.classroom.state.decide(request_id, True)
        self.show()


# --------------------------------------------------------------------------- the teacher


class TeacherLoginHandler(_ClassHandler):
    def form(self, error: str = "", status: int = 200) -> None:
        message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        self.send_page("Teacher", (
            f"<h1>Teacher's page</h1>{message}"
            f'<form method="post" action="{self.base_url}teacher">{self.xsrf_form_html()}'
            '<label for="code">Teacher code (printed when the class started)</label>'
            '<input id="code" name="code" type="password" autocomplete="off" required>'
            '<button type="submit">Open the dashboard</button></form>'), status=status)

    @allow_unauthenticated
    def get(self):
        if self.is_teacher():
            return self.redirect(self.base_url + "teacher/dashboard")
        self.form()

    @allow_unauthenticated
    async def post(self):
        wait = self.wait_for()
        if wait > 0:
            return self.form(_too_many(wait), 429)
        if not same_code(self.get_body_argument("code", ""), self.classroom.state.teacher_code):
            self.failed()
            await asyncio.sleep(0.5)
            return self.form("That teacher code is not right.", 403)
        self.succeeded()
        token = secrets.token_hex(24)
        self.classroom.state.add_teacher_token(token)
        self.set_secure_cookie("workbook-class-teacher", token, expires_days=2, httponly=True, samesite="Strict",
                               path=self.base_url)
        self.redirect(self.base_url + "teacher/dashboard")


def teacher_only(method):
    @allow_unauthenticated
    def wrapper(self, *args, **kwargs):
        if not self.is_teacher():
            if self.request.method == "GET" and not self.request.path.endswith((".json", ".zip")):
                return self.redirect(self.base_url + "teacher")
            raise web.HTTPError(403)
        return method(self, *args, **kwargs)
    return wrapper


DASHBOARD_SCRIPT = """<script>
const base = document.body.dataset.base;
function cell(row, text, num) { const td = row.insertCell(); td.textContent = text; if (num) td.className = 'num'; }
function fill(id, rows, make) {
  // redraw a table only when its rows changed: a redraw would take the keyboard focus off its buttons
  const body = document.getElementById(id), seen = JSON.stringify(rows);
  if (body.dataset.seen === seen) return;
  body.dataset.seen = seen; body.replaceChildren();
  for (const r of rows) make(body.insertRow(), r);
}
async function refresh() {
  try {
    const res = await fetch(base + 'teacher/summary.json', {cache: 'no-store', credentials: 'same-origin'});
    if (!res.ok) throw new Error(res.status);
    const s = await res.json();
    document.getElementById('count').textContent = s.students.length;
    document.getElementById('state').textContent = s.closed ? 'closed to new students' : 'open to new students';
    document.getElementById('toggle').textContent = s.closed ? 'Open the class again' : 'Close the class to new joins';
    document.getElementById('closed').value = s.closed ? '0' : '1';
    fill('students', s.students, (row, r) => { cell(row, r.rater); cell(row, r.scored + ' / ' + s.testimonies, true);
      cell(row, r.scores, true); cell(row, r.answers, true); cell(row, r.last_activity || ''); });
    fill('agreement', s.agreement, (row, r) => { cell(row, r.label ? r.label + ' (' + r.criterion + ')' : r.criterion);
      cell(row, r.alpha === null ? '—' : r.alpha.toFixed(3), true); cell(row, r.raters, true); cell(row, r.units, true);
      cell(row, r.note); });
    fill('disputed', s.disputed, (row, r) => { cell(row, r.testimony_id); cell(row, r.criterion);
      cell(row, r.range, true); cell(row, r.raters, true); cell(row, r.values); });
    fill('pending', s.pending, (row, r) => { cell(row, r.rater); cell(row, r.at);
      const td = row.insertCell();
      for (const [label, yes] of [['Let in', '1'], ['Refuse', '0']]) {
        const form = document.createElement('form'); form.method = 'post'; form.action = base + 'teacher/approve';
        form.style.display = 'inline';
        for (const [n, v] of [['_xsrf', document.body.dataset.xsrf], ['request', r.id], ['approve', yes]]) {
          const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; form.append(i); }
        const b = document.createElement('button'); b.type = 'submit'; b.className = 'secondary';
        b.textContent = label + ' ' + r.rater; form.append(b); td.append(form); td.append(' ');
      } });
    document.getElementById('none-pending').hidden = s.pending.length > 0;
    document.getElementById('updated').textContent = new Date().toLocaleTimeString();
  } catch (e) { document.getElementById('updated').textContent = 'not reachable (' + e.message + ')'; }
}
refresh(); setInterval(refresh, 3000);
</script>"""


class DashboardHandler(_ClassHandler):
    @teacher_only
    def get(self):
        c = self.classroom
        body = (
            f"<h1>Class dashboard: {html.escape(c.state.data.get('case', ''))}</h1>"
            f"<p><b id=\"count\">…</b> students joined; the class is <b id=\"state\">…</b>. "
            f"Join code: <b>{html.escape(c.state.join_code)}</b>. Updated <span id=\"updated\">…</span> "
            "(every 3 seconds, from the students' files).</p>"
            f'<form method="post" action="{self.base_url}teacher/close">{self.xsrf_form_html()}'
            '<input type="hidden" id="closed" name="closed" value="1">'
            '<button type="submit" id="toggle" class="secondary">Close the class to new joins</button> '
            f'<a href="{self.base_url}teacher/class.zip">Download the class folder (zip)</a></form>'
            "<h2>Waiting to be let in</h2><p id=\"none-pending\" class=\"note\">Nobody is waiting.</p>"
            '<table><thead><tr><th scope="col">name</th><th scope="col">asked at</th><th scope="col">decide</th>'
            '</tr></thead><tbody id="pending"></tbody></table>'
            "<h2>Students</h2>"
            '<table><thead><tr><th scope="col">student</th><th scope="col">testimonies scored</th>'
            '<th scope="col">scores</th><th scope="col">answers</th><th scope="col">last activity (UTC)</th>'
            '</tr></thead><tbody id="students"></tbody></table>'
            "<h2>Agreement (Krippendorff's alpha, as notebook 08)</h2>"
            '<p class="note">1 = full agreement, 0 = no better than chance; rely on 0.800 and up, '
            "tentative from 0.667.</p>"
            '<table><thead><tr><th scope="col">criterion</th><th scope="col">alpha</th><th scope="col">raters</th>'
            '<th scope="col">testimonies</th><th scope="col">note</th></tr></thead><tbody id="agreement"></tbody></table>'
            "<h2>Most disputed testimonies</h2>"
            '<table><thead><tr><th scope="col">testimony</th><th scope="col">criterion</th><th scope="col">range</th>'
            '<th scope="col">raters</th><th scope="col">values</th></tr></thead><tbody id="disputed"></tbody></table>'
        )
        roster = c.state.roster
        if roster:
            rows = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(e['code'])}</td></tr>"
                           for n, e in sorted(roster.items()))
            body += ("<h2>Personal codes</h2><p class=\"note\">For a student whose name is already in use "
                     "on another browser.</p><table><thead><tr><th scope=\"col\">name</th><th scope=\"col\">code"
                     f"</th></tr></thead><tbody>{rows}</tbody></table>")
        page = _page("Class dashboard", body, wide=True).replace(
            "<body>", f'<body data-base="{html.escape(self.base_url)}" '
                      f'data-xsrf="{html.escape(self.xsrf_token.decode("ascii"))}">')
        page = page.replace("</body>", DASHBOARD_SCRIPT + "</body>")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(page)


class SummaryHandler(_ClassHandler):
    @teacher_only
    async def get(self):
        loop = asyncio.get_running_loop()
        summary = await loop.run_in_executor(None, self.classroom.summary)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(summary))


class DownloadHandler(_ClassHandler):
    @teacher_only
    def get(self):
        buffer = io.BytesIO()
        folder = self.classroom.class_dir
        name = self.classroom.state.data.get("case", "class")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for sub in WORK_FOLDERS:
                for path in sorted((folder / sub).glob("*.csv")):
                    if not path.name.startswith("."):
                        archive.writestr(f"{name}/{sub}/{path.name}", path.read_bytes())
        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="{name}-class.zip"')
        self.set_header("Cache-Control", "no-store")
        self.finish(buffer.getvalue())


class CloseHandler(_ClassHandler):
    @teacher_only
    def post(self):
        self.classroom.state.set_closed(self.get_body_argument("closed", "1") == "1")
        self.redirect(self.base_url + "teacher/dashboard")


class ApproveHandler(_ClassHandler):
    @teacher_only
    def post(self):
        self.classroom.state.decide(self.get_body_argument("request", ""), self.get_body_argument("approve", "") == "1")
        self.redirect(self.base_url + "teacher/dashboard")


def page_handlers(base_url: str) -> list:
    def at(path: str) -> str:
        return base_url.rstrip("/") + path

    return [
        (at("/"), IndexHandler),
        (at("/join"), JoinHandler),
        (at("/join/taken"), TakenHandler),
        (at("/teacher"), TeacherLoginHandler),
        (at("/teacher/dashboard"), DashboardHandler),
        (at("/teacher/summary.json"), SummaryHandler),
        (at("/teacher/class.zip"), DownloadHandler),
        (at("/teacher/close"), CloseHandler),
        (at("/teacher/approve"), ApproveHandler),
    ]
