"""What the class server remembers between requests and restarts, kept in the class folder.

The class folder (``classes/<case-name>/`` by default) holds the students' work in
the usual formats, one file per student, and the server's own state beside it::

    <class-dir>/scores/<rater>.csv      credibility scores (the scoring panel's store)
    <class-dir>/ach/<rater>.csv         ACH ratings
    <class-dir>/answers/<rater>.csv     exercise answers (the student edition)
    <class-dir>/class-state.json        joined students, hashed browser tokens, pending
                                        requests, the roster's codes, the codes, closed or open
    <class-dir>/.cookie-secret          the key that signs the browsers' cookies

A browser that joins gets a random token in a signed cookie; the state keeps only
its SHA-256, so the state file never holds what a browser would need to pass as a
student.  The state is rewritten atomically under a file lock on every change
(a join, an approval, closing the class), never on a score: scores go straight
from a student's kernel to the student's own file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from ...case.atomic import atomic_write_text
from ...case.store import RaterNameError, check_rater, utc_now

__all__ = ["ClassState", "RosterError", "new_code", "read_roster", "normalise_name", "hash_token",
           "Throttle", "WORK_FOLDERS"]

#: The folders of the class folder that hold students' work (and go into the teacher's download).
WORK_FOLDERS = ("scores", "ach", "answers")
#: Letters and digits that cannot be mistaken for each other when read from a board (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
STATE_FILE = "class-state.json"
SECRET_FILE = ".cookie-secret"


class RosterError(ValueError):
    """A roster file that cannot be used (the message names the file, row and value)."""


def new_code(length: int = 6) -> str:
    """A fresh random code of ``length`` unambiguous capital letters and digits."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def hash_token(token: str) -> str:
    """The SHA-256 of a browser token, as kept in the state (the token itself never is)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_code(typed: str, code: str) -> bool:
    """Whether a typed code is ``code`` (case, spaces and dashes do not matter; constant time)."""
    clean = "".join(typed.split()).replace("-", "").upper()
    return secrets.compare_digest(clean.encode("utf-8"), code.replace("-", "").upper().encode("utf-8"))


def normalise_name(text: str) -> str:
    """The rater name for a name typed by a student: lower case, spaces to ``-``.

    >>> normalise_name("  Ana Karenina ")
    'ana-karenina'
    >>> normalise_name("../x")
    Traceback (most recent call last):
    ...
    workbook.case.store.RaterNameError: '../x' is not a usable rater name: use 1 to 64 lower-case letters, digits, - or _, starting with a letter or digit (e.g. 'x')
    """
    return check_rater("-".join(text.strip().lower().split()))


def read_roster(path: str | Path) -> list[str]:
    """The student names of a roster CSV: a column ``name`` (or ``rater``), one student a row.

    Names are normalised as :func:`normalise_name` does; a name that cannot be a
    file name, a duplicate or a missing column is a :class:`RosterError` naming
    the file, row and value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path}: there is no roster file here") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    column = next((c for c in ("name", "rater") if c in fields), None)
    if column is None:
        raise RosterError(f"{path}:1: the roster needs a column 'name' (one student a row); "
                          f"found {', '.join(reader.fieldnames or []) or 'no columns'}")
    original = (reader.fieldnames or [])[fields.index(column)]
    names: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        raw = (row.get(original) or "").strip()
        if not raw:
            continue
        try:
            name = normalise_name(raw)
        except RaterNameError as error:
            raise RosterError(f"{path}:{line}:{original}: {error}") from None
        if name in names:
            raise RosterError(f"{path}:{line}:{original}: {raw!r} is the same name as row {names[name]}; "
                              "give each student a different name")
        names[name] = line
    if not names:
        raise RosterError(f"{path}: the roster lists no student")
    return sorted(names)


@dataclass
class Throttle:
    """Slows down guessing: after ``free`` wrong codes from one address, every try waits.

    The wait doubles with each further wrong code (1 s, 2 s, 4 s ... up to
    ``longest``); a right code clears the count.
    """

    free: int = 3
    longest: float = 60.0
    clock: object = time.monotonic
    _wrong: dict = field(default_factory=dict)

    def wait(self, who: str) -> float:
        """Seconds ``who`` must still wait before a code is checked (0: check it now)."""
        count, last = self._wrong.get(who, (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(self.longest, 2.0 ** (count - self.free))
        return max(0.0, last + delay - self.clock())

    def failed(self, who: str) -> None:
        count, _ = self._wrong.get(who, (0, 0.0))
        self._wrong[who] = (count + 1, self.clock())

    def succeeded(self, who: str) -> None:
        self._wrong.pop(who, None)


class ClassState:
    """The class's state file, read once and rewritten atomically (under a lock) on every change."""

    def __init__(self, class_dir: str | Path):
        self.folder = Path(class_dir)
        self.path = self.folder / STATE_FILE
        self.lock = FileLock(str(self.folder / f".{STATE_FILE}.lock"), timeout=30)
        self.data: dict = {}
        self.reload()

    # ------------------------------------------------------------------ files
    def reload(self) -> None:
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.data = {}
        self.data.setdefault("students", {})
        self.data.setdefault("requests", {})
        self.data.setdefault("roster", {})
        self.data.setdefault("teacher_tokens", [])
        self.data.setdefault("closed", False)

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.lock:
            atomic_write_text(self.path, json.dumps(self.data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        if os.name == "posix":
            os.chmod(self.path, 0o600)

    def cookie_secret(self) -> bytes:
        """The key that signs cookies: made once per class folder, so a restart keeps every browser joined."""
        path = self.folder / SECRET_FILE
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.lock:
            if not path.exists():
                atomic_write_text(path, secrets.token_hex(32))
                if os.name == "posix":
                    os.chmod(path, 0o600)
            return path.read_text(encoding="ascii").strip().encode("ascii")

    def setup(self, *, case: str, join_code: str | None, teacher_code: str | None,
              roster: list[str] | None) -> None:
        """Set the codes (given ones, else the ones kept from the last start, else fresh) and the roster."""
        self.data["case"] = case
        self.data["join_code"] = join_code or self.data.get("join_code") or new_code(6)
        self.data["teacher_code"] = teacher_code or self.data.get("teacher_code") or new_code(10)
        if roster is not None:
            kept = self.data.get("roster", {})
            self.data["roster"] = {name: kept.get(name) or {"code": new_code(5)} for name in roster}
        self.save()

    # ------------------------------------------------------------------ reading
    @property
    def join_code(self) -> str:
        return self.data["join_code"]

    @property
    def teacher_code(self) -> str:
        return self.data["teacher_code"]

    @property
    def closed(self) -> bool:
        return bool(self.data.get("closed"))

    @property
    def roster(self) -> dict[str, dict]:
        return self.data.get("roster", {})

    def students(self) -> list[str]:
        return sorted(self.data["students"])

    def joined_at(self, rater: str) -> str:
        return self.data["students"].get(rater, {}).get("joined_at", "")

    def is_student_token(self, rater: str, token: str) -> bool:
        entry = self.data["students"].get(rater)
        return bool(entry) and hash_token(token) in entry.get("tokens", [])

    def is_teacher_token(self, token: str) -> bool:
        return hash_token(token) in self.data["teacher_tokens"]

    def pending(self) -> list[dict]:
        """Requests for a taken name that wait for the teacher, oldest first."""
        return sorted(({"id": rid, **req} for rid, req in self.data["requests"].items() if req["state"] == "pending"),
                      key=lambda r: (r["at"], r["id"]))

    def request(self, request_id: str) -> dict | None:
        return self.data["requests"].get(request_id)

    # ------------------------------------------------------------------ changes
    def add_student_token(self, rater: str, token: str) -> None:
        """Let the browser holding ``token`` in as ``rater`` (a first join, or one the teacher or a code approved)."""
        entry = self.data["students"].setdefault(rater, {"joined_at": utc_now(), "tokens": []})
        entry["tokens"].append(hash_token(token))
        self.save()

    def add_teacher_token(self, token: str) -> None:
        self.data["teacher_tokens"].append(hash_token(token))
        self.save()

    def add_request(self, rater: str, token: str) -> str:
        """A browser asks to be ``rater``, a name already taken; the id of the request."""
        rid = secrets.token_hex(8)
        self.data["requests"][rid] = {"rater": rater, "token": hash_token(token), "at": utc_now(), "state": "pending"}
        self.save()
        return rid

    def decide(self, request_id: str, approve: bool) -> dict | None:
        """The teacher approves (or refuses) a request: approving lets its browser in as the name."""
        req = self.data["requests"].get(request_id)
        if req is None or req["state"] != "pending":
            return None
        req["state"] = "approved" if approve else "refused"
        if approve:
            entry = self.data["students"].setdefault(req["rater"], {"joined_at": utc_now(), "tokens": []})
            entry["tokens"].append(req["token"])
        self.save()
        return req

    def set_closed(self, closed: bool) -> None:
        self.data["closed"] = bool(closed)
        self.save()
