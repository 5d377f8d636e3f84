"""A pager over figures: one page drawn at a time, on request, with Previous, Next and a menu.

A long figure split into pages (``derivation_pages``, ``plot_corroboration_pages``) is
read one page at a time. Drawing every page when a notebook runs costs seconds and
fills screens; the pager draws only the page the reader asks for.

>>> pager = FigurePager(["a", "b", "c"], lambda item, number, total: None, what="pages of letters")
>>> pager.describe()
'[A pager over 3 pages of letters: choose a page to draw it.]'
>>> [option for option, _ in pager.menu.options]
['Choose a page', 'Page 1 of 3', 'Page 2 of 3', 'Page 3 of 3']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

__all__ = ["FigurePager"]


class FigurePager:
    """Pages of one figure; ``draw(item, number, total)`` draws one page (matplotlib Axes or Figure).

    Nothing is drawn until a page is chosen (``start=None``), or page ``start`` (1-based)
    is drawn at once. The menu and the two buttons are reachable by keyboard.
    """

    def __init__(self, items: Sequence[Any], draw: Callable[[Any, int, int], Any], *,
                 what: str = "pages", start: int | None = None):
        self.items = list(items)
        self.draw = draw
        self.what = what
        total = len(self.items)
        options = [("Choose a page", 0)] + [(f"Page {n} of {total}", n) for n in range(1, total + 1)]
        self.menu = widgets.Dropdown(options=options, value=0, description="Show",
                                     layout=widgets.Layout(width="auto"))
        self.previous = widgets.Button(description="← Previous page", tooltip="Previous page")
        self.next = widgets.Button(description="Next page →", tooltip="Next page")
        self.output = widgets.Output()
        self.menu.observe(lambda change: self.show(change["new"]), names="value")
        self.previous.on_click(lambda _: self.menu.set_trait("value", max(1, self.menu.value - 1)))
        self.next.on_click(lambda _: self.menu.set_trait("value", min(total, self.menu.value + 1)))
        self.widget = widgets.VBox([widgets.HBox([self.previous, self.menu, self.next],
                                                 layout=widgets.Layout(flex_flow="row wrap")), self.output])
        self.widget.add_class("scw-pager")
        if start:
            self.menu.value = start

    def show(self, number: int) -> None:
        """Draw page ``number`` (1-based) in the pager; 0 clears it."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        self.output.clear_output(wait=True)
        if not number:
            return
        drawn = self.draw(self.items[number - 1], number, len(self.items))
        figure = getattr(drawn, "figure", drawn)
        with self.output:
            if figure is not None:
                display(figure)
                plt.close(figure)

    def describe(self) -> str:
        return f"[A pager over {len(self.items)} {self.what}: choose a page to draw it.]"

    def __repr__(self) -> str:
        return self.describe()

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.describe()
        return bundle
