"""Synthetic cases for benchmarks and tests: valid, seeded, of any size.

:func:`make_case` writes a case that follows the contract, sized by its number
of testimonies, with the other tables in proportion (a source for every ten
testimonies, a person for every twenty, a claim for every fifty, one to five
custody steps a source, about 1.2 evidence links a testimony).  The rows look
like real ones where that matters to a reader or a parser: quotes of varied
length with commas, quotation marks and some line breaks; EDTF dates of mixed
forms (days, months, years, seasons, ``~`` and ``?``, intervals, ``193X``);
sources derived from older ones up to three steps deep, some compilations of
two.  The same seed gives byte-identical files.

:func:`make_scores` writes the scores of several raters (``scores/<rater>.csv``)
and :func:`corrupt_copy` copies a case with known faults, returning what it
injected so that a test or a benchmark can check that each one is reported.

>>> import tempfile
>>> from pathlib import Path
>>> from workbook import load_case, validate
>>> folder = make_case(Path(tempfile.mkdtemp()) / "c", 200, raters=0)
>>> case = load_case(folder)
>>> len(case.testimonies), len(case.sources), len(case.claims)
(200, 20, 4)
>>> faults = corrupt_copy(folder, folder.with_name("bad"))
>>> reported = {(p.file, p.row, p.column) for p in validate(folder.with_name("bad"))}
>>> [f.kind for f in faults if (f.file, f.row, f.column) not in reported]
[]
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import SCORE_COLUMNS, TABLES, VOCABULARIES

__all__ = ["make_case", "make_scores", "corrupt_copy", "Fault", "RATERS", "FAULT_KINDS"]

#: Names given to the synthetic raters, in order.
RATERS = ("ana", "boris", "chen", "dara", "emil", "farida", "goran", "hana")

#: What :func:`corrupt_copy` injects, one of each; ``frictionless`` says whether
#: Frictionless (with the descriptor ``describe`` writes) detects it too.
FAULT_KINDS = {
    "bad_enum": True,
    "duplicate_key": True,
    "missing_required": True,
    "unknown_reference": True,
    "not_integer": True,
    "extra_cell": True,
    "blank_row": True,
    "bad_identifier": True,
    "bad_date": False,
    "derivation_cycle": False,
}

_WORDS = (
    "the meeting took place in december at night near city airfield we flew from berlin to oslo "
    "he said that they had met before trial I was told by investigator about letter which reached "
    "me through courier no foreign aircraft landed there during whole month commission found record "
    "shows nothing of kind later retracted statement under pressure interrogation lasted many hours "
    "hotel where meeting was said to occur had been demolished years earlier witness saw them together "
    "at station on morning of fifth documents kept in archive were declassified only after war"
).split()
_NAMES = ("Ivan", "Anna", "Georgy", "Lev", "Olga", "Karl", "Maria", "Nikolai", "Sofia", "Pavel",
          "Vera", "Grigory", "Elena", "Mikhail", "Irina", "Yuri", "Tatiana", "Boris", "Nina", "Fyodor")
_SURNAMES = ("Petrov", "Ivanova", "Sokolov", "Kuznetsova", "Popov", "Lebedeva", "Kozlov", "Novikova",
             "Morozov", "Volkova", "Solovyov", "Vasilyeva", "Zaitsev", "Pavlova", "Semyonov", "Golubeva")
_PLACES = ("Moscow", "Berlin", "Oslo", "Paris", "Copenhagen", "Hønefoss, Norway", "Leningrad",
           "Kjeller airfield", "Prague", "Vienna", "Coyoacán, Mexico", "Tiflis")
_CUSTODIANS = ("court stenographers", "People's Commissariat of Justice", "NKVD archive",
               "Dewey Commission", "Hoover Institution", "state archive", "translation bureau",
               "party archive", "private collector", "university library")
_ROLES = ("defendant", "witness", "investigator", "journalist", "historian", "official", "")
_LANGUAGES = ("ru", "en", "de", "no", "fr")

_EPOCH = _dt.date(1930, 1, 1).toordinal()
_SPAN = _dt.date(1989, 12, 31).toordinal() - _EPOCH


@dataclass(frozen=True)
class Fault:
    """One fault injected by :func:`corrupt_copy`: where it is and what it is.

    ``row`` counts as a spreadsheet does (the header is row 1), as
    :class:`workbook.Problem` does.
    """

    kind: str
    file: str
    row: int
    column: str | None
    value: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column or '-'}: {self.kind} ({self.value!r})"


# --------------------------------------------------------------------------- helpers


def _progress(total: int, enabled: bool, desc: str):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="table")


def _ids(prefix: str, n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"{prefix}-{i:0{width}d}" for i in range(1, n + 1)]


def _pick(rng: np.random.Generator, options: Iterable[str], n: int, p: Iterable[float] | None = None) -> np.ndarray:
    options = np.asarray(list(options), dtype=object)
    return options[rng.choice(len(options), size=n, p=None if p is None else np.asarray(list(p)))]


def _sparse(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """``values`` with all but about ``share`` of them replaced by ``""`` (not known)."""
    out = np.asarray(values, dtype=object).copy()
    out[rng.random(len(out)) >= share] = ""
    return out


def _date_text(ordinal: int) -> str:
    return _dt.date.fromordinal(int(ordinal)).isoformat()


def _dates(rng: np.random.Generator, n: int, *, intervals: bool = True,
           low: int = 0, high: int = _SPAN) -> list[str]:
    """``n`` EDTF dates of mixed forms between two offsets (days after 1930-01-01)."""
    start = rng.integers(low, high + 1, size=n) + _EPOCH
    length = rng.integers(1, 3 * 365, size=n)
    form = rng.choice(10, size=n, p=[0.40, 0.17, 0.10, 0.07, 0.06, 0.08, 0.05, 0.04, 0.02, 0.01])
    season = rng.integers(21, 25, size=n)
    out = []
    for s, ln, f, se in zip(start.tolist(), length.tolist(), form.tolist(), season.tolist()):
        d = _dt.date.fromordinal(s)
        if f == 0:
            out.append(d.isoformat())
        elif f == 1:
            out.append(f"{d.year:04d}-{d.month:02d}")
        elif f == 2:
            out.append(f"{d.year:04d}")
        elif f == 3:
            out.append(d.isoformat() + "~")
        elif f == 4:
            out.append(f"{d.year:04d}-{d.month:02d}?")
        elif f == 5 and intervals:
            e = _dt.date.fromordinal(min(s + ln, _EPOCH + _SPAN))
            out.append(f"{d.year:04d}-{d.month:02d}/{e.year:04d}-{e.month:02d}" if ln % 2 else
                       f"{d.year:04d}/{e.year:04d}")
        elif f == 6:
            out.append(f"{d.year:04d}-{se:02d}")
        elif f == 7:
            out.append(f"{d.year:04d}~")
        elif f == 8 and intervals:
            out.append(f"{d.year:04d}/..")
        elif f == 9:
            out.append(f"{str(d.year)[:3]}X")  # an unknown digit: parsed by the edtf package
        else:
            out.append(d.isoformat())
    return out


def _quotes(rng: np.random.Generator, n: int) -> list[str]:
    """Statements of 3 to 80 words with commas, quoted speech and, rarely, a line break."""
    words = np.asarray(_WORDS, dtype=object)
    lengths = np.minimum(3 + rng.geometric(1 / 22, size=n), 80)
    pool = words[rng.integers(0, len(words), size=int(lengths.sum()))].tolist()
    style = rng.random(n).tolist()
    comma_at = rng.integers(1, 4, size=n).tolist()
    out = []
    pos = 0
    for ln, st, ca in zip(lengths.tolist(), style, comma_at):
        w = pool[pos : pos + ln]
        pos += ln
        w[0] = w[0].capitalize()
        if ln > 6:
            w[ca] += ","
        text = " ".join(w) + "."
        if st < 0.25:
            text = f'"{text}" he said.'
        elif st < 0.30:
            half = len(text) // 2
            cut = text.rfind(" ", 0, half)
            if cut > 0:
                text = text[:cut] + "\n" + text[cut + 1 :]
        elif st < 0.35:
            text = f"{text} (Q: and then? A: {w[-1]}.)"
        out.append(text)
    return out


def _write(folder: Path, table: str, columns: dict[str, Iterable]) -> int:
    """Write ``table.csv`` (UTF-8, ``\\n`` line ends, quotes only where needed); return its size."""
    frame = pd.DataFrame({k: v if isinstance(v, (str, np.ndarray)) else list(v) for k, v in columns.items()})
    order = [c for c in TABLES[table].column_names if c in frame.columns]
    order += [c for c in frame.columns if c not in order]
    text = frame[order].to_csv(index=False, lineterminator="\n")
    data = text.encode("utf-8")
    (folder / f"{table}.csv").write_bytes(data)
    return len(data)


# --------------------------------------------------------------------------- the case


def make_case(folder: str | Path, n_testimonies: int, *, seed: int = 0, raters: int = 3,
              scores_dir: str | Path | None = None, progress: bool = False) -> Path:
    """Write a valid synthetic case of ``n_testimonies`` testimonies into ``folder``; return it.

    Tables in proportion: sources n/10, people n/20, claims n/50 (a tree),
    hypotheses n/50, custody 1 to 5 steps a source, evidence about 1.2 links a
    testimony, whereabouts n/10; no rubric (the default applies).  With
    ``raters`` > 0, the scores of that many raters are written by
    :func:`make_scores` into ``scores_dir`` (default: a folder ``<name>-scores``
    beside the case, since scores never go into a case).  ``folder`` is
    created; files in it are overwritten.  The same arguments give
    byte-identical files.  ``progress`` shows a progress bar (``tqdm.auto``).
    """
    if n_testimonies < 1:
        raise ValueError(f"a case needs at least one testimony, not {n_testimonies}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(n_testimonies)
    n_sources = max(3, n // 10)
    n_people = max(3, n // 20)
    n_claims = max(2, n // 50)
    bar = _progress(9 + (1 if raters else 0), progress, f"case of {n:,} testimonies")

    def done() -> None:
        if bar is not None:
            bar.update(1)

    # people
    person_ids = _ids("p", n_people)
    first = _pick(rng, _NAMES, n_people)
    last = _pick(rng, _SURNAMES, n_people)
    names = [f"{a} {b}" for a, b in zip(first, last)]
    aliases = [f"{a[0]}. {b};{b[:-1]}y" if r < 0.3 else "" for a, b, r in zip(first, last, rng.random(n_people))]
    _write(folder, "people", {
        "person_id": person_ids, "name": names, "aliases": aliases,
        "role": _pick(rng, _ROLES, n_people), "notes": _sparse(rng, _pick(rng, ["see the file, p. 2", "named in court"], n_people), 0.1),
    })
    done()

    # sources: a derivation forest, parents always older (lower number), depth at most 3
    source_ids = _ids("s", n_sources)
    depth = np.zeros(n_sources, dtype=int)
    derived: list[str] = []
    parents_of: list[list[int]] = []
    r_kind = rng.random(n_sources)
    r_par = rng.integers(0, 1 << 30, size=(n_sources, 2))
    for i in range(n_sources):
        parents: list[int] = []
        if i >= 5 and r_kind[i] < 0.35:
            window = max(1, min(i, 200))
            want = 2 if r_kind[i] < 0.05 else 1
            for j in range(want):
                p = i - 1 - int(r_par[i, j] % window)
                if depth[p] < 3 and p not in parents:
                    parents.append(p)
        depth[i] = 1 + max((depth[p] for p in parents), default=-1)
        parents_of.append(parents)
        derived.append(";".join(source_ids[p] for p in parents))
    if not any(parents_of):  # a small case: still one source made from another
        parents_of[-1] = [0]
        derived[-1] = source_ids[0]
    kinds = _pick(rng, VOCABULARIES["sources.kind"], n_sources)
    for i, parents in enumerate(parents_of):
        if len(parents) == 2:
            kinds[i] = "scholarly_work"
        elif parents and r_kind[i] < 0.2:
            kinds[i] = "translation"
    titles = [f"{k.replace('_', ' ').capitalize()} no. {i + 1}, {p}"
              for i, (k, p) in enumerate(zip(kinds, _pick(rng, _PLACES, n_sources)))]
    _write(folder, "sources", {
        "source_id": source_ids, "title": titles, "kind": kinds,
        "author": _sparse(rng, np.asarray(names, dtype=object)[rng.integers(0, n_people, n_sources)], 0.6),
        "created": _dates(rng, n_sources),
        "language": _pick(rng, _LANGUAGES, n_sources),
        "held_by": _sparse(rng, _pick(rng, _CUSTODIANS, n_sources), 0.5),
        "access": _sparse(rng, _pick(rng, VOCABULARIES["sources.access"], n_sources), 0.8),
        "derived_from": derived,
        "citation": _sparse(rng, np.asarray([f"Moscow, {1930 + i % 60}, pp. {1 + i % 300}-{5 + i % 300}"
                                            for i in range(n_sources)], dtype=object), 0.5),
        "url": "", "notes": "",
    })
    done()

    # claims: a tree, each parent an earlier claim
    claim_ids = _ids("c", n_claims)
    parent = [""] + [claim_ids[int(rng.integers(0, i))] if rng.random() < 0.8 else "" for i in range(1, n_claims)]
    statements = [" ".join(q.split()[:12]).rstrip(".,") + "." for q in _quotes(rng, n_claims)]
    people_lists = [";".join(sorted({person_ids[int(j)] for j in rng.integers(0, n_people, size=k)}))
                    for k in rng.integers(0, 4, size=n_claims)]
    _write(folder, "claims", {
        "claim_id": claim_ids, "statement": statements, "parent_id": parent,
        "event_date": _sparse(rng, np.asarray(_dates(rng, n_claims), dtype=object), 0.85),
        "place": _sparse(rng, _pick(rng, _PLACES, n_claims), 0.6), "people": people_lists, "notes": "",
    })
    done()

    # testimonies
    testimony_ids = _ids("t", n)
    conditions_vocab = VOCABULARIES["testimonies.conditions"]
    cond_n = rng.choice(4, size=n, p=[0.3, 0.4, 0.2, 0.1])
    cond_pick = rng.integers(0, len(conditions_vocab), size=(n, 3))
    conditions = [";".join(dict.fromkeys(conditions_vocab[c] for c in row[:k]))
                  for row, k in zip(cond_pick.tolist(), cond_n.tolist())]
    _write(folder, "testimonies", {
        "testimony_id": testimony_ids,
        "source_id": np.asarray(source_ids, dtype=object)[rng.integers(0, n_sources, size=n)],
        "given": _dates(rng, n),
        "setting": _pick(rng, VOCABULARIES["testimonies.setting"], n),
        "quote": _quotes(rng, n),
        "speaker_id": _sparse(rng, np.asarray(person_ids, dtype=object)[rng.integers(0, n_people, size=n)], 0.85),
        "locator": [f"vol. {1 + v}, p. {p}" if v < 3 else f"p. {p}"
                    for v, p in zip(rng.integers(0, 6, size=n).tolist(), rng.integers(1, 900, size=n).tolist())],
        "basis": _sparse(rng, _pick(rng, VOCABULARIES["testimonies.basis"], n), 0.9),
        "conditions": conditions,
        "language": _pick(rng, _LANGUAGES, n),
        "notes": _sparse(rng, _pick(rng, ["checked against the Russian edition", "page torn; reading uncertain",
                                          'the translator adds "sic"'], n), 0.05),
    })
    done()

    # evidence: every testimony bears on one claim, a fifth on a second one
    first_claim = rng.integers(0, n_claims, size=n)
    second = rng.random(n) < 0.2
    other = (first_claim + rng.integers(1, max(2, n_claims), size=n)) % n_claims
    t_idx = np.concatenate([np.arange(n), np.flatnonzero(second & (other != first_claim))])
    c_idx = np.concatenate([first_claim, other[second & (other != first_claim)]])
    order = np.lexsort((c_idx, t_idx))
    t_idx, c_idx = t_idx[order], c_idx[order]
    m = len(t_idx)
    _write(folder, "evidence", {
        "testimony_id": np.asarray(testimony_ids, dtype=object)[t_idx],
        "claim_id": np.asarray(claim_ids, dtype=object)[c_idx],
        "stance": _pick(rng, VOCABULARIES["evidence.stance"], m, p=[0.6, 0.3, 0.1]),
        "note": _sparse(rng, _pick(rng, ["only in part", "names a different day", "repeats the indictment"], m), 0.05),
    })
    done()

    # custody: 1 to 5 steps a source, the first one making it
    steps = rng.integers(1, 6, size=n_sources)
    rows_s, rows_seq, rows_act, rows_from = [], [], [], []
    later = [a for a in VOCABULARIES["custody.action"] if a not in ("created", "recorded")]
    act_pick = rng.integers(0, len(later), size=int(steps.sum())).tolist()
    k = 0
    for i, count in enumerate(steps.tolist()):
        for seq in range(1, count + 1):
            rows_s.append(source_ids[i])
            rows_seq.append(str(seq))
            if seq == 1:
                action = "recorded" if kinds[i] in ("interrogation_record", "trial_transcript") else "created"
            else:
                action = later[act_pick[k]]
            if seq == 1 and parents_of[i] and kinds[i] == "translation":
                action = "translated"
            rows_act.append(action)
            rows_from.append(source_ids[parents_of[i][0]] if seq == 1 and parents_of[i] else "")
            k += 1
    c = len(rows_s)
    _write(folder, "custody", {
        "source_id": rows_s, "seq": rows_seq,
        "custodian": _pick(rng, _CUSTODIANS, c), "action": rows_act,
        "date": _sparse(rng, np.asarray(_dates(rng, c), dtype=object), 0.7),
        "from_source_id": rows_from, "notes": "",
    })
    done()

    # hypotheses: two competing explanations for about half the claims (the first one always)
    chosen = rng.random(n_claims) < 0.5
    chosen[0] = True
    h_claims = np.repeat(np.flatnonzero(chosen), 2)
    hn = len(h_claims)
    _write(folder, "hypotheses", {
        "hypothesis_id": _ids("h", hn),
        "claim_id": np.asarray(claim_ids, dtype=object)[h_claims],
        "statement": ["The event took place as stated." if j % 2 == 0 else
                      "The statement was obtained under pressure, and the event did not take place."
                      for j in range(hn)],
        "notes": "",
    })
    done()

    # whereabouts: stays of days to months, the end never before the start
    w = max(1, n // 10)
    start = rng.integers(0, _SPAN - 400, size=w) + _EPOCH
    stay = rng.integers(0, 200, size=w)
    monthly = rng.random(w) < 0.3
    starts, ends = [], []
    for s, ln, mo in zip(start.tolist(), stay.tolist(), monthly.tolist()):
        d, e = _dt.date.fromordinal(s), _dt.date.fromordinal(s + ln)
        starts.append(f"{d.year:04d}-{d.month:02d}" if mo else d.isoformat())
        ends.append("" if ln % 7 == 0 else (f"{e.year:04d}-{e.month:02d}" if mo else e.isoformat()))
    _write(folder, "whereabouts", {
        "person_id": np.asarray(person_ids, dtype=object)[rng.integers(0, n_people, size=w)],
        "place": _pick(rng, _PLACES, w), "start": starts,
        "source_id": np.asarray(source_ids, dtype=object)[rng.integers(0, n_sources, size=w)],
        "end": ends, "notes": "",
    })
    done()

    (folder / "README.md").write_text(
        f"# Synthetic case ({n:,} testimonies, seed {seed})\n\n"
        "Made by `workbook.synthetic.make_case` for benchmarks and tests. Every row is invented.\n",
        encoding="utf-8")
    done()
    if raters:
        target = Path(scores_dir) if scores_dir is not None else folder.with_name(f"{folder.name}-scores")
        make_scores(folder, target, raters=raters, seed=seed)
        done()
    if bar is not None:
        bar.close()
    return folder


def _rubric(folder: Path | None) -> pd.DataFrame:
    from .loading import DEFAULT_RUBRIC_PATH

    path = folder / "rubric.csv" if folder is not None and (folder / "rubric.csv").exists() else DEFAULT_RUBRIC_PATH
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def make_scores(case_or_folder, scores_dir: str | Path, *, raters: int = 3, seed: int = 0,
                share: float = 0.3) -> list[Path]:
    """Write the scores of ``raters`` raters for a case into ``scores_dir/<rater>.csv``.

    Each rater scores every criterion of the case's rubric (the default one when
    the case has none) for about ``share`` of the testimonies; half of those are
    scored by every rater, so that agreement can be measured.  The values are a
    common judgement plus each rater's own noise; about 5% are left empty
    (unknown) and some carry a comment.  ``updated_at`` is fixed, so the files
    are the same on every run.  Returns the paths written.
    """
    if raters > len(RATERS):
        raise ValueError(f"at most {len(RATERS)} synthetic raters, not {raters}")
    if isinstance(case_or_folder, (str, Path)):
        folder = Path(case_or_folder)
        data = (folder / "testimonies.csv").read_bytes()
        ids = next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        col = ids.index("testimony_id")
        testimony_ids = [row[col] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))][1:]
        rubric = _rubric(folder)
    else:
        testimony_ids = list(case_or_folder.testimonies["testimony_id"])
        rubric = case_or_folder.rubric.astype({"min": "int64", "max": "int64"}).astype(str)
    rng = np.random.default_rng([seed, 1])
    scores_dir = Path(scores_dir)
    scores_dir.mkdir(parents=True, exist_ok=True)
    n = len(testimony_ids)
    common = rng.random(n) < share / 2
    criteria = list(rubric["criterion"])
    lows = rubric["min"].astype(int).to_numpy()
    highs = rubric["max"].astype(int).to_numpy()
    truth = rng.random((n, len(criteria)))
    base = _dt.datetime(2026, 1, 5, 9, 0, 0)
    written = []
    ids = np.asarray(testimony_ids, dtype=object)
    for r in range(raters):
        rater = RATERS[r]
        mine = np.flatnonzero(common | (rng.random(n) < share / 2))
        k = len(mine)
        value = truth[mine] + rng.normal(0, 0.15, size=(k, len(criteria)))
        value = np.clip(np.rint(lows + value * (highs - lows)), lows, highs).astype(int).astype(str).astype(object)
        value[rng.random(value.shape) < 0.05] = ""
        comment = np.full(value.shape, "", dtype=object)
        comment[rng.random(value.shape) < 0.03] = "see the retraction, p. 4"
        comment[rng.random(value.shape) < 0.01] = 'he says "I was not there", later'
        minutes = np.arange(value.size).reshape(value.shape)
        stamps = np.asarray([(base + _dt.timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%M:%SZ")
                             for m in range(value.size)], dtype=object)[minutes]
        frame = pd.DataFrame({
            "rater": rater,
            "testimony_id": np.repeat(ids[mine], len(criteria)),
            "criterion": np.tile(np.asarray(criteria, dtype=object), k),
            "value": value.ravel(), "comment": comment.ravel(), "updated_at": stamps.ravel(),
        }, columns=list(SCORE_COLUMNS))
        path = scores_dir / f"{rater}.csv"
        path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written.append(path)
    return written


# --------------------------------------------------------------------------- faults


def _read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _write_rows(path: Path, rows: list[list[str]], blank_before: int | None = None) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for i, row in enumerate(rows):
        if blank_before is not None and i == blank_before:
            buffer.write("\n")
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def corrupt_copy(src: str | Path, dst: str | Path, *, seed: int = 0) -> list[Fault]:
    """Copy the case ``src`` to ``dst`` with one fault of each kind in :data:`FAULT_KINDS`.

    The faults are placed where they cause no other problem (an identifier
    that nothing refers to, a row appended at the end...), so that each is
    reported once, at its own file, row and column.  Needs a case made by
    :func:`make_case` (the tables it writes).
    Returns the faults, sorted by file and row.  ``dst`` is replaced.
    """
    src, dst = Path(src), Path(dst)
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    rng = np.random.default_rng([seed, 2])
    faults: list[Fault] = []

    def middle(rows: list[list[str]], avoid: set[int] = frozenset()) -> int:
        """A data row's index in ``rows`` (1 is the first data row), in the middle half when it can."""
        n = len(rows) - 1
        inner = [i for i in range(1 + n // 4, 1 + n // 4 + max(1, n // 2)) if 1 <= i <= n and i not in avoid]
        pool = inner or [i for i in range(1, n + 1) if i not in avoid]
        if not pool:
            raise ValueError(f"the case is too small to corrupt: {n} data rows in a table")
        return pool[int(rng.integers(0, len(pool)))]

    # testimonies: a setting outside the vocabulary, a date in the wrong form, a stray cell
    path = dst / "testimonies.csv"
    rows = _read_rows(path)
    head = rows[0]
    i = middle(rows)
    rows[i][head.index("setting")] = "open court"
    faults.append(Fault("bad_enum", "testimonies.csv", i + 1, "setting", "open court"))
    j = middle(rows, {i})
    d = _dt.date(1936, 1, 1) + _dt.timedelta(days=int(rng.integers(0, 365)))
    rows[j][head.index("given")] = f"{d.day:02d}/{d.month:02d}/{d.year}"
    faults.append(Fault("bad_date", "testimonies.csv", j + 1, "given", rows[j][head.index("given")]))
    k = middle(rows, {i, j})
    rows[k].append("a stray cell")
    faults.append(Fault("extra_cell", "testimonies.csv", k + 1, None, "a stray cell"))
    _write_rows(path, rows)

    # people: a row repeated at the end (the same person_id twice)
    path = dst / "people.csv"
    rows = _read_rows(path)
    rows.append(list(rows[middle(rows)]))
    faults.append(Fault("duplicate_key", "people.csv", len(rows), "person_id", rows[-1][0]))
    _write_rows(path, rows)

    # claims: a statement left empty
    path = dst / "claims.csv"
    rows = _read_rows(path)
    i = middle(rows)
    rows[i][rows[0].index("statement")] = ""
    faults.append(Fault("missing_required", "claims.csv", i + 1, "statement", ""))
    _write_rows(path, rows)

    # evidence: a claim that does not exist
    path = dst / "evidence.csv"
    rows = _read_rows(path)
    i = middle(rows)
    rows[i][rows[0].index("claim_id")] = "c-no-such-claim"
    faults.append(Fault("unknown_reference", "evidence.csv", i + 1, "claim_id", "c-no-such-claim"))
    _write_rows(path, rows)

    # custody: a step number that is not a whole number
    path = dst / "custody.csv"
    rows = _read_rows(path)
    i = middle(rows)
    rows[i][rows[0].index("seq")] = rows[i][rows[0].index("seq")] + "a"
    faults.append(Fault("not_integer", "custody.csv", i + 1, "seq", rows[i][rows[0].index("seq")]))
    _write_rows(path, rows)

    # hypotheses: an identifier that is not a slug (nothing refers to hypotheses)
    path = dst / "hypotheses.csv"
    rows = _read_rows(path)
    i = middle(rows)
    rows[i][0] = "H " + rows[i][0].upper()
    faults.append(Fault("bad_identifier", "hypotheses.csv", i + 1, "hypothesis_id", rows[i][0]))
    _write_rows(path, rows)

    # whereabouts: a blank line in the middle
    path = dst / "whereabouts.csv"
    rows = _read_rows(path)
    i = middle(rows)
    faults.append(Fault("blank_row", "whereabouts.csv", i + 1, None, ""))
    _write_rows(path, rows, blank_before=i)

    # sources: the oldest source that others were made from, made from one of them in turn
    path = dst / "sources.csv"
    rows = _read_rows(path)
    col = rows[0].index("derived_from")
    children: dict[str, str] = {}
    for row in rows[1:]:
        for parent in row[col].split(";"):
            children.setdefault(parent, row[0])
    i = next(i for i, row in enumerate(rows[1:], start=1) if row[0] in children)
    rows[i][col] = children[rows[i][0]]
    faults.append(Fault("derivation_cycle", "sources.csv", i + 1, "derived_from", rows[i][col]))
    _write_rows(path, rows)
    return sorted(faults, key=lambda f: (f.file, f.row))
