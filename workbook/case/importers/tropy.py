"""Sources and draft testimonies from Tropy: its JSON-LD export of items, photos, selections and notes.

In Tropy: select the items, *File > Export > JSON-LD*. Then::

    python -m workbook import tropy my-items.json data/my-case [--template my-template.ttp]

- Each **item** becomes a source: title, creator (``author``), date (``created``,
  EDTF as Tropy writes it), type (``kind``), archive (``held_by``), and the
  archive, collection, box and folder in the ``citation``; an identifier that is
  a web address becomes the ``url``. The ``source_id`` is made from the title, so
  that importing the same export again finds the same rows.
- Each **note and transcription** (of a photo or of a selection) becomes a *draft
  testimony* of that source: the text is the ``quote``, the photo (and
  selection) with the archive, box and folder is the ``locator``. What Tropy
  cannot know is left for you to fill in: who said it (``speaker_id``), when
  (``given``, EDTF) and in what setting (``setting``). The draft's ``todo``
  column (an extra column) names them; :func:`to_complete` and
  ``python -m workbook validate`` list every cell still empty.

Properties are found by their RDF names (Dublin Core and Tropy's own, as in
Tropy's generic and correspondence templates); a template of your own (a
``.ttp`` file, passed with ``templates=``) is read for its labels (*Archive*,
*Box*, *Folder*, *Collection*, *Date*...), so that its own properties are found too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..contract import TABLES
from .common import ImportFailure, ImportProblem, MergeReport, edtf_or_none, merge_rows, plain_text, slug, unique_ids

__all__ = ["read_tropy", "import_tropy", "to_complete", "TODO_COLUMN", "TO_COMPLETE"]

TROPY = "https://tropy.org/v1/tropy#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
#: The extra column of ``testimonies.csv`` that names what a draft still needs.
TODO_COLUMN = "todo"
#: What a draft testimony from Tropy needs before the case is complete.
TO_COMPLETE = ("speaker_id", "given", "setting")

# What each property means, by its full name; templates may add names by label.
_ROLES = {
    DC + "title": "title", DCTERMS + "title": "title",
    DC + "creator": "author", DCTERMS + "creator": "author",
    DC + "date": "date", DCTERMS + "date": "date", DCTERMS + "created": "date",
    DC + "type": "type", DCTERMS + "type": "type",
    DC + "source": "archive", DCTERMS + "source": "archive",
    TROPY + "collection": "collection", TROPY + "box": "box", TROPY + "folder": "folder",
    DC + "identifier": "identifier", DCTERMS + "identifier": "identifier",
    DC + "language": "language", DCTERMS + "language": "language",
    DC + "rights": "rights", DCTERMS + "audience": "recipient", DC + "coverage": "place",
}
_LABELS = {"title": "title", "author": "author", "creator": "author", "date": "date", "type": "type",
           "archive": "archive", "repository": "archive", "collection": "collection", "box": "box",
           "folder": "folder", "folder / file": "folder", "reference": "identifier", "identifier": "identifier",
           "call number": "identifier", "language": "language", "recipient": "recipient", "location": "place"}
_KINDS = {"correspondence": "letter", "letter": "letter", "newspaper": "newspaper", "diary": "diary",
          "memoir": "memoir", "interview": "interview", "report": "official_report", "note": "draft",
          "draft": "draft", "manuscript": "draft", "transcript": "trial_transcript", "trial": "trial_transcript",
          "indictment": "indictment", "interrogation": "interrogation_record", "book": "scholarly_work",
          "article": "scholarly_work"}


def _context_map(context) -> tuple[dict[str, str], str]:
    """Terms of a JSON-LD @context to full names, and its @vocab."""
    terms: dict[str, str] = {}
    vocab = TROPY
    for ctx in context if isinstance(context, list) else [context]:
        if not isinstance(ctx, dict):
            continue
        vocab = ctx.get("@vocab", vocab)
        for term, value in ctx.items():
            if term.startswith("@"):
                continue
            if isinstance(value, str):
                terms[term] = value
            elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                terms[term] = value["@id"]
    return terms, vocab


def _expand(name: str, terms: dict[str, str], vocab: str) -> str:
    if name in terms:
        full = terms[name]
    elif re.match(r"^[a-z][a-z0-9+.-]*://", name):
        return name
    else:
        full = name
    prefix, _, rest = full.partition(":")
    if rest and not rest.startswith("//") and prefix in terms:
        return terms[prefix] + rest
    return full if re.match(r"^[a-z][a-z0-9+.-]*:", full) else vocab + full


def _values(node) -> list[str]:
    if node is None:
        return []
    if isinstance(node, list):
        out = []
        for x in node:
            out.extend(_values(x))
        return out
    if isinstance(node, dict):
        if "@list" in node:
            return _values(node["@list"])
        if "@value" in node:
            return _values(node["@value"])
        if "@id" in node:
            return [str(node["@id"])]
        return []
    return [str(node).strip()] if str(node).strip() else []


def _nodes(node) -> list[dict]:
    if node is None:
        return []
    if isinstance(node, list):
        out = []
        for x in node:
            out.extend(_nodes(x))
        return out
    if isinstance(node, dict) and "@list" in node:
        return _nodes(node["@list"])
    return [node] if isinstance(node, dict) else []


def _read_templates(paths) -> dict[str, str]:
    roles: dict[str, str] = {}
    for path in paths or ():
        path = Path(path)
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFailure(f"{path.name}: cannot be read as a Tropy template ({exc}); "
                                "expected a .ttp file (Tropy: Preferences > Templates > Export)") from None
        fields = data.get("field", data.get("fields", [])) if isinstance(data, dict) else []
        for f in fields if isinstance(fields, list) else []:
            if isinstance(f, dict) and isinstance(f.get("property"), str):
                label = str(f.get("label") or "").strip().lower()
                if label in _LABELS:
                    roles[f["property"]] = _LABELS[label]
    return roles


def _meta(node: dict, terms, vocab, roles) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in node.items():
        if key.startswith("@") or key in ("photo", "selection", "note", "transcription", "list", "tag"):
            continue
        role = roles.get(_expand(key, terms, vocab))
        text = "; ".join(_values(value))
        if role and text and role not in out:
            out[role] = text
        elif role == "identifier" and text:  # dc and dcterms identifiers: keep both (one may be the URL)
            out[role] += f"; {text}"
    return out


def _tropy_date(text: str) -> str | None:
    """Tropy writes EDTF; an older draft put ``~`` or ``?`` in front (``~1977-12``)."""
    text = text.strip()
    m = re.fullmatch(r"([~?%])(.+)", text)
    if m:
        text = m.group(2) + m.group(1)
    return edtf_or_none(text)


def _kind(type_text: str) -> str:
    words = re.findall(r"[a-z]+", type_text.lower())
    for word in words:
        if word in _KINDS:
            return _KINDS[word]
    return "other"


def _place(meta: dict) -> str:
    parts = [meta.get("archive", ""), meta.get("collection", "")]
    if meta.get("box"):
        parts.append(f"box {meta['box']}")
    if meta.get("folder"):
        parts.append(f"folder {meta['folder']}")
    return ", ".join(p for p in parts if p)


def _note_text(note: dict, terms, vocab) -> tuple[str, str]:
    """A note's plain text and language (Tropy exports ``text`` and ``html``)."""
    fields = {_expand(k, terms, vocab): v for k, v in note.items() if not k.startswith("@")}
    language = ""
    for name in (TROPY + "text", TROPY + "html"):
        raw = fields.get(name)
        if raw is None:
            continue
        if isinstance(raw, dict):
            language = str(raw.get("@language", "") or "")
        elif isinstance(raw, list) and raw and isinstance(raw[0], dict):
            language = str(raw[0].get("@language", "") or "")
        text = " ".join(_values(raw))
        if name.endswith("html"):
            text = plain_text(re.sub(r"</p>\s*<p>", "\n", text))
        if text.strip():
            return text.strip(), language
    return "", language


def read_tropy(path: str | Path, templates=()) -> tuple[list[dict], list[dict], list[ImportProblem]]:
    """Read a Tropy JSON-LD export: (sources rows, draft testimony rows, problems).

    Raises :class:`ImportFailure` when the file is not a Tropy export.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file; expected a Tropy export (.json, .jsonld)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise ImportFailure(f"{path.name}: {where}not valid JSON; expected a Tropy export "
                            "(Tropy: File > Export > JSON-LD)") from None
    graphs = data if isinstance(data, list) else [data]
    roles = {**_ROLES, **_read_templates(templates)}
    sources, drafts, problems, wanted = [], [], [], []
    n = 0
    for graph in graphs:
        if not isinstance(graph, dict) or not isinstance(graph.get("@graph"), list):
            raise ImportFailure(f"{path.name}: no @graph of items; expected a Tropy export "
                                "(Tropy: File > Export > JSON-LD)")
        terms, vocab = _context_map(graph.get("@context", {}))
        for item in graph["@graph"]:
            n += 1
            if not isinstance(item, dict):
                problems.append(ImportProblem(path.name, n, None, None, "not an item; expected a JSON object"))
                continue
            meta = _meta(item, terms, vocab, roles)
            title = meta.get("title", "")
            if not title:
                problems.append(ImportProblem(path.name, n, None, "title",
                                              "empty; the source is called 'Untitled item N': give it a title in Tropy"))
                title = f"Untitled item {n}"
            created = ""
            if meta.get("date"):
                created = _tropy_date(meta["date"]) or ""
                if not created:
                    problems.append(ImportProblem(path.name, n, title, "date",
                                                  f"'{meta['date']}' is not an EDTF date; write it in created "
                                                  "(e.g. 1937-01-23)"))
            identifier = meta.get("identifier", "")
            url = next((x for x in identifier.split("; ") if re.match(r"https?://", x)), "")
            place = _place(meta)
            others = "; ".join(x for x in identifier.split("; ") if x and x != url)
            citation = ". ".join(x for x in (place, others) if x)
            notes = []
            if meta.get("recipient"):
                notes.append(f"To: {meta['recipient']}.")
            if meta.get("place"):
                notes.append(f"Place: {meta['place']}.")
            tags = "; ".join(_values(item.get("tag")))
            if tags:
                notes.append(f"Tropy tags: {tags}.")
            wanted.append(slug(title))
            sources.append({"title": title, "kind": _kind(meta.get("type", "")), "author": meta.get("author", ""),
                            "created": created, "language": meta.get("language", ""), "held_by": meta.get("archive", ""),
                            "citation": citation, "url": url, "notes": " ".join(notes)})
            item_drafts = []
            for p, photo in enumerate(_nodes(item.get("photo")), start=1):
                photo_meta = _meta(photo, terms, vocab, roles)
                page = "; ".join(_values(photo.get("page")))
                photo_label = f"photo {p}" + (f" ('{photo_meta['title']}')" if photo_meta.get("title") else "")
                if page and page != "0":
                    photo_label += f", page {int(page) + 1 if page.isdigit() else page}"
                parts = [(photo_label, photo)]
                for s, selection in enumerate(_nodes(photo.get("selection")), start=1):
                    parts.append((f"{photo_label}, selection {s}", selection))
                for label, node in parts:
                    for kind_word, key in (("note", "note"), ("transcription", "transcription")):
                        for k, note in enumerate(_nodes(node.get(key)), start=1):
                            text, language = _note_text(note, terms, vocab)
                            if not text:
                                continue
                            item_drafts.append({"quote": text, "language": language,
                                                "locator": "; ".join(x for x in (place, f"{label}, {kind_word} {k}") if x),
                                                "kind_word": kind_word})
            drafts.append(item_drafts)
    for source, ident in zip(sources, unique_ids(wanted, "tropy-item")):
        source["source_id"] = ident
    testimonies = []
    for source, item_drafts in zip(sources, drafts):
        counts = {"note": 0, "transcription": 0}
        for draft in item_drafts:
            counts[draft["kind_word"]] += 1
            hint = f"the item is dated {source['created']}; " if source["created"] else ""
            testimonies.append({
                "testimony_id": f"{source['source_id']}-{draft['kind_word'][0]}{counts[draft['kind_word']]}",
                "source_id": source["source_id"], "given": "", "setting": "", "quote": draft["quote"],
                "speaker_id": "", "locator": draft["locator"], "language": draft["language"],
                "notes": f"Draft from a Tropy {draft['kind_word']}: {hint}fill in speaker_id, given and setting.",
                TODO_COLUMN: ";".join(TO_COMPLETE),
            })
    columns = TABLES["sources"].column_names
    return [{c: s.get(c, "") for c in columns if c in s} for s in sources], testimonies, problems


def import_tropy(path: str | Path, folder: str | Path, *, templates=(), update: bool = False,
                 dry_run: bool = False) -> tuple[MergeReport, MergeReport]:
    """Import a Tropy export into the case in ``folder``: sources, then draft testimonies.

    Returns the two merge reports (``sources.csv``, ``testimonies.csv``); the
    first carries the problems met in the file.
    """
    sources, testimonies, problems = read_tropy(path, templates)
    first = merge_rows(folder, "sources", sources, update=update, dry_run=dry_run)
    first.problems = problems
    second = merge_rows(folder, "testimonies", testimonies, update=update, dry_run=dry_run,
                        only_new=(TODO_COLUMN, "notes"))
    return first, second


def to_complete(folder: str | Path) -> list[str]:
    """What the draft testimonies of a case still need, one line a cell:
    ``testimonies.csv:ROW:COLUMN: fill in … (testimony id)``, in file order."""
    from ..editing import CsvFile

    path = Path(folder) / TABLES["testimonies"].file
    if not path.exists():
        return []
    data = CsvFile(path)
    out = []
    what = {"speaker_id": "who said it (a person_id of people.csv)",
            "given": "when it was said (EDTF, e.g. 1937-01-23)",
            "setting": "in what setting (open_court, pretrial_interrogation, written_statement, ...)"}
    row_number = 1
    for row in data.rows:
        row_number += 1
        if not row or not row.get(TODO_COLUMN, "").strip():
            continue
        for column in TO_COMPLETE:
            if column in row.get(TODO_COLUMN, "") and not row.get(column, "").strip():
                out.append(f"{path.name}:{row_number}:{column}: fill in {what[column]} "
                           f"({row.get('testimony_id', '')})")
    return out
