"""A PDF on screen: its pages drawn as images (pdfium), to read, then print: the file
itself to a PDF printer, and to a paper printer each page drawn at its resolution."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, SignalInstance
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hrohuddle.services import audit
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.common import _hold_collection, attempt, show_problem, tr


def render_pages(pdf: Path, scale: float = 1.5) -> list[QImage]:
    """PDF pages as images (pdfium), for the preview and for printing. Each page's pixels
    go from pdfium's bitmap (RGB, as QImage reads it) into one image, with no copies
    in between."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    images = []
    try:
        for page in doc:
            bitmap = page.render(scale=scale, rev_byteorder=True)
            try:
                image = QImage(
                    bitmap.buffer,
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGB888,
                ).copy()
            finally:
                bitmap.close()
            images.append(image)
    finally:
        doc.close()
    return images


def give_back_freed_memory() -> None:
    """Return to the system the memory a report's build freed (its drawings, its pages, a
    closed preview's): glibc's allocator keeps freed memory for the process otherwise, so
    the app would stay as large as its largest report. Elsewhere, nothing to do."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only, not musl
    if trim is not None:
        trim(0)


class _AfterReports(QObject):
    """Lives as long as the application, on the GUI thread: a report's end reaches it
    even when the screen that started the report is gone (signed out meanwhile)."""

    def done(self, *_outcome: object) -> None:
        _hold_collection(False)
        if gc.isenabled():  # no other work running off the thread
            gc.collect(0)
            give_back_freed_memory()


def collect_after(finished: SignalInstance) -> None:
    """No collection while a report builds off the GUI thread, as for a screen's load; when
    ``finished`` is emitted, what the build left (its charts and its document point at
    each other) is still young, so a young collection on the GUI thread frees it and its
    memory goes back to the system, instead of a full collection finding it some day."""
    app = QCoreApplication.instance()
    receiver = app.findChild(_AfterReports) if app is not None else None
    if receiver is None:
        receiver = _AfterReports(app)
    _hold_collection(True)
    finished.connect(receiver.done)


def print_images(images: list[QImage], printer: Any) -> None:
    """Draw each page image to fit the printer's page."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be opened")
    try:
        for i, image in enumerate(images):
            if i:
                printer.newPage()
            rect = painter.viewport()
            size = image.size()
            size.scale(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(rect.x(), rect.y(), size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
    finally:
        painter.end()


#: Sharper than any printer's text needs, and a page's pixels still within reason.
PRINT_DPI_MOST = 600
#: A page is drawn in bands of at most this many pixels, so a 600-dpi page never
#: needs its 100 MB whole.
BAND_PIXELS = 6_000_000


def print_pdf(pdf: Path, printer: Any) -> None:
    """Print a PDF as it is: to a PDF file, the file itself (vector, byte for byte); to a
    printer, each page drawn at the printer's resolution (see ``paint_pdf``)."""
    from PySide6.QtPrintSupport import QPrinter

    out = printer.outputFileName() if hasattr(printer, "outputFileName") else ""
    if out and printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        import shutil

        shutil.copyfile(pdf, out)
        return
    paint_pdf(pdf, printer)


def paint_pdf(pdf: Path, printer: Any) -> None:
    """Draw each page to fit the printer's page at the printer's resolution (at most
    ``PRINT_DPI_MOST``), in bands, losslessly: no page goes out as a blurred JPEG."""
    import pypdfium2

    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be opened")
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        for n, page in enumerate(doc):
            if n:
                printer.newPage()
            width, height = page.get_size()  # points
            area = painter.viewport()
            fit = min(area.width() / width, area.height() / height)  # device pixels a point
            scale = min(float(printer.resolution()), PRINT_DPI_MOST) / 72
            band = max(18.0, BAND_PIXELS / (width * scale * scale))  # points a band
            top = 0.0
            while top < height:
                below = max(0.0, height - top - band)
                bitmap = page.render(scale=scale, crop=(0, below, 0, top), rev_byteorder=True)
                try:
                    image = QImage(
                        bitmap.buffer,
                        bitmap.width,
                        bitmap.height,
                        bitmap.stride,
                        QImage.Format.Format_RGB888,
                    ).copy()
                finally:
                    bitmap.close()
                painter.drawImage(
                    QRectF(
                        area.x(), area.y() + top * fit, width * fit, (height - top - below) * fit
                    ),
                    image,
                )
                top += band
            page.close()
    finally:
        doc.close()
        painter.end()


class PreviewDialog(QDialog):
    def __init__(
        self,
        db: Database,
        actor: Actor,
        pdf: Path,
        parent: QWidget | None,
        images: list[QImage] | None = None,
        *,
        publish: Callable[[Path], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        #: Writes the report as Save writes it (and records it): what Print sends.
        self.publish = publish
        # Its page images go with it when it closes.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.db, self.actor, self.pdf = db, actor, pdf
        self.setWindowTitle(tr("Weekly report preview"))
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        width = min(980, screen.width() - 40)
        self.resize(width, min(900, screen.height() - 60))
        layout = QVBoxLayout(self)
        scroll = QScrollArea()
        body = QWidget()
        pages = QVBoxLayout(body)
        self.images = images or render_pages(pdf)
        self.pages: list[QLabel] = []
        for image in self.images:
            label = QLabel()
            page = QPixmap.fromImage(image)
            if page.width() > width - 80:  # drawn at the width shown; smaller screens scale
                page = page.scaledToWidth(width - 80, Qt.TransformationMode.SmoothTransformation)
            label.setPixmap(page)
            label.setAccessibleName(tr("Report page"))
            pages.addWidget(label)
            self.pages.append(label)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        printer = buttons.addButton(tr("Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        printer.clicked.connect(self.print_report)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.finished.connect(self._remove_file)

    def _remove_file(self) -> None:
        """The preview's temporary folder and its page images go when the preview closes,
        the pages on screen too (not when the dialog is deleted later), and the memory
        they took goes back to the system."""
        import shutil

        self.images = []
        for label in self.pages:
            label.clear()
        give_back_freed_memory()

        folder = self.pdf.parent
        if folder.name.startswith("hrohuddle-report-"):
            shutil.rmtree(folder, ignore_errors=True)

    def print_report(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: Any) -> bool:
        """Print the report: the very file Save writes (its audit witness in the footer,
        its printing recorded as it is written) when the report can be published, else
        the previewed file, recorded as printed."""
        import shutil
        import tempfile

        from PySide6.QtGui import QGuiApplication

        folder = Path(tempfile.mkdtemp(prefix="hrohuddle-print-"))
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pdf = self.pdf
            if self.publish is not None:
                pdf = folder / self.pdf.name
                publish = self.publish
                if attempt(self, lambda: publish(pdf)) is None:
                    return False
            try:
                print_pdf(pdf, printer)
            except OSError as exc:
                show_problem(self, tr("Printing failed: {why}.").format(why=exc))
                return False
        finally:
            QGuiApplication.restoreOverrideCursor()
            shutil.rmtree(folder, ignore_errors=True)
        if self.publish is None:
            attempt(
                self,
                lambda: audit.report_printed(
                    self.db, self.actor, self.pdf.stem, detail={"to": "printer"}
                ),
            )
        return True
