"""Frictionless descriptors of a case, written from the contract.

The package ships the contract's table schemas, so a case may come with no
``datapackage.json`` or a minimal one; :func:`describe` writes the full
descriptor (fields, types, required and enum constraints, primary and foreign
keys) that ``frictionless validate`` and other Frictionless tools understand.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from .atomic import atomic_write_text
from .loading import load_case
from .reading import read_descriptor
from .contract import SLUG_PATTERN, TABLES, VOCABULARIES, Table

__all__ = ["table_schema", "descriptor", "describe"]

_TYPES = {"integer": "integer", "number": "number"}


def table_schema(table: Table, extra_columns: list[str] | tuple[str, ...] = (),
                 header: list[str] | None = None) -> dict:
    """The Frictionless Table Schema of a contract table (extra columns as strings).

    With ``header`` (the columns of the file, in order), the fields follow the
    file: its contract columns with their types and constraints, its own
    columns as strings, and optional contract columns it does not have left
    out (Frictionless compares the schema's fields with the header in order).

    >>> schema = table_schema(TABLES["evidence"])
    >>> [f["name"] for f in schema["fields"]]
    ['testimony_id', 'claim_id', 'stance', 'note']
    >>> schema["fields"][2]["constraints"]["enum"]
    ['supports', 'contradicts', 'qualifies']
    """
    fields = []
    for column in table.columns:
        f: dict = {"name": column.name, "type": _TYPES.get(column.kind, "string")}
        if column.description:
            f["description"] = column.description
        constraints: dict = {}
        if column.required:
            constraints["required"] = True
        if column.kind == "id":
            constraints["pattern"] = SLUG_PATTERN.strip("^$")
        if column.kind == "enum":
            constraints["enum"] = list(VOCABULARIES[f"{table.name}.{column.name}"])
        if column.kind == "edtf":
            f["format"] = "default"
            f["description"] = (column.description + " " if column.description else "") + "EDTF level 0 or 1."
        if column.kind in ("refs", "enums"):
            f["description"] = (column.description + " " if column.description else "") + "A ; separated list."
        if constraints:
            f["constraints"] = constraints
        fields.append(f)
    for name in extra_columns:
        fields.append({"name": name, "type": "string"})
    if header is not None:
        by_name = {f["name"]: f for f in fields}
        fields = [by_name.get(name, {"name": name, "type": "string"}) for name in header]
    present = {f["name"] for f in fields}
    schema: dict = {"fields": fields, "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    elif table.unique:  # evidence (testimony_id, claim_id), custody (source_id, seq)
        schema["primaryKey"] = list(table.unique)
    foreign = []
    for column in table.columns:
        if column.kind == "ref" and column.name in present:
            target_table, target_column = column.ref.split(".")
            foreign.append({"fields": column.name,
                            "reference": {"resource": "" if target_table == table.name else target_table,
                                          "fields": target_column}})
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _header(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text, newline="")), [])


#: The template case's own name and title (``new-case``): a case described with them still
#: carries the template's, and gets its folder's instead.
TEMPLATE_NAME, TEMPLATE_TITLE = "my-case", "My case (template)"


def name_and_title(folder: str | Path) -> tuple[str, str]:
    """A package name and a title made from a case folder's name.

    >>> name_and_title("data/Harbour_fire 1912")
    ('harbour_fire-1912', 'Harbour fire 1912')
    """
    stem = Path(folder).resolve().name
    name = re.sub(r"[^a-z0-9._/-]+", "-", stem.lower()).strip("-") or "case"
    words = re.sub(r"[-_.]+", " ", stem).strip() or "case"
    return name, words[:1].upper() + words[1:]


def descriptor(path: str | Path) -> dict:
    """The full ``datapackage.json`` of the (valid) case in ``path``, as a dict."""
    case = load_case(path)
    folder = Path(path)
    old, files = read_descriptor(folder, [])
    out = {k: v for k, v in old.items() if k != "resources"}
    folder_name, folder_title = name_and_title(folder)
    if out.get("title") == TEMPLATE_TITLE:  # the template's title, never changed: the folder's instead
        out["title"] = folder_title
        if out.get("name") == TEMPLATE_NAME:
            out["name"] = folder_name
    # Frictionless wants a package name of lower-case letters, digits and - . _ /
    out.setdefault("name", re.sub(r"[^a-z0-9._/-]+", "-", case.name.lower()).strip("-") or "case")
    out.setdefault("title", case.title)
    out["profile"] = "tabular-data-package"
    resources = []
    for name, table in TABLES.items():
        if name not in case.present:
            continue
        file = files[name]
        header = _header(folder / file)
        extra = [c for c in header if c not in table.column_names]
        resources.append({
            "name": name,
            "path": file,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": table.description,
            "schema": table_schema(table, extra, header),
        })
    present = set(case.present)
    for resource in resources:
        keys = resource["schema"].get("foreignKeys", [])
        resource["schema"]["foreignKeys"] = [
            k for k in keys if k["reference"]["resource"] in ("",) or k["reference"]["resource"] in present]
        if not resource["schema"]["foreignKeys"]:
            del resource["schema"]["foreignKeys"]
    others = [r for r in old.get("resources", []) if isinstance(r, dict) and r.get("name") not in TABLES]
    out["resources"] = resources + others
    return out


def describe(path: str | Path) -> Path:
    """Write the full ``datapackage.json`` into the case folder; return its path."""
    target = Path(path) / "datapackage.json"
    atomic_write_text(target, json.dumps(descriptor(path), indent=2, ensure_ascii=False) + "\n")
    return target
