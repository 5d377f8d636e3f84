"""Views: every figure and every widget panel, thin, over judgement's functions.

``charts`` holds the ``plot_*(frame, ..., ax=None) -> Axes`` functions;
``widgets`` the scoring panel and the testimony card; ``ach_panel`` the
competing-hypotheses panel.  A view computes nothing a judgement function could:
it builds controls, draws, and writes the user's choices through the case layer's
store.  This layer may import ``workbook.judgement`` and ``workbook.case``, never
``workbook.faces``.  matplotlib and ipywidgets are imported where they are used,
so that importing ``workbook`` stays light.
"""
