"""The class server: one command serves a classroom (``python -m workbook class CASE``).

Students join with a code and their name; each student's work is kept in their own
files in the class folder and saved at once; the teacher follows the class live.
See :mod:`workbook.faces.classroom.server` for how it is built on Voilà and Jupyter
Server, and ``docs/teaching.md`` for how to run a class.
"""

from .state import ClassState, RosterError, read_roster

__all__ = ["ClassState", "RosterError", "read_roster", "serve_class", "class_pages"]


def serve_class(*args, **kwargs):
    """Serve a class (see :func:`workbook.faces.classroom.server.serve_class`); imports Voilà only when called."""
    from .server import serve_class as serve

    return serve(*args, **kwargs)


def class_pages(app_dir):
    """The notebook pages of ``app_dir`` that students may open."""
    from .server import class_pages as pages

    return pages(app_dir)
