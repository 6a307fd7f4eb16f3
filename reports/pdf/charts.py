"""Small vector charts for the reports, as inline SVG strings (presentation attributes only: no
style, no script, no external reference), drawn the same way by WeasyPrint and a browser.
Primitives from core.svg; colours from core.palette (result statuses, SL-T/SL-A, SL gap)."""

from __future__ import annotations

from collections.abc import Sequence

from assessments.selectors import FRCell
from core import palette, svg

INK, MUTED, GRID = palette.INK, palette.MUTED, palette.LINE
TARGET_STROKE, ACHIEVED_FILL, GAP_FILL = palette.SL_TARGET, palette.SL_ACHIEVED, palette.GAP["3"]
STATUS_FILL = {status: colours.solid for status, colours in palette.RESULT_STATUS.items()}


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return svg.svg_open(width, height, role="img", aria_label=label) + svg.title(label) + "".join(body) + "</svg>"


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
        body.append(svg.rect(x, 0, w, bar_h, fill=STATUS_FILL.get(status, GRID)))
        x += w
    lx, ly = 0, bar_h + 22
    for status, label, n in totals:
        item = f"{label} {n}"
        item_w = 22 + int(len(item) * 6.6) + 16
        if lx + item_w > width:
            lx, ly = 0, ly + 18
        body.append(svg.rect(lx, ly - 10, 12, 12, fill=STATUS_FILL.get(status, GRID)))
        body.append(svg.text(lx + 17, ly, item, font_size=11, fill=INK))
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
        body.append(svg.line(left, y, width, y, stroke=GRID, stroke_width=0.6))
        body.append(svg.text(left - 6, y + 3.5, str(level), font_size=9, fill=MUTED, text_anchor="end"))
    for i, cell in enumerate(cells):
        x = left + i * col + (col - bar) / 2
        if cell.achieved:
            h = cell.achieved * step
            body.append(svg.rect(x, bottom - h, bar, h, fill=ACHIEVED_FILL))
        if cell.gap:
            h = cell.gap * step
            body.append(svg.rect(x, bottom - cell.target * step, bar, h, fill=GAP_FILL, fill_opacity=0.55))
        if cell.target:
            h = cell.target * step
            body.append(svg.rect(x, bottom - h, bar, h, fill="none", stroke=TARGET_STROKE, stroke_width=1.2))
        body.append(svg.text(x + bar / 2, height - 5, cell.fr, font_size=9, fill=INK, text_anchor="middle"))
    label = "SL-T and SL-A per FR: " + ", ".join(f"{c.fr} {c.target}/{c.achieved}" for c in cells)
    return _svg(width, height, label, body)
