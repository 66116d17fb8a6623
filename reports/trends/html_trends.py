"""The trends report as one self-contained HTML file, with inline SVG charts.

The same safety as the check report: Jinja2 autoescaping, a Content-Security-Policy that
forbids scripts and any load, no JavaScript. Charts are drawn in ink and grey, told apart by
line style (solid, dashed, dotted) and labelled directly, so they print in black and white;
days when a system was not scanned (its last known state carried) are marked beneath the
chart and ticked under the sparklines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from checker import __version__
from checker.history.trends import Counts, Point, Series, Trends
from reports.html import CSP, environment

CHART_WIDTH, CHART_HEIGHT = 720, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 120, 12, 44
SPARK_WIDTH, SPARK_HEIGHT = 220, 34


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    points: str  # SVG polyline points
    dash: str  # stroke-dasharray ("" for solid)
    width: float
    end_x: float
    end_y: float
    end_value: str
    label_y: float = 0.0  # where the end label sits: at the line's end, moved off others


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    description: str
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    carried: list[tuple[float, float]]  # x ranges of days with a carried state
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = MARGIN_LEFT
    top: int = MARGIN_TOP
    plot_width: int = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height: int = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM


@dataclass(frozen=True, slots=True)
class Spark:
    points: str
    hollow: list[tuple[float, float]]  # points of days with a carried state: ticked under the line
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return float(factor * step)
    return float(10 * step)


def _chart(
    title: str,
    description: str,
    points: Sequence[Point],
    lines: Sequence[tuple[str, Callable[[Counts], float], str, float]],
    *,
    percent: bool = False,
) -> Chart:
    plot_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    n = len(points)
    top = (
        1.0
        if percent
        else _nice_max(max((get(p.counts) for p in points for _, get, _, _ in lines), default=0))
    )

    def x(i: int) -> float:
        return MARGIN_LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return MARGIN_TOP + plot_h - plot_h * v / top

    drawn = []
    for label, get, dash, width in lines:
        coords = [(x(i), y(get(p.counts))) for i, p in enumerate(points)]
        last = get(points[-1].counts) if points else 0
        drawn.append(
            Line(
                label,
                " ".join(f"{a:.1f},{b:.1f}" for a, b in coords),
                dash,
                width,
                coords[-1][0] if coords else MARGIN_LEFT,
                coords[-1][1] if coords else MARGIN_TOP + plot_h,
                f"{last * 100:.0f}%" if percent else f"{int(last):,}",
            )
        )
    drawn = _spread_labels(drawn, MARGIN_TOP + 4, MARGIN_TOP + plot_h + 4)
    y_ticks = [
        Tick(y(top * k / 4), f"{top * k / 4 * 100:.0f}%" if percent else _count(top * k / 4))
        for k in range(5)
    ]
    x_ticks = []
    if n:
        picks = sorted({0, n - 1, *(round((n - 1) * k / 4) for k in range(1, 4))})
        x_ticks = [Tick(x(i), points[i].day.isoformat()) for i in picks]
    half = (plot_w / (n - 1) / 2) if n > 1 else plot_w / 2
    carried = [(x(i) - half, 2 * half) for i, p in enumerate(points) if p.carried]
    return Chart(title, description, drawn, y_ticks, x_ticks, carried)


def _count(value: float) -> str:
    """A tick's count: whole numbers as such, a quarter of 50 as 12.5 (never rounded to 12)."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


LABEL_GAP = 14.0  # px between two end labels: one line of 12 px text and a little air


def _spread_labels(lines: list[Line], low: float, high: float) -> list[Line]:
    """End labels at their lines' ends, moved apart where lines end close together (three
    series at 0 would print on top of each other), kept within ``low``..``high``."""
    order = sorted(range(len(lines)), key=lambda i: lines[i].end_y)
    wanted = [lines[i].end_y + 4 for i in order]
    placed: list[float] = []
    for target in wanted:
        placed.append(max(target, placed[-1] + LABEL_GAP) if placed else target)
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:  # pushed below the plot: move the stack up as a whole
        placed = [max(low, y - overflow) for y in placed]
        for k in range(1, len(placed)):
            placed[k] = max(placed[k], placed[k - 1] + LABEL_GAP)
    spread = list(lines)
    for i, label_y in zip(order, placed, strict=True):
        spread[i] = replace(lines[i], label_y=label_y)
    return spread


def _spark(series: Series) -> Spark:
    points = series.points
    n = len(points)
    top = max((p.counts.open for p in points), default=0) or 1
    coords = [
        (
            2 + (SPARK_WIDTH - 4) * (i / (n - 1) if n > 1 else 0.5),
            SPARK_HEIGHT - 3 - (SPARK_HEIGHT - 6) * p.counts.open / top,
        )
        for i, p in enumerate(points)
    ]
    return Spark(
        " ".join(f"{a:.1f},{b:.1f}" for a, b in coords),
        [c for c, p in zip(coords, points, strict=True) if p.carried],
    )


def render_html(trends: Trends) -> str:
    overall = trends.overall.points
    open_chart = _chart(
        "Open findings, all systems",
        "Failing, not evaluated and not evidenced findings on each day with a run; "
        "not evidenced and waived drawn apart.",
        overall,
        [
            ("Open", lambda c: c.open, "", 2.6),
            ("Not evidenced", lambda c: c.not_evidenced, "7 4", 1.8),
            ("Waived", lambda c: c.waived, "2 3", 1.8),
        ],
    )
    coverage_chart = _chart(
        "Evidence coverage",
        "The share of checks whose promise had evidence in the snapshot, each day.",
        overall,
        [("Coverage", lambda c: c.coverage or 0.0, "", 2.6)],
        percent=True,
    )
    template = environment().get_template("trends.html.j2")
    return template.render(
        t=trends,
        charts=[open_chart, coverage_chart],
        systems=[(s, _spark(s)) for s in trends.per_system],
        areas=[(s, _spark(s)) for s in trends.per_area],
        csp=CSP,
        version=__version__,
    )
