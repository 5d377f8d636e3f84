"""Text alternatives for charts: a figure as an image with alt text and its numbers in words.

Used by the student edition's pages: :func:`figure_html` is registered as the
HTML form of a matplotlib figure, so every chart on a page carries an ``alt``
and, under it, a "the chart's numbers" section that a screen reader (or a
reader who cannot see the colours) can use.
"""

from __future__ import annotations

import base64
import html
import io

__all__ = ["figure_summary", "figure_html"]


def _fmt(x: float) -> str:
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def figure_summary(fig, max_items: int = 60) -> list[str]:
    """Lines that say what a figure shows: titles, axes, and the numbers of its bars.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.barh(["raw", "independent"], [5, 2]); _ = ax.set_title("Claim one")
    >>> figure_summary(fig)
    ['Chart: Claim one.', 'raw: 5', 'independent: 2']
    """
    from matplotlib.container import BarContainer

    lines: list[str] = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        lines.append(f"{fig._suptitle.get_text()}.")
    for ax in fig.axes:
        title = " ".join(t.get_text() for t in (ax.title, ax._left_title, ax._right_title) if t.get_text())
        labels = [t for t in (ax.get_xlabel(), ax.get_ylabel()) if t]
        head = "Chart" + (f": {title}" if title else "") + (f" ({'; '.join(labels)})" if labels else "") + "."
        if title or labels:
            lines.append(head)
        given = getattr(ax, "text_alternative", None)  # a chart that says its numbers itself (charts.py)
        if given:
            lines.extend(given)
            continue
        for container in ax.containers:
            if not isinstance(container, BarContainer):
                continue
            horizontal = getattr(container, "orientation", "vertical") == "horizontal"
            ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
            where = {round(t.get_position()[1 if horizontal else 0], 6): t.get_text() for t in ticks}
            series = container.get_label()
            series = "" if series.startswith("_") else f" ({series})"
            for patch in container.patches:
                if horizontal:
                    pos, value = patch.get_y() + patch.get_height() / 2, patch.get_width()
                else:
                    pos, value = patch.get_x() + patch.get_width() / 2, patch.get_height()
                name = where.get(round(pos, 6), _fmt(pos))
                lines.append(f"{name}{series}: {_fmt(value)}")
        for line in ax.get_lines():
            label = line.get_label()
            if not label.startswith("_") and len(line.get_xdata()):
                xs, ys = line.get_xdata(), line.get_ydata()
                lines.append(f"{label}: {len(xs)} points from ({_fmt(xs[0])}, {_fmt(ys[0])}) "
                             f"to ({_fmt(xs[-1])}, {_fmt(ys[-1])})")
        texts = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_text().strip()]
        if texts and not ax.containers:
            lines.append("Labels: " + "; ".join(texts[:max_items]))
    if len(lines) > max_items:
        lines = lines[:max_items] + [f"... and {len(lines) - max_items} more"]
    return lines or ["A chart (no title or numbers to read out)."]


def figure_html(fig) -> str:
    """The figure as an ``<img>`` with alt text, followed by its numbers (see :func:`figure_summary`)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=fig.dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    lines = figure_summary(fig)
    alt = html.escape(lines[0] + (" The numbers follow the chart." if len(lines) > 1 else ""))
    items = "".join(f"<li>{html.escape(x)}</li>" for x in lines[1:])
    numbers = (f"<details><summary>The chart's numbers, as text</summary><ul>{items}</ul></details>"
               if items else "")
    return (f'<figure style="margin:0"><img src="data:image/png;base64,{data}" alt="{alt}" '
            f'style="max-width:100%;height:auto">{numbers}</figure>')
