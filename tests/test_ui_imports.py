"""The screens import one another without a circle: a page asks the window for what it
needs through signals, never by importing it."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "hrohuddle" / "ui"


def _ui_imports(path: Path) -> set[str]:
    """The hrohuddle.ui modules a module imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "hrohuddle.ui":  # from hrohuddle.ui import common
                found.update(f"hrohuddle.ui.{a.name}" for a in node.names)
    modules = {f"hrohuddle.ui.{p.stem}" for p in UI.glob("*.py") if p.stem != "__init__"}
    return found & modules


def test_the_ui_modules_import_one_another_without_a_cycle() -> None:
    graph = {
        f"hrohuddle.ui.{path.stem}": _ui_imports(path)
        for path in UI.glob("*.py")
        if path.stem != "__init__"
    }
    assert "hrohuddle.ui.huddle_board" in graph  # the walk found the screens
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError(f"an import cycle among the screens: {exc.args[1]}") from exc
    assert set(order) >= set(graph)


def test_no_screen_imports_the_main_window() -> None:
    importers = [
        path.name
        for path in UI.glob("*.py")
        if path.stem != "main_window" and "hrohuddle.ui.main_window" in _ui_imports(path)
    ]
    assert importers == []
