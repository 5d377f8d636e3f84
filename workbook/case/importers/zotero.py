"""Sources from Zotero: CSL-JSON and BibTeX/BibLaTeX exports, into ``sources.csv``.

In Zotero: select a collection, *File > Export Collection…*, format *CSL JSON*
(or *BibTeX*, *BibLaTeX*, or Better BibTeX's variants). Then::

    python -m workbook import zotero my-export.json data/my-case

What goes where (the rest of an item is left out):

========================================  ===========================================
Zotero / CSL-JSON / BibTeX                ``sources.csv``
========================================  ===========================================
citation key, else the item's id          ``source_id`` (a slug: the same at every import)
title                                     ``title`` (HTML and LaTeX markup removed)
item type                                 ``kind`` (``letter``, ``newspaper``, ``interview``,
                                          ``official_report``, ``trial_transcript``, ``draft``,
                                          ``scholarly_work``, else ``other``)
authors                                   ``author`` (``Family, Given; …``)
date (issued)                             ``created`` as EDTF (``1977-12~``, ``2011-05/2012-06``)
language                                  ``language``
archive (library)                         ``held_by``
archive location (shelfmark)              the end of ``citation``
the item's Extra (CSL ``note``)           ``citation``, else a reference made from the item
URL, else DOI                             ``url``
========================================  ===========================================

The same export imported twice changes nothing; an export made after editing
in Zotero adds the new items and reports the fields that differ (see
:func:`~workbook.case.importers.common.merge_rows`). ``python -m workbook csl``
writes CSL-JSON that imports back as the same sources.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from ..contract import TABLES
from .common import ImportFailure, ImportProblem, MergeReport, edtf_or_none, merge_rows, plain_text, slug, unique_ids

__all__ = ["csl_to_rows", "bibtex_to_rows", "read_zotero", "import_zotero", "CSL_KINDS", "BIBTEX_KINDS"]

#: CSL item types to ``sources.kind`` (types not listed become ``other``).
CSL_KINDS = {
    "article-journal": "scholarly_work", "article": "scholarly_work", "article-magazine": "scholarly_work",
    "book": "scholarly_work", "chapter": "scholarly_work", "paper-conference": "scholarly_work",
    "thesis": "scholarly_work", "entry-encyclopedia": "scholarly_work", "entry-dictionary": "scholarly_work",
    "review": "scholarly_work", "review-book": "scholarly_work",
    "article-newspaper": "newspaper", "letter": "letter", "personal_communication": "letter",
    "interview": "interview", "report": "official_report", "legal_case": "trial_transcript",
    "manuscript": "draft", "document": "other",
}
#: BibTeX/BibLaTeX entry types to ``sources.kind``.
BIBTEX_KINDS = {
    "article": "scholarly_work", "book": "scholarly_work", "mvbook": "scholarly_work", "inbook": "scholarly_work",
    "incollection": "scholarly_work", "inproceedings": "scholarly_work", "proceedings": "scholarly_work",
    "collection": "scholarly_work", "phdthesis": "scholarly_work", "mastersthesis": "scholarly_work",
    "thesis": "scholarly_work", "inreference": "scholarly_work", "review": "scholarly_work",
    "report": "official_report", "techreport": "official_report", "letter": "letter",
    "jurisdiction": "trial_transcript", "unpublished": "draft", "manuscript": "draft",
    "interview": "interview", "newspaper": "newspaper",
}
_PUBLISHED_KINDS = {"scholarly_work", "newspaper"}
# Lines of Zotero's Extra field that hold data for other tools, not a citation ("Citation Key: x").
_EXTRA_FIELD = re.compile(r"^\s*(citation key|tex\.[\w-]+|original-[\w-]+|issued|type|event-place|"
                          r"publisher-place|status|pmid|pmcid)\s*:", re.IGNORECASE)
_SEASONS = {1: 21, 2: 22, 3: 23, 4: 24}
_BIB_TYPES_WORDS = {"letter": "letter", "interview": "interview", "newspaper": "newspaper", "diary": "diary",
                    "memoir": "memoir", "report": "official_report"}


# ---------------------------------------------------------------------- CSL-JSON
def _csl_name(person: dict) -> str:
    if not isinstance(person, dict):
        return str(person)
    if person.get("literal"):
        return str(person["literal"]).strip()
    family = " ".join(str(person.get(p, "")).strip() for p in ("non-dropping-particle", "family") if person.get(p))
    given = " ".join(str(person.get(p, "")).strip() for p in ("given", "dropping-particle") if person.get(p))
    if person.get("suffix"):
        given = f"{given}, {person['suffix']}" if given else str(person["suffix"])
    return f"{family}, {given}" if family and given else (family or given)


def _parts(value) -> list[int] | None:
    try:
        return [int(str(p).strip()) for p in value if str(p).strip() != ""]
    except (TypeError, ValueError):
        return None


def _one_date(parts: list[int], season=None) -> str:
    year = parts[0] + 1 if parts[0] < 0 else parts[0]  # CSL counts 1 BC as -1, EDTF as 0000
    text = f"-{abs(year):04d}" if year < 0 else f"{year:04d}"
    if len(parts) > 1 and 1 <= parts[1] <= 12:
        text += f"-{parts[1]:02d}"
        if len(parts) > 2 and 1 <= parts[2] <= 31:
            text += f"-{parts[2]:02d}"
    elif season in _SEASONS:
        text += f"-{_SEASONS[season]}"
    return text


def csl_date(value) -> tuple[str, str | None]:
    """A CSL date as EDTF, and a problem (or None) when it cannot be read.

    >>> csl_date({"date-parts": [[1977, 12]], "circa": True})
    ('1977-12~', None)
    >>> csl_date({"date-parts": [["2011", 5, 25], ["2012", 6, 26]]})
    ('2011-05-25/2012-06-26', None)
    >>> csl_date({"date-parts": [[2017]], "season": 4})
    ('2017-24', None)
    >>> csl_date({"raw": "1936-12-12"})
    ('1936-12-12', None)
    >>> csl_date({"literal": "spring of 1937"})
    ('', "'spring of 1937' is not a date the case can read; write it in created as EDTF, e.g. 1937-21")
    """
    if not isinstance(value, dict):
        return "", f"{value!r} is not a CSL date; expected {{\"date-parts\": [[year, month, day]]}}"
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        first = _parts(parts[0])
        if first:
            season = value.get("season")
            try:
                season = int(season) if season is not None else None
            except (TypeError, ValueError):
                season = None
            text = _one_date(first, season)
            second = _parts(parts[1]) if len(parts) > 1 and isinstance(parts[1], list) else None
            circa = "~" if value.get("circa") in (True, 1, "1", "true") else ""
            if len(parts) > 1 and (not second or second == [0]):
                text = f"{text}{circa}/.."  # an open end
            elif second and second != first:
                text = f"{text}{circa}/{_one_date(second)}{circa}"
            else:
                text += circa
            if edtf_or_none(text):
                return text, None
            return "", f"{parts!r} cannot be written as an EDTF date the case reads; write it in created by hand"
    for key in ("raw", "literal"):
        raw = str(value.get(key, "") or "").strip()
        if raw:
            if edtf_or_none(raw):
                return raw, None
            year = re.search(r"\b(1[0-9]{3}|20[0-9]{2})\b", raw)
            hint = f", e.g. {year.group(1)}" if year else ""
            if year and "spring" in raw.lower():
                hint = f", e.g. {year.group(1)}-21"
            return "", f"'{raw}' is not a date the case can read; write it in created as EDTF{hint}"
    return "", None


def _csl_citation(item: dict) -> str:
    parts = []
    container = plain_text(item.get("container-title"))
    if container:
        more = ", ".join(x for x in (str(item.get("volume", "") or ""), str(item.get("issue", "") or "")) if x)
        parts.append(f"{container} {more}".strip())
    place_pub = ": ".join(x for x in (plain_text(item.get("publisher-place")), plain_text(item.get("publisher"))) if x)
    if place_pub:
        parts.append(place_pub)
    issued = item.get("issued")
    if isinstance(issued, dict) and issued.get("date-parts"):
        first = _parts(issued["date-parts"][0]) if isinstance(issued["date-parts"][0], list) else None
        if first and parts:  # a year after the journal or publisher, not alone
            parts.append(str(first[0]))
    if item.get("page"):
        parts.append(f"pp. {plain_text(item['page'])}")
    if item.get("DOI"):
        parts.append(f"doi:{item['DOI']}")
    archive = ", ".join(x for x in (plain_text(item.get("archive")), plain_text(item.get("archive_location"))) if x)
    if archive:
        parts.append(archive)
    return ". ".join(parts)


def csl_to_rows(items: list, file: str = "export.json") -> tuple[list[dict[str, str]], list[ImportProblem]]:
    """CSL-JSON items to ``sources`` rows, with the problems met (items without a title are left out)."""
    rows, problems, wanted = [], [], []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(ImportProblem(file, n, None, None, f"{str(item)[:40]!r} is not a CSL item; expected an object"))
            continue
        extra_key = re.search(r"^\s*citation key\s*:\s*(\S+)", str(item.get("note", "") or ""), re.I | re.M)
        ident = str(item.get("citation-key") or (extra_key.group(1) if extra_key else "") or item.get("id") or "")
        title = plain_text(item.get("title"))
        if not title:
            problems.append(ImportProblem(file, n, ident or None, "title",
                                          "empty; expected the item's title (add it in Zotero and export again)"))
            continue
        kind = CSL_KINDS.get(str(item.get("type", "")), "other")
        created, problem = csl_date(item.get("issued")) if item.get("issued") else ("", None)
        if problem:
            problems.append(ImportProblem(file, n, ident, "issued", problem))
        authors = "; ".join(filter(None, (_csl_name(p) for p in item.get("author", []) or [])))
        note = plain_text("\n".join(line for line in str(item.get("note", "") or "").splitlines()
                                    if not _EXTRA_FIELD.match(line)))
        citation = note or _csl_citation(item)
        location = plain_text(item.get("archive_location"))
        if location and location not in citation:
            citation = f"{citation}. {location}" if citation else location
        url = str(item.get("URL", "") or "") or (f"https://doi.org/{item['DOI']}" if item.get("DOI") else "")
        wanted.append(slug(_key_text(ident)) or slug(title))
        access = "published" if kind in _PUBLISHED_KINDS else ""
        ours = (item.get("custom") or {}).get("source_criticism_workbook") if isinstance(item.get("custom"), dict) else None
        if isinstance(ours, dict):  # written by `workbook csl`: the case's own kind, EDTF date and access
            kind = str(ours.get("kind") or kind)
            created = str(ours.get("created") or created)
            access = str(ours.get("access") or access)
        rows.append({"title": title, "kind": kind, "author": authors, "created": created,
                     "language": str(item.get("language", "") or ""), "held_by": plain_text(item.get("archive")),
                     "access": access, "citation": citation, "url": url})
    for row, ident in zip(rows, unique_ids(wanted, "source")):
        row["source_id"] = ident
    return [_ordered(r) for r in rows], problems


def _key_text(ident: str) -> str:
    """Zotero's own CSL ids are URIs (``http://zotero.org/users/1/items/ABCD2345``) or
    ``LIBRARY/KEY`` (``12047273/KC6WFG78``): keep the item key, the same at every export."""
    m = re.search(r"(?:/items/|^[0-9]+/)([A-Za-z0-9]+)$", ident)
    return f"zotero-{m.group(1)}" if m else ident


def _ordered(row: dict) -> dict:
    return {c: row.get(c, "") for c in TABLES["sources"].column_names if c in row}


# ---------------------------------------------------------------------- BibTeX
def _latex(text: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    if not re.search(r"[\\{}$~]", text):
        return re.sub(r"\s+", " ", text).strip()
    try:
        out = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text(text)
    except Exception:  # noqa: BLE001 - a value pylatexenc cannot read is kept as written
        out = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", out).strip()


def _bib_names(value: str) -> str:
    names = []
    depth, current = 0, ""
    tokens = re.split(r"(\{|\}|\s+and\s+)", value)
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            names.append(current)
            current = ""
        else:
            current += token or ""
    names.append(current)
    out = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
            out.append(_latex(name[1:-1]))  # {Special to the New York Times}: a literal name
        elif "," in name:
            out.append(", ".join(_latex(p.strip()) for p in name.split(",", 1)))
        else:
            words = _latex(name).split()
            out.append(f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else " ".join(words))
    return "; ".join(out)


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _bib_date(fields: dict) -> tuple[str, str | None]:
    date = fields.get("date", "").strip()
    if date:
        text = date.replace("..", "").strip()
        text = re.sub(r"^~(.*)$", r"\1~", text)  # an older EDTF draft: ~1977-12
        if edtf_or_none(text):
            return text, None
        return "", f"'{date}' is not an EDTF date; write it in created as EDTF (e.g. 1936-12-12)"
    year = fields.get("year", "").strip()
    if not year:
        return "", None
    span = re.fullmatch(r"([0-9]{4})\s*(?:--?|–|/)\s*([0-9]{4})", year)
    if span:
        return f"{span.group(1)}/{span.group(2)}", None
    if not re.fullmatch(r"[0-9]{4}", year):
        return "", f"'{year}' is not a year; write it in created as EDTF (e.g. 1936)"
    month = fields.get("month", "").strip().lower()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return (f"{year}-{number:02d}" if number else year), None


def _bib_citation(entry_type: str, f: dict) -> str:
    parts = []
    container = f.get("journaltitle") or f.get("journal") or f.get("booktitle")
    if container:
        more = ", ".join(x for x in (f.get("volume", ""), f.get("number", "") if not f.get("library") else "") if x)
        parts.append(f"{container} {more}".strip())
    place_pub = ": ".join(x for x in (f.get("location") or f.get("address", ""), f.get("publisher", "")) if x)
    if place_pub:
        parts.append(place_pub)
    if f.get("institution") or f.get("school"):
        parts.append(f.get("institution") or f.get("school"))
    year = (f.get("date", "") or f.get("year", ""))[:4]
    if year.isdigit() and parts:
        parts.append(year)
    if f.get("pages"):
        parts.append(f"pp. {f['pages'].replace('--', '–')}")
    if f.get("doi"):
        parts.append(f"doi:{f['doi']}")
    archive = ", ".join(x for x in (f.get("library", ""), f.get("shelfmark", "") or (f.get("number", "") if f.get("library") else "")) if x)
    if archive:
        parts.append(archive)
    return ". ".join(parts)


def bibtex_to_rows(text: str, file: str = "export.bib") -> tuple[list[dict[str, str]], list[ImportProblem]]:
    """BibTeX or BibLaTeX entries to ``sources`` rows, with the problems met."""
    import bibtexparser

    quiet = logging.getLogger("bibtexparser")   # its warnings become the problems below
    level, quiet.level = quiet.level, logging.ERROR
    try:
        library = bibtexparser.parse_string(text)
    finally:
        quiet.setLevel(level)
    problems: list[ImportProblem] = []
    for block in library.failed_blocks:
        line = getattr(block, "start_line", None)
        where = f"line {line + 1}: " if isinstance(line, int) else ""
        error = getattr(block, "error", None)
        reason = (str(getattr(error, "abort_reason", "") or error or "").strip().splitlines() or [""])[0]
        problems.append(ImportProblem(file, None, None, None,
                                      f"{where}an entry could not be read ({reason or 'not BibTeX'}); "
                                      "expected @type{key, field = {value}, …}"))
    rows, wanted = [], []
    for n, entry in enumerate(library.entries, start=1):
        raw = {fld.key.lower(): str(fld.value) for fld in entry.fields}
        f = {k: (v if k in ("author", "editor") else _latex(v)) for k, v in raw.items()}
        title = f.get("title", "")
        if not title:
            problems.append(ImportProblem(file, n, entry.key, "title", "empty; expected the entry's title"))
            continue
        entry_type = entry.entry_type.lower()
        kind = BIBTEX_KINDS.get(entry_type, "other")
        subtype = (f.get("entrysubtype", "") or f.get("type", "")).lower()
        if subtype in _BIB_TYPES_WORDS:
            kind = _BIB_TYPES_WORDS[subtype]
        created, problem = _bib_date(f)
        if problem:
            problems.append(ImportProblem(file, n, entry.key, "date", problem))
        url = f.get("url", "") or (f"https://doi.org/{f['doi']}" if f.get("doi") else "")
        wanted.append(slug(entry.key) or slug(title))
        rows.append({"title": title, "kind": kind, "author": _bib_names(raw.get("author", "")),
                     "created": created, "language": f.get("langid", "") or f.get("language", ""),
                     "held_by": f.get("library", "") or f.get("archive", ""),
                     "access": "published" if kind in _PUBLISHED_KINDS else "",
                     "citation": _bib_citation(entry_type, f), "url": url})
    for row, ident in zip(rows, unique_ids(wanted, "source")):
        row["source_id"] = ident
    return [_ordered(r) for r in rows], problems


# ---------------------------------------------------------------------- reading and importing
def read_zotero(path: str | Path) -> tuple[list[dict[str, str]], list[ImportProblem]]:
    """Read a Zotero export (CSL-JSON, or BibTeX/BibLaTeX) into ``sources`` rows and problems.

    Raises :class:`ImportFailure` (a sentence naming the file and what was expected)
    when the file is not one of these formats.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file; expected a Zotero export (.json, .bib)") from None
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"{path.name}: byte {exc.start} is not UTF-8; export again with the UTF-8 encoding") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailure(f"{path.name}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
                                "expected a CSL-JSON export (Zotero: File > Export Library > CSL JSON)") from None
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"]
        if not isinstance(data, list):
            raise ImportFailure(f"{path.name}: a JSON object, not a list of items; expected a CSL-JSON export "
                                "(Zotero: File > Export Library > CSL JSON)")
        return csl_to_rows(data, path.name)
    if "@" in text:
        return bibtex_to_rows(text, path.name)
    raise ImportFailure(f"{path.name}: neither CSL-JSON nor BibTeX; expected a Zotero export "
                        "(File > Export Library > CSL JSON, BibTeX or BibLaTeX)")


def _same_in_csl(column: str, case_value: str, imported: str) -> bool:
    """Values that differ only by what CSL cannot say (an exported and re-imported case)."""
    from ..bibliography import csl_items

    if column == "access":
        return True  # the import's access is a guess from the item type; the case's word stands
    if column == "kind":
        probe = csl_items(_frame([{"source_id": "x", "title": "x", "kind": case_value}]))[0]
        return CSL_KINDS.get(probe["type"], "other") == imported
    if column == "created":
        probe = csl_items(_frame([{"source_id": "x", "title": "x", "kind": "other", "created": case_value}]))[0]
        return "issued" in probe and csl_date(probe["issued"])[0] == imported
    if column == "author":
        probe = csl_items(_frame([{"source_id": "x", "title": "x", "kind": "other", "author": case_value}]))[0]
        return "; ".join(_csl_name(p) for p in probe.get("author", [])) == imported
    return False


def _frame(rows):
    import pandas as pd

    columns = TABLES["sources"].column_names
    return pd.DataFrame([{c: r.get(c, "") for c in columns} for r in rows], columns=columns)


def import_zotero(path: str | Path, folder: str | Path, *, update: bool = False, dry_run: bool = False) -> MergeReport:
    """Import a Zotero export into the case in ``folder`` (its ``sources.csv``) and say what changed."""
    rows, problems = read_zotero(path)
    report = merge_rows(folder, "sources", rows, update=update, same=_same_in_csl, dry_run=dry_run)
    report.problems = problems
    return report
