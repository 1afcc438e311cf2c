"""The weekly report as the command line runs it: a whole process, against a floor.

    python tests/bench/report_process.py [--runs 7] [--database FILE] [--years 10]

The floor is a process that imports the same libraries (reportlab's graphics shapes
and platypus, SQLAlchemy's ORM, PyYAML, Pillow: each run checks that the report's
process loads these and no others), draws the same number of charts as the report's
(vector drawings of 26 weeks: grid, ticks, a line with a dot per week, centre and
stepped limits, labels and a legend, scaled to the page's width), and builds a PDF of
the same number of pages holding as much text (streams not ASCII85-encoded, as the
report's): what any weekly report in these libraries costs, done the cheapest way the
report knows, with no database opened, no services and no vocabulary files. App and
floor run alternately, from process start to exit. Not a test: timings belong here, not
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

# The libraries the report's process loads beside reportlab (checked in each run by
# ``libraries_loaded``),
# loaded as it loads them, and nothing of HRO Huddle's own.
import sqlalchemy.orm  # noqa: F401
import yaml  # noqa: F401
from PIL import Image  # noqa: F401
from reportlab import rl_config
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

rl_config.useA85 = 0
W, H = 7.2 * 72, 2.9 * 72
x0, y0, x1, y1 = 44, 63, W - 75, H - 21
blue = HexColor("#0072B2")


def chart(c):
    d = Drawing(W, H)
    ys = [10 + (i * 7 + c) % 9 for i in range(26)]
    x = lambda i: x0 + (i + 0.6) / 26.2 * (x1 - x0)
    y = lambda v: y0 + v / 24 * (y1 - y0)
    for v in range(0, 25, 4):
        d.add(Line(x0, y(v), x1, y(v), strokeColor=HexColor("#E5E5E5")))
        d.add(String(x0 - 5, y(v) - 2.6, str(v), fontSize=7.5, textAnchor="end"))
    label = Group(String(0, 0, "per week", fontSize=8.5, textAnchor="middle"))
    label.transform = (0, 1, -1, 0, 11, (y0 + y1) / 2)
    d.add(label)
    for i in range(0, 26, 4):
        d.add(Line(x(i), y0, x(i), y0 - 3))
        d.add(String(x(i), y0 - 12, f"W{i + 1:02d}", fontSize=7.5, textAnchor="middle"))
        d.add(String(x(i), y0 - 21, f"{i + 1} Jan", fontSize=7.5, textAnchor="middle"))
    mid = (x0 + x1) / 2
    d.add(String(mid, y0 - 33, "ISO week and its Monday", fontSize=8.5, textAnchor="middle"))
    d.add(Line(x0, y(14), x1, y(14), strokeColor=HexColor("#4D4D4D"), strokeWidth=1.1))
    steps = []
    for i, v in enumerate(ys):
        steps += [x(i - 0.5 if i else i), y(v + 6), x(i + 0.5 if i < 25 else i), y(v + 6)]
    d.add(PolyLine(steps, strokeColor=black, strokeWidth=1.1, strokeDashArray=[4, 2]))
    line = [c for i, v in enumerate(ys) for c in (x(i), y(v))]
    d.add(PolyLine(line, strokeColor=blue, strokeWidth=1.2))
    for i, v in enumerate(ys):
        d.add(Circle(x(i), y(v), 1.75, fillColor=blue, strokeColor=blue, strokeWidth=0.5))
    d.add(Rect(x0, y0, x1 - x0, y1 - y0, fillColor=None, strokeColor=black, strokeWidth=0.8))
    d.add(String(x0, y1 + 6, "W01 to W26 (1 Jan to 30 Jun), n = 26 weeks", fontSize=9))
    d.add(String(x1 + 1, y(14) - 2.6, " centre 14", fontSize=7.5))
    for k, text in enumerate(("weekly value", "centre line (mean)", "3-sigma limits")):
        d.add(Line(150 + k * 90, 11.6, 166 + k * 90, 11.6, strokeColor=blue))
        d.add(String(170 + k * 90, 9, text, fontSize=7.5))
    k = 180 * mm / W
    out = Drawing(W * k, H * k)
    g = Group(*d.contents)
    g.transform = (k, 0, 0, k, 0, 0)
    out.add(g)
    return out


charts, out = int(sys.argv[1]), sys.argv[3]
text_per_page = [int(n) for n in sys.argv[2].split(",")]
pages = len(text_per_page)
styles = getSampleStyleSheet()
small = styles["BodyText"].clone("small", fontSize=8.5, leading=11)
words = "The huddle was held on time and every profession was there to hear it. "
story = [Paragraph("Weekly report", styles["Title"])]
drawn = [chart(c) for c in range(charts)]
for p, chars in enumerate(text_per_page):
    if p:
        story.append(PageBreak())
    story.append(Paragraph(f"Section {p + 1}", styles["Heading2"]))
    story.append(Table([["Figure", "Value"]] + [[f"row {i}", str(i)] for i in range(8)]))
    on_page = drawn[p::pages]
    story.extend(on_page)
    text = max(0, chars - 150 - CHART_TEXT * len(on_page))
    story.append(Paragraph(words * (text // len(words)), small))
SimpleDocTemplate(out, pagesize=A4).build(story)
""".replace("CHART_TEXT", "330")

#: What every chart prints under its plot: a chart in a PDF is counted by it.
CHART_MARK = "ISO week and its Monday"


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
    """The characters of text on each page of a PDF and its charts (the report's, so
    that the floor builds as many pages with as much text and as many charts)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = [page.extract_text() for page in reader.pages]
    return [len(t) for t in text], sum(t.count(CHART_MARK) for t in text)


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
    app_libraries, floor_libraries = libraries_loaded(app, env), libraries_loaded(floor, env)
    if app_libraries != floor_libraries:
        print(
            f"the floor loads {sorted(floor_libraries)}, the report {sorted(app_libraries)}",
            file=sys.stderr,
        )
    if len(floor_text) != len(text) or floor_images != images:
        print(
            f"the floor made {len(floor_text)} pages and {floor_images} charts, "
            f"the report {len(text)} and {images}",
            file=sys.stderr,
        )
    app_times, floor_times = [], []
    for _ in range(runs):
        floor_times.append(timed_run(floor, env))
        app_times.append(timed_run(app, env))
    return app_times, floor_times, (len(text), images)


def libraries_loaded(cmd: list[str], env: dict[str, str]) -> set[str]:
    """The third-party packages a process imports, read from ``python -X importtime``."""
    run = [cmd[0], "-X", "importtime", *cmd[1:]]
    err = subprocess.run(run, env=env, check=True, capture_output=True, text=True).stderr
    names = set()
    for line in err.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name and not name.startswith("_") and name not in sys.stdlib_module_names:
                names.add(name)
    return names - {"hrohuddle"}


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
