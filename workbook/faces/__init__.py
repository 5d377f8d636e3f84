"""Faces: how people reach the workbook.

The command line (``python -m workbook``), the series tools (executing the
notebooks, students' copies, the HTML report), the app and the class server.
This is the top layer: it may import every layer below (views, judgement, case);
nothing below imports it.
"""
