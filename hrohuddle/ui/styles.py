"""Style sheets kept beside app.qss in resources/styles, each read once."""

from __future__ import annotations

from functools import cache
from string import Template

from hrohuddle.paths import resources_dir


@cache
def _template(name: str) -> Template:
    return Template((resources_dir() / "styles" / f"{name}.qss").read_text(encoding="utf-8"))


def style_sheet(name: str, **values: object) -> str:
    """resources/styles/NAME.qss with its ``${placeholders}`` filled from ``values``."""
    return _template(name).substitute(values)
