"""Trend charts as SVG text: pure functions of their data, drawn on the server, vector, with presentation
attributes only (no scripts, no style elements), so the same markup serves pages, the API and PDF reports.
Primitives from core.svg; colours from core.palette (RAG bands, the target in the green of "on target")."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

from core import palette, svg

WIDTH, HEIGHT = 380, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 22, 34

INK, MUTED, GRID = palette.INK, palette.MUTED, palette.LINE
LINE = palette.BRAND
BANDS = {rating: palette.RAG[rating].bg for rating in ("green", "amber", "red")}
TARGET = palette.RAG["green"].solid


def _fmt(value: float, unit: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}%" if unit == "%" else f"{text} d" if unit == "days" else text


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _axis_max(values: list[float], unit: str, target: float, amber: float) -> float:
    if unit == "%":
        return 100.0
    top = max([*values, target, amber, 0.0])
    if unit == "":
        return float(max(math.ceil(top * 1.25), 1))
    return _nice_max(top * 1.15)


def _month_label(month: date, first: bool) -> tuple[str, str]:
    return f"{month:%b}", f"{month:%Y}" if first or month.month == 1 else ""


def trend_chart(
    points: Sequence[tuple[date, float | None]],
    *,
    title: str,
    unit: str,
    target: float,
    amber: float,
    higher_is_better: bool = True,
    kind: str = "line",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """A monthly trend: one value per month (None where there is nothing to measure), as a line or as bars,
    over red/amber/green bands, with the target as a dashed line and the months along the bottom."""
    values = [v for _, v in points if v is not None]
    y_max = _axis_max(values, unit, target, amber)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    n = max(len(points), 1)
    step = plot_w / n

    def x(i: int) -> float:
        return LEFT + step * (i + 0.5)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - min(max(value, 0.0), y_max) / y_max)

    described = "; ".join(f"{m:%b %Y}: {'no data' if v is None else _fmt(v, unit)}" for m, v in points)
    out = [
        svg.svg_open(width, height, class_="kpi-chart", role="img", font_size=10),
        svg.title(f"{title}: monthly trend"),
        svg.el("desc", svg.esc(f"{described}. Target {_fmt(target, unit)}.")),
    ]
    # Bands: where a value would be green, amber or red.
    low, high = sorted((amber, target))
    bands = (("red", 0, low), ("amber", low, high), ("green", high, y_max))
    if not higher_is_better:
        bands = (("green", 0, low), ("amber", low, high), ("red", high, y_max))
    for colour, start, stop in bands:
        start, stop = min(start, y_max), min(stop, y_max)
        if stop > start:
            out.append(svg.rect(LEFT, y(stop), plot_w, y(start) - y(stop), fill=BANDS[colour]))
    # Axis: three gridlines with labels.
    for tick in (0.0, y_max / 2, y_max):
        out.append(svg.line(LEFT, y(tick), LEFT + plot_w, y(tick), stroke=GRID, stroke_width=1))
        out.append(svg.text(LEFT - 4, y(tick) + 3, _fmt(tick, unit), fill=MUTED, text_anchor="end"))
    # Target line, with its legend above the plot (a label on the line would hide the latest values).
    ty = y(target)
    dash: dict[str, svg.Attr | None] = {"stroke_width": 1.5, "stroke_dasharray": "5 3"}
    out.append(svg.line(LEFT, ty, LEFT + plot_w, ty, stroke=TARGET, **dash))
    legend = f"target {'≥' if higher_is_better else '≤'} {_fmt(target, unit)}"
    right = LEFT + plot_w
    sample = right - 5.8 * len(legend)  # where the legend's text begins, roughly
    out.append(svg.line(sample - 22, 9, sample - 6, 9, stroke=TARGET, **dash))
    out.append(svg.text(right, 12, legend, fill=TARGET, text_anchor="end"))
    # Months.
    for i, (month, _) in enumerate(points):
        top_line, year = _month_label(month, i == 0)
        base = TOP + plot_h + 13
        out.append(svg.text(x(i), base, top_line, fill=MUTED, text_anchor="middle"))
        if year:
            out.append(svg.text(x(i), base + 11, year, fill=MUTED, text_anchor="middle"))
    out += _bars(points, x, y, step, TOP + plot_h, unit) if kind == "bar" else _line(points, x, y, unit)
    if not values:
        out.append(svg.text(LEFT + plot_w / 2, TOP + plot_h / 2, "No data yet", fill=INK, text_anchor="middle"))
    out.append(svg.rect(LEFT, TOP, plot_w, plot_h, fill="none", stroke=GRID, stroke_width=1))
    out.append("</svg>")
    return "".join(out)


Points = Sequence[tuple[date, float | None]]
Scale = Callable[[int], float]


def _bars(points: Points, x: Scale, y: Callable[[float], float], step: float, base: float, unit: str) -> list[str]:
    """One bar a month, each with its value as a tooltip."""
    out = []
    bar_w = step * 0.6
    for i, (month, value) in enumerate(points):
        if value is not None:
            top = y(value)
            tip = svg.title(f"{month:%b %Y}: {_fmt(value, unit)}")
            out.append(svg.rect(x(i) - bar_w / 2, top, bar_w, max(base - top, 0.5), tip, fill=LINE))
    return out


def _line(points: Points, x: Scale, y: Callable[[float], float], unit: str) -> list[str]:
    """A line through the months with data (broken where there is none), a dot on each, the latest larger."""
    out = []
    segments: list[list[str]] = [[]]
    for i, (_, value) in enumerate(points):
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{svg.num(x(i))},{svg.num(y(value))}")
    for seg in segments:
        if len(seg) > 1:
            look: dict[str, svg.Attr | None] = {"stroke": LINE, "stroke_width": 2, "stroke_linejoin": "round"}
            out.append(svg.el("polyline", points=" ".join(seg), fill="none", **look))
    for i, (month, value) in enumerate(points):
        if value is not None:
            tip = svg.title(f"{month:%b %Y}: {_fmt(value, unit)}")
            radius = 3.5 if i == len(points) - 1 else 2.5
            out.append(svg.circle(x(i), y(value), radius, tip, fill=LINE, stroke=palette.WHITE, stroke_width=1))
    return out
