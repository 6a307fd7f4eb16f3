"""Small vector charts for the reports, as inline SVG strings (presentation attributes only: no
style, no script, no external reference), drawn the same way by WeasyPrint and a browser."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from assessments.selectors import FRCell

FONT = "DejaVu Sans, sans-serif"
INK, MUTED, GRID = "#1c2430", "#5b6675", "#d9dee5"
TARGET_STROKE, ACHIEVED_FILL, GAP_FILL = "#1f3a5f", "#4f86c6", "#e88a80"
STATUS_FILL = {
    "met": "#2e8b57",
    "compensated": "#2b8cbe",
    "not_applicable": "#8e7cc3",
    "partially_met": "#e0a106",
    "not_met": "#c0392b",
    "not_assessed": "#b8c1cc",
}


def _esc(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' font-family="{FONT}" role="img" aria-label="{_esc(label)}"><title>{_esc(label)}</title>'
        + "".join(body)
        + "</svg>"
    )


def status_bar(totals: Sequence[tuple[str, str, int]], width: int = 640) -> str:
    """One horizontal bar split by result status, with a legend of counts underneath."""
    total = sum(n for _, _, n in totals) or 1
    body: list[str] = []
    x = 0.0
    bar_h = 22
    for status, _label, n in totals:
        if not n:
            continue
        w = width * n / total
        body.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_h}" fill="{STATUS_FILL.get(status, GRID)}"/>'
        )
        x += w
    lx, ly = 0, bar_h + 22
    for status, label, n in totals:
        item = f"{label} {n}"
        item_w = 22 + int(len(item) * 6.6) + 16
        if lx + item_w > width:
            lx, ly = 0, ly + 18
        body.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{STATUS_FILL.get(status, GRID)}"/>')
        body.append(f'<text x="{lx + 17}" y="{ly}" font-size="11" fill="{INK}">{_esc(item)}</text>')
        lx += item_w
    return _svg(width, ly + 6, "Results by status", body)


def fr_profile(cells: Sequence[FRCell], width: int = 330, height: int = 120) -> str:
    """SL-T (outlined) and SL-A (filled) per FR on a 0-4 scale; the missing part of a bar is the gap."""
    left, bottom, top = 22, height - 18, 6
    step = (bottom - top) / 4
    col = (width - left) / max(len(cells), 1)
    bar = col * 0.56
    body: list[str] = []
    for level in range(5):
        y = bottom - level * step
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        body.append(
            f'<text x="{left - 6}" y="{y + 3.5:.1f}" font-size="9" fill="{MUTED}" text-anchor="end">{level}</text>'
        )
    for i, cell in enumerate(cells):
        x = left + i * col + (col - bar) / 2
        if cell.achieved:
            h = cell.achieved * step
            body.append(
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{ACHIEVED_FILL}"/>'
            )
        if cell.gap:
            h = cell.gap * step
            y = bottom - cell.target * step
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{GAP_FILL}"'
                ' fill-opacity="0.55"/>'
            )
        if cell.target:
            h = cell.target * step
            body.append(
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="none"'
                f' stroke="{TARGET_STROKE}" stroke-width="1.2"/>'
            )
        body.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - 5}" font-size="9" fill="{INK}"'
            f' text-anchor="middle">{cell.fr}</text>'
        )
    label = "SL-T and SL-A per FR: " + ", ".join(f"{c.fr} {c.target}/{c.achieved}" for c in cells)
    return _svg(width, height, label, body)
