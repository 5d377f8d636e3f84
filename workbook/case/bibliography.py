"""A case's bibliography as CSL-JSON, for Zotero and other reference managers.

>>> import pandas as pd
>>> sources = pd.DataFrame({"source_id": ["getty-1986"], "title": ["Trotsky in Exile"],
...     "kind": ["scholarly_work"], "author": ["Getty, J. Arch"], "created": ["1986-01"],
...     "language": ["en"], "held_by": [""], "citation": ["Soviet Studies 38, 1 (1986)"], "url": [""]})
>>> csl_items(sources)[0]
{'id': 'getty-1986', 'type': 'article-journal', 'title': 'Trotsky in Exile', 'author': [{'family': 'Getty', 'given': 'J. Arch'}], 'issued': {'date-parts': [[1986, 1]]}, 'language': 'en', 'note': 'Soviet Studies 38, 1 (1986)', 'custom': {'source_criticism_workbook': {'kind': 'scholarly_work', 'created': '1986-01'}}}
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .atomic import atomic_write_text

__all__ = ["csl_items", "write_csl_json"]

_TYPES = {
    "interrogation_record": "document",
    "trial_transcript": "legal_case",
    "indictment": "legal_case",
    "draft": "manuscript",
    "letter": "personal_communication",
    "memoir": "book",
    "diary": "manuscript",
    "interview": "interview",
    "official_report": "report",
    "archival_summary": "document",
    "newspaper": "article-newspaper",
    "scholarly_work": "article-journal",
    "translation": "book",
    "other": "document",
}
_EDTF_START = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _authors(text: str) -> list[dict]:
    people = []
    for name in (n.strip() for n in text.split(";")):
        if not name:
            continue
        if "," in name:
            family, given = (p.strip() for p in name.split(",", 1))
            people.append({"family": family, "given": given})
        else:
            people.append({"literal": name})
    return people


def _issued(text: str) -> dict | None:
    m = _EDTF_START.match(text or "")
    if not m:
        return None
    parts = [int(m.group(1))]
    for g in (m.group(2), m.group(3)):
        if g is None or int(g) > 12 and len(parts) == 1:
            break
        parts.append(int(g))
    return {"date-parts": [parts]}


def csl_items(sources: pd.DataFrame) -> list[dict]:
    """One CSL-JSON item per source, sorted by ``source_id``."""
    items = []
    for row in sources.sort_values("source_id").to_dict("records"):
        item: dict = {"id": row["source_id"], "type": _TYPES.get(row.get("kind", ""), "document"),
                      "title": row["title"]}
        if row.get("author"):
            item["author"] = _authors(row["author"])
        issued = _issued(row.get("created", ""))
        if issued:
            item["issued"] = issued
        if row.get("language"):
            item["language"] = row["language"]
        if row.get("held_by"):
            item["archive"] = row["held_by"]
        if row.get("url"):
            item["URL"] = row["url"]
        if row.get("citation"):
            item["note"] = row["citation"]
        # what CSL cannot say (the contract's kind, the EDTF date as written, access), for an exact
        # round trip through `python -m workbook import zotero`; CSL-JSON keeps application data in `custom`
        custom = {k: row[k] for k in ("kind", "created", "access") if row.get(k)}
        if custom:
            item["custom"] = {"source_criticism_workbook": custom}
        items.append(item)
    return items


def write_csl_json(case, path: str | Path) -> Path:
    """Write the case's sources as a CSL-JSON file (import it in Zotero: File > Import)."""
    path = Path(path)
    atomic_write_text(path, json.dumps(csl_items(case.sources), indent=2, ensure_ascii=False) + "\n")
    return path
