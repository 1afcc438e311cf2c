"""The weekly report as the command line runs it: a whole process, against a floor.

    python tests/bench/report_process.py [--runs 7] [--database FILE] [--years 10]

The floor is a process that imports the same libraries (matplotlib's Figure and Agg
canvas, reportlab's platypus), draws the same number of charts of the same size at
the report's resolution, hands their pixels to reportlab as the report does (no PNG
in between, streams not ASCII85-encoded) and builds a PDF of the same number of
pages holding as much text: what any weekly report in these libraries costs, done
the cheapest way the report knows, with no database, no services and no vocabulary
files. App and floor
run alternately, from process start to exit. Not a test: timings belong here, not
in assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import bench_database

FLOOR = r"""
import sys
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Table

rl_config.useA85 = 0


class Picture(Flowable):
    def __init__(self, image):
        super().__init__()
        self.image, self.width, self.height = ImageReader(image), 180 * mm, 180 * mm * 2.9 / 7.2

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


charts, out = int(sys.argv[1]), sys.argv[3]
text_per_page = [int(n) for n in sys.argv[2].split(",")]
pages = len(text_per_page)
styles = getSampleStyleSheet()
small = styles["BodyText"].clone("small", fontSize=8.5, leading=11)
words = "The huddle was held on time and every profession was there to hear it. "
weeks = [f"W{i:02d}\n{i} Jan" for i in range(1, 27)]
story = [Paragraph("Weekly report", styles["Title"])]
images = []
for c in range(charts):
    fig = Figure(figsize=(7.2, 2.9), dpi=100)
    fig.subplots_adjust(left=0.085, right=0.855, top=0.9, bottom=0.3)
    ax = fig.add_subplot()
    ys = [10 + (i * 7 + c) % 9 for i in range(26)]
    ax.plot(range(26), ys, marker="o", markersize=3.5, label="weekly value")
    ax.axhline(14, linestyle="--", label="centre")
    ax.step(range(26), [y + 6 for y in ys], where="mid", linestyle=(0, (4, 2)), label="limit")
    ax.set_title("W01 to W26, n = 26 weeks", fontsize=9, loc="left")
    ax.set_ylabel("per week", fontsize=8.5)
    ax.set_xticks(range(0, 26, 4))
    ax.set_xticklabels(weeks[::4], fontsize=7.5)
    ax.grid(axis="y")
    ax.annotate(" centre 14", xy=(1.0, 14), xycoords=("axes fraction", "data"), fontsize=7.5)
    fig.legend(loc="lower center", ncols=3, fontsize=7.5, frameon=False)
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(150)
    canvas.draw()
    size = canvas.get_width_height()
    rgba = PILImage.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    images.append(Picture(rgba.convert("RGB")))
for p, chars in enumerate(text_per_page):
    if p:
        story.append(PageBreak())
    story.append(Paragraph(f"Section {p + 1}", styles["Heading2"]))
    story.append(Table([["Figure", "Value"]] + [[f"row {i}", str(i)] for i in range(8)]))
    story.extend(images[p::pages])
    story.append(Paragraph(words * (max(0, chars - 150) // len(words)), small))
SimpleDocTemplate(out, pagesize=A4).build(story)
"""


def timed_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from start to exit, and the processor seconds the process used: on a
    busy machine the first grows with the load, the second much less."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pdf_shape(path: Path) -> tuple[list[int], int]:
    """The characters of text on each page of a PDF and its embedded images (the
    report's, so that the floor builds as many pages with as much text)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = [len(page.extract_text()) for page in reader.pages]
    return text, sum(len(page.images) for page in reader.pages)


def weekly_process(
    db_file: Path, runs: int, env: dict[str, str]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], tuple[int, int]]:
    """(wall, processor) seconds per run of ``hrohuddle report weekly`` and of the
    floor, run alternately."""
    out = Path(tempfile.mkdtemp(prefix="hrohuddle-bench-report-"))
    app = [
        sys.executable,
        "-m",
        "hrohuddle",
        "--database",
        f"sqlite:///{db_file}",
        "report",
        "weekly",
        "--out",
        str(out / "weekly.pdf"),
    ]
    timed_run(app, env)  # warms the file cache, and tells the floor what to match
    text, images = pdf_shape(out / "weekly.pdf")
    floor_pdf = out / "floor.pdf"
    floor = [sys.executable, "-c", FLOOR, str(images), ",".join(map(str, text)), str(floor_pdf)]
    timed_run(floor, env)
    floor_text, floor_images = pdf_shape(floor_pdf)
    if len(floor_text) != len(text) or floor_images != images:
        print(
            f"the floor made {len(floor_text)} pages and {floor_images} images, "
            f"the report {len(text)} and {images}",
            file=sys.stderr,
        )
    app_times, floor_times = [], []
    for _ in range(runs):
        floor_times.append(timed_run(floor, env))
        app_times.append(timed_run(app, env))
    return app_times, floor_times, (len(text), images)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--database", type=Path, help="an existing database (default: a demo)")
    p.add_argument("--years", type=float, default=10.0, help="demo history when no database")
    args = p.parse_args()
    db_file, env = bench_database(args.database, args.years)
    app_runs, floor_runs, (pages, images) = weekly_process(db_file, args.runs, env)
    print(f"{pages} pages, {images} charts; {args.runs} runs; {os.cpu_count()} cores")
    for i, what in enumerate(("wall", "processor")):
        app = [r[i] for r in app_runs]
        floor = [r[i] for r in floor_runs]
        ratios = [a / f for a, f in zip(app, floor, strict=True)]
        print(
            f"{what}: report weekly median {statistics.median(app):.2f} s ({spread(app)}), "
            f"floor {statistics.median(floor):.2f} s ({spread(floor)}), "
            f"ratio {statistics.median(ratios):.2f} ({spread(ratios)}); target 1.5"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
