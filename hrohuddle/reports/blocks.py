"""Report building blocks shared by every PDF: page frame, styles, tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm

__all__ = ["STYLES", "Picture", "build", "mm", "para", "table"]
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from hrohuddle import APP_NAME, __version__
from hrohuddle.paths import make_private, open_private

# Streams as compressed binary, not also ASCII85-encoded: reportlab's encoder is pure
# Python and took longer than drawing a chart; every PDF reader reads binary streams.
rl_config.useA85 = 0

_base = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle(
        "title", parent=_base["Title"], fontSize=18, leading=22, alignment=0, spaceAfter=4
    ),
    "h2": ParagraphStyle(
        "h2",
        parent=_base["Heading2"],
        fontSize=13,
        leading=16,
        spaceBefore=8,
        spaceAfter=3,
        keepWithNext=1,
    ),
    "h3": ParagraphStyle(
        "h3",
        parent=_base["Heading3"],
        fontSize=10,
        leading=12,
        spaceBefore=4,
        spaceAfter=1,
        keepWithNext=1,
    ),
    "body": ParagraphStyle("body", parent=_base["BodyText"], fontSize=10, leading=13),
    "small": ParagraphStyle(
        "small",
        parent=_base["BodyText"],
        fontSize=8.5,
        leading=11,
        textColor=colors.HexColor("#333333"),
    ),
}


def escape(text: str) -> str:
    """&, < and > as entities, as xml.sax.saxutils.escape does (which loads urllib,
    http and ssl with it)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of user text: escaped, so markup in it is shown, never interpreted."""
    return Paragraph(escape(text).replace("\n", "<br/>"), STYLES[style])


def table(
    rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None, *, header: bool = True
) -> Table:
    """A table whose first row is a header; repeats the header when it breaks across pages.

    Without ``header``, the rows continue a table just above (the same look, no header).
    """
    cells = [
        [c if isinstance(c, Paragraph) else para(str(c), "small") for c in row] for row in rows
    ]
    t = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    shade = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E5E7EB"))] if header else []
    t.setStyle(
        TableStyle(
            [
                *shade,
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#6B7280")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return t


class Picture(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """An image already in memory (a PIL image), drawn at the given size."""

    def __init__(self, image: Any, width: float, height: float) -> None:
        super().__init__()
        self.image = ImageReader(image)
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


def build(
    path: Path, story: list[Any], *, header: str, author: str, witness: str | None = None
) -> None:
    """Write ``story`` to ``path`` with the header and page numbers on every page,
    and the audit head (``witness``) in the footer when given. The file is its
    owner's alone from the moment it exists: a report names people."""
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")

    def frame(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#333333"))
        width, height = A4
        canvas.drawString(15 * mm, height - 10 * mm, header)
        canvas.drawRightString(width - 15 * mm, 8 * mm, f"Page {doc.page}")
        canvas.drawString(
            15 * mm, 8 * mm, f"{APP_NAME} {__version__} · generated {generated} by {author}"
        )
        if witness:
            canvas.drawString(15 * mm, 4.5 * mm, f"Witness of the {witness}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=header,
        author=APP_NAME,
    )
    open_private(path, "wb").close()
    doc.build(story, onFirstPage=frame, onLaterPages=frame)
    make_private(path)
