"""Trend charts as SVG text: pure functions of their data, drawn on the server, vector, with presentation
attributes only (no scripts, no style elements), so the same markup serves pages, the API and PDF reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 380, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 22, 34

INK, MUTED, GRID = "#1c2430", "#5b6675", "#d9dee5"
LINE = "#0b5cad"
BANDS = {"green": "#e3f4ea", "amber": "#fff3d6", "red": "#fbe4e2"}
TARGET = "#1e7f4f"


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
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="10">',
        f"<title>{escape(title)}: monthly trend</title>",
        f"<desc>{escape(described)}. Target {escape(_fmt(target, unit))}.</desc>",
    ]
    # Bands: where a value would be green, amber or red.
    low, high = sorted((amber, target))
    bands = (("red", 0, low), ("amber", low, high), ("green", high, y_max))
    if not higher_is_better:
        bands = (("green", 0, low), ("amber", low, high), ("red", high, y_max))
    for colour, start, stop in bands:
        start, stop = min(start, y_max), min(stop, y_max)
        if stop > start:
            out.append(
                f'<rect x="{LEFT}" y="{y(stop):.1f}" width="{plot_w}" height="{y(start) - y(stop):.1f}" '
                f'fill="{BANDS[colour]}"/>'
            )
    # Axis: three gridlines with labels.
    for tick in (0.0, y_max / 2, y_max):
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        label = escape(_fmt(tick, unit))
        out.append(f'<text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" fill="{MUTED}">{label}</text>')
    # Target line, with its legend above the plot (a label on the line would hide the latest values).
    ty = y(target)
    dash = f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="5 3"'
    out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" {dash}/>')
    legend = f"target {'≥' if higher_is_better else '≤'} {_fmt(target, unit)}"
    right = LEFT + plot_w
    sample = right - 5.8 * len(legend)  # where the legend's text begins, roughly
    out.append(f'<line x1="{sample - 22:.1f}" x2="{sample - 6:.1f}" y1="9" y2="9" {dash}/>')
    out.append(f'<text x="{right}" y="12" text-anchor="end" fill="{TARGET}">{escape(legend)}</text>')
    # Months.
    for i, (month, _) in enumerate(points):
        top_line, year = _month_label(month, i == 0)
        base = TOP + plot_h + 13
        out.append(f'<text x="{x(i):.1f}" y="{base}" text-anchor="middle" fill="{MUTED}">{escape(top_line)}</text>')
        if year:
            out.append(f'<text x="{x(i):.1f}" y="{base + 11}" text-anchor="middle" fill="{MUTED}">{year}</text>')
    # The data.
    if kind == "bar":
        bar_w = step * 0.6
        for i, (month, value) in enumerate(points):
            if value is None:
                continue
            top = y(value)
            out.append(
                f'<rect x="{x(i) - bar_w / 2:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
                f'height="{max(TOP + plot_h - top, 0.5):.1f}" fill="{LINE}">'
                f"<title>{escape(f'{month:%b %Y}: {_fmt(value, unit)}')}</title></rect>"
            )
    else:
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, (_, value) in enumerate(points):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{LINE}" stroke-width="2" '
                    'stroke-linejoin="round"/>'
                )
        for i, (month, value) in enumerate(points):
            if value is not None:
                radius = 3.5 if i == len(points) - 1 else 2.5
                out.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="{radius}" fill="{LINE}" stroke="#fff" '
                    f'stroke-width="1"><title>{escape(f"{month:%b %Y}: {_fmt(value, unit)}")}</title></circle>'
                )
    if not values:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" fill="{INK}">'
            "No data yet</text>"
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{GRID}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "".join(out)
