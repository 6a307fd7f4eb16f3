"""The roadmap as an SVG Gantt chart: quarters across, one swimlane per phase, a line for today,
late work in red. A pure function of its inputs (no database, no request), so pages and PDF
reports draw the same picture. Only presentation attributes, no style attributes: the pages'
Content-Security-Policy forbids inline styles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WIDTH = 1200
LABEL_WIDTH = 340
RIGHT_PAD = 16
HEADER = 44
LANE_HEAD = 26
ROW = 24
BAR = 14
FONT = "DejaVu Sans, Segoe UI, sans-serif"

STATUS_FILL = {
    "proposed": "#ffffff",
    "planned": "#9dbde3",
    "in_progress": "#0b5cad",
    "done": "#4aa57a",
    "verified": "#1e7f4f",
    "deferred": "#c5ccd6",
    "rejected": "#e8ecf1",
}
STATUS_STROKE = {"proposed": "#5b6675", "deferred": "#8a94a3"}
OVERDUE = "#b3261e"
TODAY = "#d9822b"


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
    covers `start`..`end` (default: every bar and today), widened to whole quarters."""
    days = [today, *(b.start for b in bars), *(b.end for b in bars)]
    span = quarters(start or min(days), end or max(days))
    axis_start, axis_end = span[0][0], span[-1][1]
    total_days = (axis_end - axis_start).days + 1
    chart_left, chart_right = LABEL_WIDTH, WIDTH - RIGHT_PAD

    def x(day: date) -> float:
        day = min(max(day, axis_start), axis_end + timedelta(days=1))
        return round(chart_left + (chart_right - chart_left) * (day - axis_start).days / total_days, 1)

    by_lane = {lane.key: [b for b in bars if b.lane == lane.key] for lane in lanes}
    height = HEADER + sum(LANE_HEAD + max(len(rows), 1) * ROW for rows in by_lane.values()) + 8
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="gantt-title" font-family="{FONT}" font-size="12" class="gantt">',
        f'<title id="gantt-title">{escape(title)}: {len(bars)} actions, {escape(_quarter(axis_start))} to '
        f"{escape(_quarter(axis_end))}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    # quarter columns and labels
    for n, (q_start, q_end) in enumerate(span):
        left, right = x(q_start), x(q_end + timedelta(days=1))
        if n % 2:
            out.append(
                f'<rect x="{left}" y="{HEADER}" width="{right - left}" height="{height - HEADER}" fill="#f6f8fb"/>'
            )
        out.append(f'<line x1="{left}" y1="18" x2="{left}" y2="{height}" stroke="#d9dee5"/>')
        out.append(
            f'<text x="{(left + right) / 2}" y="32" text-anchor="middle" font-weight="600" fill="#1c2430">'
            f"{escape(_quarter(q_start))}</text>"
        )
    out.append(f'<line x1="{chart_right}" y1="18" x2="{chart_right}" y2="{height}" stroke="#d9dee5"/>')
    out.append(f'<line x1="0" y1="{HEADER}" x2="{WIDTH}" y2="{HEADER}" stroke="#b8c1cc"/>')

    y = HEADER
    for lane in lanes:
        rows = by_lane[lane.key]
        out.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{LANE_HEAD}" fill="#eef2f6"/>')
        out.append(
            f'<text x="10" y="{y + 17}" font-weight="700" fill="#10233d">{escape(lane.label)}'
            f'<tspan font-weight="400" fill="#5b6675" dx="10">{escape(lane.note)}</tspan></text>'
        )
        y += LANE_HEAD
        if not rows:
            out.append(f'<text x="10" y="{y + 16}" fill="#5b6675" font-style="italic">No actions in this phase</text>')
            y += ROW
        for bar in rows:
            out.append(_bar(bar, y, x, today))
            y += ROW
        out.append(f'<line x1="0" y1="{y}" x2="{WIDTH}" y2="{y}" stroke="#d9dee5"/>')

    if axis_start <= today <= axis_end:
        tx = x(today)
        out.append(
            f'<line x1="{tx}" y1="{HEADER - 6}" x2="{tx}" y2="{height}" stroke="{TODAY}" stroke-width="2" '
            f'stroke-dasharray="5 3" class="gantt-today"/>'
        )
        out.append(
            f'<text x="{tx}" y="12" text-anchor="middle" font-size="11" font-weight="700" fill="{TODAY}">'
            f"Today {today.day} {today:%b %Y}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _bar(bar: GanttBar, y: int, to_x: Callable[[date], float], today: date) -> str:
    left = to_x(bar.start)
    right = max(to_x(bar.end + timedelta(days=1)), left + 4)
    fill = STATUS_FILL.get(bar.status, "#9dbde3")
    stroke = OVERDUE if bar.overdue else STATUS_STROKE.get(bar.status, fill)
    dash = ' stroke-dasharray="4 2"' if bar.status == "proposed" and not bar.overdue else ""
    top = y + (ROW - BAR) // 2
    tip = f"{bar.label} — {bar.status_label or bar.status}" + (" — OVERDUE" if bar.overdue else "")
    if bar.detail:
        tip += f" — {bar.detail}"
    parts = [
        f'<g class="gantt-bar status-{escape(bar.status)}{" is-overdue" if bar.overdue else ""}">',
        f"<title>{escape(tip)}</title>",
        f'<text x="22" y="{y + 16}" fill="{OVERDUE if bar.overdue else "#1c2430"}">{escape(_clip(bar.label))}</text>',
    ]
    if bar.overdue:
        late_to = to_x(today)
        late = round(max(late_to - right, 0), 1)
        parts.append(
            f'<rect x="{right}" y="{top + 4}" width="{late}" height="{BAR - 8}" fill="{OVERDUE}" opacity="0.35"/>'
        )
        parts.append(f'<text x="12" y="{y + 16}" fill="{OVERDUE}" font-weight="700">!</text>')
    elif bar.status in ("done", "verified"):
        parts.append(f'<text x="8" y="{y + 16}" fill="#1e7f4f" font-weight="700">✓</text>')
    colour = OVERDUE if bar.overdue else fill
    parts.append(
        f'<rect x="{left}" y="{top}" width="{round(right - left, 1)}" height="{BAR}" rx="3" fill="{colour}" '
        f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
    )
    parts.append("</g>")
    body = "".join(parts)
    if bar.href:
        return f'<a href="{escape(bar.href)}">{body}</a>'
    return body


def _quarter(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"
