"""A form to add or change a row of a case: a source, a person, a testimony, an evidence link, a custody step.

A thin view over :class:`workbook.case.editing.CaseEditor`: the form offers the
contract's vocabularies and the case's own ids as choices, checks each cell as
you type (an EDTF date gets the EDTF to write), and *Save* writes the row
atomically into the CSV file, keeping row order, extra columns and every other
row byte for byte. *Undo* puts the file back as it was before the last save.

>>> form = CaseForm("../data/my-case")        # doctest: +SKIP
>>> form                                        # doctest: +SKIP
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..case.contract import TABLES
from ..case.dates import EDTF_HELP
from ..case.editing import CaseEditor, EditError, check_value, choices, ids, table_key

__all__ = ["CaseForm", "case_form", "EDITABLE"]

#: The tables the form edits, with the words shown for them.
EDITABLE = {"sources": "a source", "people": "a person", "testimonies": "a testimony",
            "evidence": "an evidence link", "custody": "a custody step", "claims": "a claim"}
_LONG = {"quote", "notes", "note", "citation", "statement", "title"}
NEW = "(a new row)"


class CaseForm:
    """The editing form. Attributes: ``table`` (which table), ``row`` (which row: a new one
    or an existing key), ``fields[column]`` (one widget a column), ``checks[column]``
    (what is wrong with that cell, or a tick), ``save_button``, ``undo_button``,
    ``status`` and ``widget``. ``editor`` is the :class:`CaseEditor` that writes."""

    def __init__(self, folder: str | Path, table: str = "sources"):
        import ipywidgets as w  # imported here: analysis code never needs it

        self._w = w
        self.folder = Path(folder)
        self.editor = CaseEditor(self.folder)
        self.table = w.Dropdown(description="Edit", options=[(f"{label} ({name}.csv)", name)
                                                            for name, label in EDITABLE.items()],
                                value=table, style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self.row = w.Dropdown(description="Row", options=[NEW], value=NEW,
                              style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self.save_button = w.Button(description="Save", icon="save", button_style="primary",
                                    tooltip="Write this row into the CSV file", layout=w.Layout(width="auto"))
        self.undo_button = w.Button(description="Undo last save", icon="undo",
                                    tooltip="Put the file back as it was before the last save",
                                    layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.fields: dict[str, object] = {}
        self.checks: dict[str, object] = {}
        self.body = w.VBox()
        self.table.observe(lambda _: self._build(), names="value")
        self.row.observe(lambda _: self._load(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.undo_button.on_click(lambda _: self.undo())
        self.widget = w.VBox([w.HBox([self.table, self.row]), self.body,
                              w.HBox([self.save_button, self.undo_button]), self.status])
        self._build()

    # ------------------------------------------------------------------ building
    def _field(self, column) -> object:
        w = self._w
        name, kind = column.name, column.kind
        label = name + (" *" if column.required else "")
        style = {"description_width": "11em"}
        layout = w.Layout(width="46em")
        offered = choices(self.folder, self.table.value, name) if kind in ("enum", "enums", "ref", "refs") else []
        if (self.table.value, name) == ("custody", "custodian"):  # free text, but usually someone of people.csv
            kind, offered = "ref", ids(self.folder, "people", "person_id")
        if kind == "enum":
            widget = w.Dropdown(description=label, options=[""] + offered, value="", style=style, layout=layout)
        elif kind == "ref":
            widget = w.Combobox(description=label, options=offered, ensure_option=False,
                                placeholder=f"one of {len(offered)} ids" if offered else "no ids yet",
                                style=style, layout=layout)
        elif kind in ("enums", "refs"):
            widget = w.SelectMultiple(description=label, options=offered, value=(), rows=min(6, max(2, len(offered))),
                                      style=style, layout=layout)
        elif name in _LONG:
            widget = w.Textarea(description=label, rows=3 if name != "title" else 1, style=style, layout=layout)
        else:
            placeholder = "EDTF: 1937, 1937-01, 1937-01-23, 1937-01~, 1936/1937" if kind == "edtf" else ""
            widget = w.Text(description=label, placeholder=placeholder, style=style, layout=layout)
        widget.observe(lambda change, n=name: self._check(n), names="value")
        return widget

    def _build(self) -> None:
        w = self._w
        table = self.table.value
        self.fields, self.checks, rows = {}, {}, []
        for column in TABLES[table].columns:
            self.fields[column.name] = self._field(column)
            self.checks[column.name] = w.HTML(layout=w.Layout(margin="0 0 0 11.5em"))
            rows += [self.fields[column.name], self.checks[column.name]]
        hint = (f"<small>Fields with * are required. Dates: {escape(EDTF_HELP)}.</small>"
                if any(c.kind == "edtf" for c in TABLES[table].columns) else
                "<small>Fields with * are required.</small>")
        self.body.children = [w.HTML(hint)] + rows
        self._tried = False
        self._refresh_rows(NEW)
        self.status.value = ""

    def _refresh_rows(self, value) -> None:
        keys = self.editor.keys(self.table.value)
        options = [NEW] + [", ".join(k) for k in keys]
        self.row.options = options
        self.row.value = value if value in options else NEW
        self._load()

    def _key(self) -> dict[str, str] | None:
        if self.row.value == NEW:
            return None
        parts = self.row.value.split(", ")
        return dict(zip(table_key(self.table.value), parts))

    def _load(self) -> None:
        self._tried = False
        key = self._key()
        row = self.editor.row(self.table.value, key) if key else None
        for column in TABLES[self.table.value].columns:
            self._set(column, (row or {}).get(column.name, ""))
        for name in self.fields:
            self._check(name)

    def _set(self, column, text: str) -> None:
        widget = self.fields[column.name]
        if column.kind in ("enums", "refs"):
            items = tuple(v.strip() for v in text.split(";") if v.strip())
            missing = [v for v in items if v not in widget.options]
            if missing:
                widget.options = list(widget.options) + missing
            widget.value = items
        elif column.kind == "enum" and text not in widget.options:
            widget.options = list(widget.options) + [text]
            widget.value = text
        else:
            widget.value = text

    # ------------------------------------------------------------------ reading and checking
    def values(self) -> dict[str, str]:
        """The form's cells as the CSV will hold them (lists joined with ``;``)."""
        out = {}
        for column in TABLES[self.table.value].columns:
            value = self.fields[column.name].value
            out[column.name] = ";".join(value) if isinstance(value, tuple) else (value or "")
        return out

    def _check(self, name: str) -> None:
        value = self.values().get(name, "")
        if (self.table.value, name) == ("custody", "source_id") and self.row.value == NEW and value \
                and not self.fields["seq"].value:
            steps = [int(k[1]) for k in self.editor.keys("custody") if k[0] == value and k[1].isdigit()]
            self.fields["seq"].value = str(max(steps, default=0) + 1)  # the next step of that source
        message = check_value(self.folder, self.table.value, name, value)
        kind = TABLES[self.table.value].column(name).kind
        if message and (value or getattr(self, "_tried", False)):  # an empty field is flagged after a save only
            self.checks[name].value = f"<span style='color:#a4000f'>✗ {escape(message)}</span>"
        elif value and kind == "edtf":
            self.checks[name].value = "<span style='color:#1b5e20'>✓ EDTF</span>"
        elif kind in ("enums", "refs"):
            self.checks[name].value = "<small>Ctrl-click (⌘-click on a Mac) to choose several.</small>"
        else:
            self.checks[name].value = ""

    def problems(self) -> dict[str, str]:
        """What is wrong with the form's cells now: column -> message."""
        out = {}
        for name, value in self.values().items():
            message = check_value(self.folder, self.table.value, name, value)
            if message:
                out[name] = message
        return out

    # ------------------------------------------------------------------ writing
    def save(self) -> str:
        values = self.values()  # a cell emptied in the form is emptied in the file; a changed id adds a row
        try:
            message = self.editor.save(self.table.value, values)
        except EditError as exc:
            self.status.value = f"<span style='color:#a4000f'>{escape(str(exc))}</span>"
            self._tried = True
            for name in self.fields:
                self._check(name)
            return str(exc)
        self._tried = False
        self.status.value = f"<span style='color:#1b5e20'>Saved. {escape(message)}</span>"
        self._rebuild_choices()
        self._refresh_rows(", ".join(values.get(c, "") for c in table_key(self.table.value)))
        return message

    def undo(self) -> str:
        try:
            message = self.editor.undo()
        except EditError as exc:
            message = str(exc)
        self.status.value = escape(message)
        self._rebuild_choices()
        self._refresh_rows(self.row.value)
        return message

    def _rebuild_choices(self) -> None:
        for column in TABLES[self.table.value].columns:
            if column.kind in ("ref", "refs"):
                offered = choices(self.folder, self.table.value, column.name)
                widget = self.fields[column.name]
                if column.kind == "ref":
                    widget.options = offered
                else:
                    keep = widget.value
                    widget.options = offered + [v for v in keep if v not in offered]
                    widget.value = keep

    def __repr__(self) -> str:
        return f"CaseForm({self.folder.name!r}, table={self.table.value!r})"

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle


def case_form(folder: str | Path, table: str = "sources") -> CaseForm:
    """The editing form over the case in ``folder`` (see :class:`CaseForm`)."""
    return CaseForm(folder, table)
