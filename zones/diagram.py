"""Server-side SVG of a site's zones and conduits, shown in pages, served by the API and embedded in PDFs.

Standard library only and deterministic (same input, same string). The output uses presentation attributes
only: no style="" and no <style> element (the page CSP blocks inline styles once the SVG is inlined into HTML),
no scripts, fonts or images, so a browser and WeasyPrint draw the same picture. The primitives are core.svg's,
the colours core.palette's (criticality, warnings).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from core import palette, svg
from core.svg import num as _n

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class DiagramZone:
    """One zone as the diagram needs it (built from the database by the caller)."""

    id: str
    name: str
    kind: str
    purdue_level: int | None
    criticality: str
    sl_target: str
    url: str
    asset_count: int = 0
    warnings: int = 0


@dataclass(frozen=True)
class DiagramConduit:
    """One conduit as the diagram needs it; `zone_ids[0]` is the sender of a unidirectional conduit and
    `destination_id` (when known) its receiver, the zone its arrow points to."""

    id: str
    name: str
    zone_ids: tuple[str, ...]
    direction: str
    protocols: str
    sl_target: str
    url: str
    boundary_devices: tuple[str, ...] = field(default=())
    warnings: int = 0
    destination_id: str = ""


MAX_COLS = 5  # five boxes a row keeps the drawing about 1200 px wide
BOX_W, BOX_H = 196, 66  # wide enough for "Supervisory · SL-T {2,2,1,1,3,1,2}" at 10 px
GAP_X, ROW_GAP, BAND_PAD = 30, 56, 14  # conduit labels live in the vertical gaps, so they are generous
MARGIN, GUTTER = 16, 92  # the gutter holds the band labels
LABEL_H = 16
INK, MUTED, LINE, WARN, DEVICE = palette.INK, palette.MUTED, palette.MUTED, palette.BAD, palette.DEVICE
FILL = {key: colours.bg for key, colours in palette.CRITICALITY.items()}
STROKE = {key: colours.fg for key, colours in palette.CRITICALITY.items()}
# ZoneKind's labels are written for forms ("External (internet, vendor remote access)"): too long for a box.
KIND = {"enterprise": "Enterprise", "dmz": "DMZ", "supervisory": "Supervisory", "control": "Control"}
KIND |= {"safety": "Safety", "field": "Field", "external": "External"}
BULGES = (0, 30, -30, 70, -70, 120, -120, 180, -180, 260, -260, 340, -340)  # straightest first; a curve
# bends at most half its offset, so clearing a whole box (BOX_W wide) needs offsets beyond 2 * BOX_W / 2.
ARCS = (-50, -80, -120, -170)  # for boxes on one row: always an arch over the top edges, never along them
LABEL_TS = (0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85)  # where along a conduit its label may sit
DIRECTIONS = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))


# --- SVG text -------------------------------------------------------------------------------------------
_el = svg.el


def _text(x: float, y: float, text: str, size: float, fill: str = INK, **attrs: float | str) -> str:
    return svg.text(x, y, text, fill=fill, font_size=size, **attrs)


def _link(url: str, tooltip: str, key: str, value: str) -> str:
    """The opening <a> of a zone or conduit, with its tooltip; the caller closes it."""
    return svg.link(url, svg.title(tooltip), **{key.replace("-", "_"): value}).removesuffix("</a>")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimate the drawn width: there are no font metrics server-side; the classes follow DejaVu Sans."""
    em = 0.0
    for ch in text:
        if ch in " .,:;!|ijlIJ·/'":
            em += 0.33
        elif ch in "ftr()[]-":
            em += 0.4
        elif ch in "mwMW%…⚠↔→":
            em += 0.97
        else:
            em += 0.69 if ch.isupper() else 0.6
    return em * size * (1.12 if bold else 1.0)


def _fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """Truncate with an ellipsis so the text fits `width` px."""
    text = svg.clean(" ".join(text.split()))
    if _text_width(text, size, bold) <= width:
        return text
    while text and _text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --- geometry -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Box:
    zone: DiagramZone
    x: float
    y: float
    row: int  # global row number: boxes on one row need a line that arcs over their neighbours
    col: int

    @property
    def rect(self) -> Rect:
        return (self.x, self.y, BOX_W, BOX_H)

    @property
    def center(self) -> Point:
        return (self.x + BOX_W / 2, self.y + BOX_H / 2)


def _inside(p: Point, rect: Rect, pad: float = 0) -> bool:
    return rect[0] - pad <= p[0] <= rect[0] + rect[2] + pad and rect[1] - pad <= p[1] <= rect[1] + rect[3] + pad


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _quad(p0: Point, c: Point, p1: Point, t: float) -> Point:
    u = 1 - t
    return (u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0], u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1])


def _control(p0: Point, p1: Point, offset: float) -> Point:
    """The quadratic control point `offset` px off the middle of p0-p1, at a right angle to it."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    length = math.hypot(dx, dy) or 1.0
    return ((p0[0] + p1[0]) / 2 - dy / length * offset, (p0[1] + p1[1]) / 2 + dx / length * offset)


def _free_spot(candidates: list[Point], w: float, h: float, blocked: list[Rect], area: Rect) -> Point:
    """The first candidate centre where a w x h rectangle stays in `area` and touches nothing blocked, else the
    first such spot on widening rings around the first candidate (a busy diagram fills the preferred places)."""
    x0, y0 = candidates[0]
    rings = [(x0 + r * dx, y0 + r * dy) for r in range(20, 400, 20) for dx, dy in DIRECTIONS]
    (ax, ay, aw, ah), (hw, hh) = area, (w / 2, h / 2)
    for x, y in candidates + rings:
        within = ax + hw <= x <= ax + aw - hw and ay + hh <= y <= ay + ah - hh
        if within and not any(_overlaps((x - hw, y - hh, w, h), r) for r in blocked):
            return (x, y)
    return candidates[0]


# --- layout ---------------------------------------------------------------------------------------------
def _band(zone: DiagramZone) -> tuple[tuple[int, int], str]:
    """The sort key and label of a zone's band: External on top, then level 5 down to 0, then Unassigned."""
    if zone.purdue_level is not None:
        return (1, -zone.purdue_level), f"Level {zone.purdue_level}"
    return ((0, 0), "External") if zone.kind == "external" else ((2, 0), "Unassigned")


def _layout(zones: list[DiagramZone], top: float) -> tuple[dict[str, _Box], list[tuple[str, float, float]], float]:
    """Place the boxes band by band; return them by zone id, the bands (label, top, bottom) and the content width."""
    by_band: dict[tuple[tuple[int, int], str], list[DiagramZone]] = defaultdict(list)
    for zone in zones:
        by_band[_band(zone)].append(zone)
    rows_by_band: dict[tuple[tuple[int, int], str], list[list[DiagramZone]]] = {}
    for key, members in sorted(by_band.items()):
        members.sort(key=lambda z: (z.name.casefold(), z.name, z.id))
        per_row = math.ceil(len(members) / math.ceil(len(members) / MAX_COLS))  # 7 zones wrap as 4 + 3, not 5 + 2
        rows_by_band[key] = [members[i : i + per_row] for i in range(0, len(members), per_row)]
    cols = max(len(row) for rows in rows_by_band.values() for row in rows)
    content_w = cols * BOX_W + (cols - 1) * GAP_X
    boxes: dict[str, _Box] = {}
    bands: list[tuple[str, float, float]] = []
    y, row_no = top, 0
    for (_, label), rows in rows_by_band.items():
        band_top, y = y, y + BAND_PAD
        for row in rows:
            x = MARGIN + GUTTER + (content_w - len(row) * (BOX_W + GAP_X) + GAP_X) / 2  # centred
            for col, zone in enumerate(row):
                boxes[zone.id] = _Box(zone, x + col * (BOX_W + GAP_X), y, row_no, col)
            y, row_no = y + BOX_H + ROW_GAP, row_no + 1
        y += BAND_PAD - ROW_GAP
        bands.append((label, band_top, y))
        y += ROW_GAP
    return boxes, bands, content_w


def _slide(box: _Box, toward_x: float) -> float:
    # Attach a little toward the other end so conduits leaving one edge fan out instead of bunching.
    cx = box.center[0]
    return min(max(cx + (toward_x - cx) * 0.3, box.x + 16), box.x + BOX_W - 16)


def _pair_ends(a: _Box, b: _Box) -> tuple[Point, Point]:
    """The points on the facing edges of two boxes where a conduit between them starts and ends."""
    (ax, ay), (bx, by) = a.center, b.center
    if a.row != b.row:
        sign = 1 if ay < by else -1
        return (_slide(a, bx), ay + sign * BOX_H / 2), (_slide(b, ax), by - sign * BOX_H / 2)
    # Same row: leave through the top edges and arch over any neighbours; the arch also leaves room for the
    # label, which the narrow gap between two boxes does not.
    return (_slide(a, bx), a.y), (_slide(b, ax), b.y)


def _best_bulge(p0: Point, p1: Point, obstacles: list[Rect], offsets: tuple[int, ...]) -> float:
    """The straightest control-point offset whose curve runs through the fewest other boxes."""

    def hits(offset: float) -> int:
        c = _control(p0, p1, offset)
        return sum(any(_inside(_quad(p0, c, p1, i / 24), r, 6) for r in obstacles) for i in range(1, 24))

    return min(offsets, key=hits)  # min() keeps the first of equals: the offsets start with the straightest


def _border(box: _Box, toward: Point) -> Point:
    """Where the segment from the box centre toward a point leaves the box."""
    (cx, cy), (dx, dy) = box.center, (toward[0] - box.center[0], toward[1] - box.center[1])
    t = min(BOX_W / 2 / abs(dx) if dx else math.inf, BOX_H / 2 / abs(dy) if dy else math.inf, 1.0)
    return (cx + dx * t, cy + dy * t)


@dataclass
class _Drawn:
    """One conduit's geometry: its line(s), its hub if it joins 3+ zones, and where its label sits."""

    conduit: DiagramConduit
    zones: list[_Box]
    paths: list[tuple[Point, Point | None, Point, bool]]  # start, control (None: straight), end, arrowhead
    hub: Point | None = None
    label: Point = (0.0, 0.0)


def _route(conduits: list[DiagramConduit], boxes: dict[str, _Box], area: Rect) -> list[_Drawn]:
    """Route every conduit that joins at least two known zones; unknown zone ids are ignored."""
    drawn: list[_Drawn] = []
    pairs: dict[tuple[str, str], list[_Drawn]] = defaultdict(list)
    blocked = [b.rect for b in boxes.values()]
    for conduit in sorted(conduits, key=lambda c: (c.name, c.id)):
        ends = [boxes[i] for i in dict.fromkeys(conduit.zone_ids) if i in boxes]
        if len(ends) < 2:
            continue
        item = _Drawn(conduit, ends, [])
        drawn.append(item)
        one_way = conduit.direction == "unidirectional"
        if len(ends) == 2:
            a, b = sorted(ends, key=lambda box: (box.row, box.col))
            pairs[(a.zone.id, b.zone.id)].append(item)
            continue
        centroid = (sum(b.center[0] for b in ends) / len(ends), sum(b.center[1] for b in ends) / len(ends))
        item.hub = hub = _free_spot([centroid], 28, 28, blocked, area)
        blocked.append((hub[0] - 14, hub[1] - 14, 28, 28))
        # A one-way hub flows from the first zone to its destination (to all the others while none is named).
        to = conduit.destination_id
        item.paths = [
            (hub, None, _border(box, hub), one_way and (box.zone.id == to if to else i > 0))
            for i, box in enumerate(ends)
        ]
    for (id_a, id_b), items in pairs.items():
        a, b = boxes[id_a], boxes[id_b]
        p0, p1 = _pair_ends(a, b)
        obstacles = [box.rect for k, box in boxes.items() if k not in (id_a, id_b)]
        base = _best_bulge(p0, p1, obstacles, ARCS if a.row == b.row else BULGES)
        for k, item in enumerate(items):  # parallel conduits of one pair fan out from the chosen curve
            offset = base + (k - (len(items) - 1) / 2) * 34 if base == 0 else base + math.copysign(k * 34, base)
            c = _control(p0, p1, offset) if offset else None
            one_way = item.conduit.direction == "unidirectional"
            item.paths = [(p0, c, p1, one_way) if item.zones[0].zone.id == id_a else (p1, c, p0, one_way)]
    return drawn


def _label(conduit: DiagramConduit) -> tuple[str, float]:
    """A conduit label's text and width (the boundary-device glyph takes 14 px)."""
    text = _fit(("⚠ " if conduit.warnings else "") + conduit.name, 10, 150)
    return text, _text_width(text, 10) + (24 if conduit.boundary_devices else 10)


def _place_labels(drawn: list[_Drawn], boxes: dict[str, _Box], area: Rect) -> None:
    """Put each label on its line where it covers no box, hub or earlier label."""
    blocked = [(x - 3, y - 3, w + 6, h + 6) for x, y, w, h in (b.rect for b in boxes.values())]
    blocked += [(d.hub[0] - 8, d.hub[1] - 8, 16, 16) for d in drawn if d.hub]
    for item in drawn:
        w = _label(item.conduit)[1]
        if item.hub:
            (hx, hy), side = item.hub, w / 2 + 12
            spots = [(hx + side, hy), (hx - side, hy), (hx, hy - 20), (hx, hy + 20)]
        else:
            p0, c, p1, _ = item.paths[0]
            on_line = [_quad(p0, c or _control(p0, p1, 0), p1, t) for t in LABEL_TS]
            spots = on_line + [(x, y + dy) for dy in (-18, 18) for x, y in on_line]
        item.label = _free_spot(spots, w, LABEL_H, blocked, area)
        blocked.append((item.label[0] - w / 2, item.label[1] - LABEL_H / 2, w, LABEL_H))


# --- drawing --------------------------------------------------------------------------------------------
def _conduit_tooltip(item: _Drawn) -> str:
    c, names = item.conduit, [b.zone.name for b in item.zones]
    if c.direction == "unidirectional":
        route = f"{names[0]} → {', '.join(names[1:])} (one way)"
    else:
        route = " ↔ ".join(names) if len(names) == 2 else ", ".join(names)
    parts = [f"{c.name}: {route}", c.protocols, f"SL-T {c.sl_target}"]
    parts += ["Boundary: " + ", ".join(c.boundary_devices)] if c.boundary_devices else []
    parts += [_plural(c.warnings, "warning")] if c.warnings else []
    return " · ".join(p for p in parts if p)


def _draw_conduit_lines(item: _Drawn) -> list[str]:
    c = item.conduit
    look: dict[str, float | str] = {"fill": "none", "stroke": WARN if c.warnings else LINE}
    look |= {"stroke_width": 2.2, "stroke_dasharray": "6 4"} if c.warnings else {"stroke_width": 1.6}
    out = [_link(c.url, _conduit_tooltip(item), "data-conduit", c.id)]
    for p0, ctrl, p1, arrow in item.paths:
        via = f"Q{_n(ctrl[0])},{_n(ctrl[1])} " if ctrl else "L"
        marker = {"marker_end": f"url(#zw-arrow{'-warn' if c.warnings else ''})"} if arrow else {}
        out.append(_el("path", d=f"M{_n(p0[0])},{_n(p0[1])} {via}{_n(p1[0])},{_n(p1[1])}", **look, **marker))
    if item.hub:
        out.append(_el("circle", cx=item.hub[0], cy=item.hub[1], r=6, fill=look["stroke"], stroke=palette.WHITE))
    return [*out, "</a>"]


def _diamond(x: float, y: float, r: float = 5) -> str:
    points = f"{_n(x)},{_n(y - r)} {_n(x + r)},{_n(y)} {_n(x)},{_n(y + r)} {_n(x - r)},{_n(y)}"
    return _el("polygon", points=points, fill=DEVICE, stroke=palette.WHITE, stroke_width=1)


def _draw_conduit_label(item: _Drawn) -> list[str]:
    c, (x, y) = item.conduit, item.label
    text, w = _label(c)
    tip = c.name + ("\nBoundary devices: " + ", ".join(c.boundary_devices) if c.boundary_devices else "")
    colour = WARN if c.warnings else INK
    out = [_link(c.url, tip, "data-conduit-label", c.id)]
    box: dict[str, float | str] = {"x": x - w / 2, "y": y - LABEL_H / 2, "width": w, "height": LABEL_H, "rx": 3}
    frame = WARN if c.warnings else palette.BORDER
    out.append(_el("rect", **box, fill=palette.WHITE, fill_opacity=0.88, stroke=frame, stroke_width=0.8))
    if c.boundary_devices:
        out.append(_diamond(x - w / 2 + 10, y))
    out.append(_text(x - w / 2 + (19 if c.boundary_devices else 5), y + 3.5, text, 10, colour))
    return [*out, "</a>"]


def _draw_zone(box: _Box) -> list[str]:
    z, x, y = box.zone, box.x, box.y
    kind = KIND.get(z.kind, z.kind.replace("_", " ").capitalize())
    level = "no Purdue level" if z.purdue_level is None else f"Purdue level {z.purdue_level}"
    tip = f"{z.name}\n{kind}, {level}, criticality {z.criticality.replace('_', ' ')}, SL-T {z.sl_target}"
    tip += f"\n{_plural(z.asset_count, 'asset')}" + (f", {_plural(z.warnings, 'warning')}" if z.warnings else "")
    stroke, width = (WARN, 3) if z.warnings else (STROKE.get(z.criticality, MUTED), 1.2)
    out = [_link(z.url, tip, "data-zone", z.id)]
    fill = FILL.get(z.criticality, palette.HEAD)
    out.append(_el("rect", x=x, y=y, width=BOX_W, height=BOX_H, rx=8, fill=fill, stroke=stroke, stroke_width=width))
    badge = f"⚠ {z.warnings}" if z.warnings else ""
    badge_w = _text_width(badge, 11) + 10 if badge else 0
    out.append(_text(x + 10, y + 20, _fit(z.name, 13, BOX_W - 22 - badge_w, bold=True), 13, font_weight="bold"))
    out.append(_text(x + 10, y + 38, _fit(f"{kind} · SL-T {z.sl_target}", 10, BOX_W - 18), 10, MUTED))
    out.append(_text(x + 10, y + 55, _plural(z.asset_count, "asset"), 10, MUTED))
    if badge:
        out.append(_el("rect", x=x + BOX_W - badge_w - 6, y=y + 6, width=badge_w, height=17, rx=8.5, fill=WARN))
        bx = x + BOX_W - 6 - badge_w / 2
        out.append(_text(bx, y + 18.5, badge, 11, palette.WHITE, text_anchor="middle", font_weight="bold"))
    return [*out, "</a>"]


def _legend(y: float, width: float) -> tuple[list[str], float]:
    """The key, wrapped to the drawing's width; returns its elements and its height."""
    swatch: dict[str, float | str] = {"x": 2, "y": 0, "width": 24, "height": 14, "rx": 3}
    line: dict[str, float | str] = {"d": "M0,7 L27,7", "stroke": LINE, "stroke_width": 1.6}
    name = {c: c.replace("_", " ").capitalize() for c in FILL}
    items = [(_el("rect", **swatch, fill=FILL[c], stroke=STROKE[c]), f"{name[c]} criticality") for c in FILL]
    items += [
        (_el("rect", **swatch, fill=palette.WHITE, stroke=WARN, stroke_width=3), "Zone with warnings"),
        (_el("path", **(line | {"stroke": WARN, "stroke_dasharray": "6 4"})), "Conduit with warnings"),
        (_diamond(14, 7), "Boundary device"),
        (_el("path", **line, marker_end="url(#zw-arrow)"), "One way (data diode)"),
        (_el("path", **line) + _el("circle", cx=14, cy=7, r=5, fill=LINE), "Conduit of 3+ zones"),
    ]
    out, x, row_y = [], float(MARGIN), y
    for glyph, label in items:
        item_w = 52 + _text_width(label, 11)
        if x + item_w > width - MARGIN and x > MARGIN:
            x, row_y = float(MARGIN), row_y + 22
        out.append(f'<g transform="translate({_n(x)},{_n(row_y)})">{glyph}{_text(34, 11.5, label, 11, MUTED)}</g>')
        x += item_w
    return out, row_y + 14 - y


def _svg_open(width: float, height: float, title: str) -> list[str]:
    # Not role="img": an image's parts are hidden from assistive technology, and the zones and conduits are
    # links to follow (each named by the <title> inside its <a>). A graphics document keeps them reachable.
    return [
        svg.svg_open(width, height, xlink=True, version="1.1", role="graphics-document", aria_label=title),
        svg.title(title),
        f"<defs>{svg.arrow_marker('zw-arrow', LINE)}{svg.arrow_marker('zw-arrow-warn', WARN)}</defs>",
        svg.rect(0, 0, width, height, fill=palette.WHITE),
    ]


def render_site_diagram(zones: list[DiagramZone], conduits: list[DiagramConduit], *, title: str = "") -> str:
    """Return a complete standalone SVG document (string starting with '<svg', xmlns set, viewBox set)."""
    heading = title or "Zones and conduits"
    if not zones:
        out = _svg_open(360, 80, heading)
        out.append(_text(180, 45, "No zones yet", 14, MUTED, text_anchor="middle"))
        return "\n".join([*out, "</svg>"]) + "\n"
    boxes, bands, content_w = _layout(zones, top=MARGIN + (30 if title else 0))
    width = max(2 * MARGIN + GUTTER + content_w, 640)
    area = (MARGIN, bands[0][1], width - 2 * MARGIN, bands[-1][2] - bands[0][1])  # labels stay off the legend
    drawn = _route(conduits, boxes, area)
    _place_labels(drawn, boxes, area)
    legend, legend_h = _legend(bands[-1][2] + 24, width)
    out = _svg_open(width, bands[-1][2] + 24 + legend_h + MARGIN, heading)
    if title:
        out.append(_text(MARGIN, MARGIN + 16, _fit(title, 16, width - 2 * MARGIN, True), 16, font_weight="bold"))
    for label, y0, y1 in bands:
        out.append(_el("rect", x=MARGIN, y=y0, width=width - 2 * MARGIN, height=y1 - y0, rx=6, fill=palette.WASH))
        out.append(_text(MARGIN + 10, (y0 + y1) / 2 + 4, label, 12, MUTED, font_weight="bold"))
    # Lines go under the boxes (a long line passes behind a box, not over its text) and labels above everything.
    for item in drawn:
        out += _draw_conduit_lines(item)
    for box in sorted(boxes.values(), key=lambda b: (b.row, b.col)):
        out += _draw_zone(box)
    for item in drawn:
        out += _draw_conduit_label(item)
    return "\n".join([*out, *legend, "</svg>"]) + "\n"
