"""The layers of the README's Architecture hold: Qt only in ui/ and app.py; the demo
beside the command line; start-up stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hrohuddle"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # ``from hrohuddle import demo`` imports the module hrohuddle.demo.
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_qt_is_imported_only_in_ui_and_app() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui" or rel.name == "app.py":
            continue
        if any(n.startswith("PySide6") for n in _imports(path)):
            offenders.append(str(rel))
    assert offenders == []


def test_lower_layers_do_not_import_higher_ones() -> None:
    order = ["store", "analytics", "services", "reports", "ui"]
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] not in order:
            continue
        mine = order.index(rel.parts[0])
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "hrohuddle" and len(parts) > 1 and parts[1] in order:
                assert order.index(parts[1]) <= mine, f"{rel} imports {name}"


def test_the_demo_sits_beside_the_command_line() -> None:
    """hrohuddle.demo writes a sample unit through the services, as cli.py does: it may
    import the services and what they stand on, never reports or screens, and no layer
    imports it."""
    layers = {"store", "analytics", "services", "reports", "ui"}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "hrohuddle" or len(parts) < 2:
                continue
            if rel.parts[0] == "demo":
                assert parts[1] not in ("reports", "ui"), f"{rel} imports {name}"
            elif rel.parts[0] in layers:
                assert parts[1] != "demo", f"{rel} imports {name}"


def test_start_up_to_sign_in_imports_no_charts_reports_or_alembic(
    demo_env: dict[str, str],
) -> None:
    env = dict(demo_env)
    env["HROHUDDLE_BENCH_MARK"] = "ready"
    env["HROHUDDLE_BENCH_MODULES"] = "1"
    out = subprocess.run(
        [sys.executable, "-m", "hrohuddle"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "HROHUDDLE_BENCH ready" in out.stdout, out.stdout + out.stderr
    loaded = next(line for line in out.stdout.splitlines() if line.startswith("HROHUDDLE_MODULES"))
    for heavy in ("matplotlib", "reportlab", "alembic"):
        assert f" {heavy}" not in loaded, loaded
