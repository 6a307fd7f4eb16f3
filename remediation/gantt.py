"""The roadmap as an SVG Gantt chart: quarters across, one swimlane per phase, a line for today,
late work in red. A pure function of its inputs (no database, no request), so the roadmap page, the API and
the roadmap PDF (reports/pdf/roadmap.py, which pages it by lanes) draw the same picture with the same bars.
Only presentation attributes, no style attributes: the pages' Content-Security-Policy forbids inline styles.
Primitives from core.svg, colours from core.palette (the action statuses' bars).

The time axis never reaches further than AXIS_YEARS around today (docs/decisions/0017-date-range.md): a bar
beyond it (a typo like 2062 for 2026, or a row stored before dates were validated) is drawn to the axis' edge,
marked out of range, with its real dates in its tooltip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core import palette, svg
from core.validators import MAX_DATE, MIN_DATE, clamp_date

WIDTH = 1200
LABEL_WIDTH = 340
RIGHT_PAD = 16
HEADER = 44
LANE_HEAD = 26
ROW = 24
BAR = 14
FONT = "DejaVu Sans, Segoe UI, sans-serif"
AXIS_YEARS = (5, 10)  # whole years before and after today's that the axis may cover at most

STATUS_FILL = {status: colours.bar for status, colours in palette.ACTION_STATUS.items()}
STATUS_STROKE = {status: colours.stroke for status, colours in palette.ACTION_STATUS.items()}
OVERDUE = palette.BAD
TODAY = palette.TODAY


@dataclass(frozen=True)
class GanttBar:
    """One action on the chart."""

    label: str
    lane: str
    start: date
    end: date
    status: str
    status_label: str = ""
    overdue: bool = False
    href: str = ""
    detail: str = ""  # tooltip text after the label (owner, dates)


@dataclass(frozen=True)
class GanttLane:
    """One phase: its key (matches GanttBar.lane), its title and a line of progress."""

    key: str
    label: str
    note: str = ""


def quarters(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar quarters from the one holding `start` to the one holding `end`, as (first, last) days."""
    out = []
    first = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while first <= end:
        month = first.month + 3
        nxt = date(first.year + (month > 12), (month - 1) % 12 + 1, 1)
        out.append((first, nxt - timedelta(days=1)))
        first = nxt
    return out


def axis_window(today: date) -> tuple[date, date]:
    """The furthest the time axis reaches: AXIS_YEARS before and after today's year, whole years."""
    before, after = AXIS_YEARS
    return date(max(today.year - before, MIN_DATE.year), 1, 1), date(min(today.year + after, MAX_DATE.year), 12, 31)


def _clip(text: str, limit: int = 46) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_gantt(
    bars: Sequence[GanttBar],
    lanes: Sequence[GanttLane],
    today: date,
    start: date | None = None,
    end: date | None = None,
    title: str = "Remediation roadmap",
) -> str:
    """The chart as an SVG document fragment. Bars of lanes not listed are left out; the time axis
    covers `start`..`end` (default: every bar and today), widened to whole quarters, within axis_window."""
    days = [today, *(b.start for b in bars), *(b.end for b in bars)]
    low, high = axis_window(today)
    span = quarters(clamp_date(start or min(days), low, high), clamp_date(end or max(days), low, high))
    axis_start, axis_end = span[0][0], span[-1][1]
    total_days = (axis_end - axis_start).days + 1
    chart_left, chart_right = LABEL_WIDTH, WIDTH - RIGHT_PAD

    def x(day: date) -> float:
        day = min(max(day, axis_start), axis_end + timedelta(days=1))
        return round(chart_left + (chart_right - chart_left) * (day - axis_start).days / total_days, 1)

    by_lane = {lane.key: [b for b in bars if b.lane == lane.key] for lane in lanes}
    height = HEADER + sum(LANE_HEAD + max(len(rows), 1) * ROW for rows in by_lane.values()) + 8
    caption = f"{title}: {len(bars)} actions, {_quarter(axis_start)} to {_quarter(axis_end)}"
    out: list[str] = [
        # A graphics document, not an image: its bars are links (an image's parts are hidden from screen readers).
        svg.svg_open(
            WIDTH,
            height,
            font=FONT,
            role="graphics-document",
            aria_labelledby="gantt-title",
            font_size=12,
            class_="gantt",
        ),
        svg.title(caption, id="gantt-title"),
        svg.rect(0, 0, WIDTH, height, fill=palette.WHITE),
    ]
    out += _quarter_columns(span, x, height)
    out.append(svg.line(chart_right, 18, chart_right, height))
    out.append(svg.line(0, HEADER, WIDTH, HEADER, stroke=palette.BORDER))
    y = HEADER
    for lane in lanes:
        rows = by_lane[lane.key]
        out += _lane_head(lane, y)
        y += LANE_HEAD
        if not rows:
            out.append(svg.text(10, y + 16, "No actions in this phase", fill=palette.MUTED, font_style="italic"))
            y += ROW
        for bar in rows:
            out.append(_bar(bar, y, x, today, (bar.start < axis_start, bar.end > axis_end)))
            y += ROW
        out.append(svg.line(0, y, WIDTH, y))
    if axis_start <= today <= axis_end:
        tx = x(today)
        today_line: dict[str, svg.Attr | None] = {"stroke_width": 2, "stroke_dasharray": "5 3", "class_": "gantt-today"}
        out.append(svg.line(tx, HEADER - 6, tx, height, stroke=TODAY, **today_line))
        label = f"Today {today.day} {today:%b %Y}"
        out.append(svg.text(tx, 12, label, fill=TODAY, text_anchor="middle", font_size=11, font_weight=700))
    out.append("</svg>")
    return "\n".join(out)


def _quarter_columns(span: list[tuple[date, date]], x: Callable[[date], float], height: int) -> list[str]:
    """Every other quarter shaded, a line at each quarter's start, its name in the header."""
    out = []
    for n, (q_start, q_end) in enumerate(span):
        left, right = x(q_start), x(q_end + timedelta(days=1))
        if n % 2:
            out.append(svg.rect(left, HEADER, right - left, height - HEADER, fill=palette.ZEBRA))
        out.append(svg.line(left, 18, left, height))
        name = _quarter(q_start)
        out.append(svg.text((left + right) / 2, 32, name, text_anchor="middle", font_weight=600))
    return out


def _lane_head(lane: GanttLane, y: int) -> list[str]:
    """A phase's band: its name in bold and its progress note beside it."""
    note = svg.el("tspan", svg.esc(lane.note), font_weight=400, fill=palette.MUTED, dx=10)
    heading = svg.el("text", svg.esc(lane.label) + note, x=10, y=y + 17, font_weight=700, fill=palette.NAVY)
    return [svg.rect(0, y, WIDTH, LANE_HEAD, fill=palette.HEAD), heading]


def _bar(
    bar: GanttBar, y: int, to_x: Callable[[date], float], today: date, cut: tuple[bool, bool] = (False, False)
) -> str:
    """One action's row: its mark (late or done), label and bar, linked to the action when it has a URL.
    A bar `cut` at the axis' start or end (out of range) gets an arrow there and its real dates in the tooltip."""
    beyond = any(cut)
    left = to_x(bar.start)
    right = max(to_x(min(bar.end, date.max - timedelta(days=1)) + timedelta(days=1)), left + 4)
    fill = STATUS_FILL.get(bar.status, STATUS_FILL["planned"])
    stroke = OVERDUE if bar.overdue else STATUS_STROKE.get(bar.status, fill)
    dash = "4 2" if bar.status == "proposed" and not bar.overdue else None
    top = y + (ROW - BAR) // 2
    tip = f"{bar.label} — {bar.status_label or bar.status}" + (" — OVERDUE" if bar.overdue else "")
    if bar.detail:
        tip += f" — {bar.detail}"
    if beyond:
        tip += f" — OUT OF RANGE: {bar.start.isoformat()} to {bar.end.isoformat()}, beyond the chart"
    parts = [svg.title(tip), svg.text(22, y + 16, _clip(bar.label), fill=OVERDUE if bar.overdue else palette.INK)]
    if bar.overdue:
        late = round(max(to_x(today) - right, 0), 1)
        parts.append(svg.rect(right, top + 4, late, BAR - 8, fill=OVERDUE, opacity=0.35))
        parts.append(svg.text(12, y + 16, "!", fill=OVERDUE, font_weight=700))
    elif bar.status in ("done", "verified"):
        parts.append(svg.text(8, y + 16, "✓", fill=palette.OK, font_weight=700))
    colour = OVERDUE if bar.overdue else fill
    outline: dict[str, svg.Attr | None] = {"stroke": stroke, "stroke_width": 1.5, "stroke_dasharray": dash}
    parts.append(svg.rect(left, top, right - left, BAR, rx=3, fill=colour, **outline))
    if cut[0]:
        parts.append(svg.text(left + 2, y + 16, "◀", class_="gantt-out-of-range", font_size=10, font_weight=700))
    if cut[1]:
        parts.append(
            svg.text(
                right - 2, y + 16, "▶", class_="gantt-out-of-range", font_size=10, font_weight=700, text_anchor="end"
            )
        )
    classes = f"gantt-bar status-{bar.status}{' is-overdue' if bar.overdue else ''}"
    classes += " is-out-of-range" if beyond else ""
    body = svg.el("g", "".join(parts), class_=classes)
    return f'<a href="{svg.esc(bar.href)}">{body}</a>' if bar.href else body


def _quarter(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"
