"""Qt widgets, item models and dialogs: the only Qt importer besides app.py."""

from __future__ import annotations

import sys
from types import ModuleType


def _mentions_pyside(module: ModuleType) -> bool:
    """Whether the module's source file names PySide6: what PySide asks of every module
    imported after it, read straight from the file."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False  # no source to read: PySide's own check says False too
    try:
        with open(path, "rb") as handle:
            return b"PySide6" in handle.read()
    except OSError:
        return False


def _lighter_pyside_import_hook() -> None:
    """PySide6 looks at every module imported after it (for its opt-in ``__feature__``
    syntax, which HRO Huddle does not use) through ``inspect.getsource``, which keeps
    each module's source in ``linecache`` for the life of the process: 38 MB and
    130 ms for SQLAlchemy and reportlab. The same question, answered
    from the file and nothing kept. Left alone if PySide changes its internals."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", _mentions_pyside)  # noqa: B010


_lighter_pyside_import_hook()
