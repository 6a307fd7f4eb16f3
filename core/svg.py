"""SVG primitives shared by every server-side drawing (site diagram, Gantt chart, KPI and report charts).

Standard library only and deterministic. Everything is written with presentation attributes: no style=""
and no <style> element (the pages' Content-Security-Policy blocks inline styles once an SVG is inlined into
HTML), no scripts, fonts or images, so a browser and WeasyPrint draw the same picture.

Attribute names are written from Python keywords: `stroke_width=2` becomes `stroke-width="2"`, and a
trailing underscore is dropped (`class_="gantt"`). Numbers are rounded to one decimal and written without
a trailing ".0".
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from core import palette

FONT = "DejaVu Sans, sans-serif"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
Attr = float | str
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` without the control characters XML does not allow at all, even escaped."""
    return _CONTROL_CHARS.sub("", text)


def esc(text: object) -> str:
    """Text safe in an element or a double-quoted attribute. Control characters are not allowed in XML at
    all, even escaped: they are dropped rather than emitting a broken file."""
    return escape(clean(str(text)), {'"': "&quot;"})


def num(value: float) -> str:
    """A coordinate as written: one decimal at most, `12` rather than `12.0`."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def attrs(**values: Attr | None) -> str:
    """` name="value"` for each attribute (numbers through `num`, text escaped); None leaves one out."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        shown = num(value) if isinstance(value, int | float) else esc(value)
        out.append(f' {key.rstrip("_").replace("_", "-")}="{shown}"')
    return "".join(out)


def el(tag: str, body: str = "", /, **values: Attr | None) -> str:
    """One element; `body` is markup, already escaped (an empty body gives a self-closing element)."""
    return f"<{tag}{attrs(**values)}>{body}</{tag}>" if body else f"<{tag}{attrs(**values)}/>"


def text(x: float, y: float, content: str, /, *, fill: str = palette.INK, **values: Attr | None) -> str:
    """A <text> at (x, y) holding `content` (plain text, escaped here)."""
    return el("text", esc(content), x=x, y=y, fill=fill, **values)


def rect(x: float, y: float, width: float, height: float, body: str = "", /, **values: Attr | None) -> str:
    """A <rect>; `body` may hold a <title> (a tooltip)."""
    return el("rect", body, x=x, y=y, width=width, height=height, **values)


def line(x1: float, y1: float, x2: float, y2: float, /, *, stroke: str = palette.LINE, **values: Attr | None) -> str:
    """A straight <line>."""
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, **values)


def path(d: str, /, **values: Attr | None) -> str:
    """A <path> with the drawing commands `d`."""
    return el("path", d=d, **values)


def circle(cx: float, cy: float, r: float, body: str = "", /, **values: Attr | None) -> str:
    """A <circle>; `body` may hold a <title>."""
    return el("circle", body, cx=cx, cy=cy, r=r, **values)


def title(content: str, /, **values: Attr | None) -> str:
    """A <title>: the accessible name of the drawing, or the tooltip of its parent element."""
    return el("title", esc(content), **values)


def link(url: str, body: str, /, **values: Attr | None) -> str:
    """An <a> around `body`, with href and xlink:href: WeasyPrint and older renderers only follow SVG 1.1's."""
    return f'<a href="{esc(url)}" xlink:href="{esc(url)}"{attrs(**values)}>{body}</a>'


def arrow_marker(marker_id: str, colour: str) -> str:
    """A <marker> for `marker-end="url(#id)"`: an arrowhead 10 units long in the line's direction."""
    head = path("M0,0 L10,5 L0,10 z", fill=colour)
    return (
        f'<marker id="{esc(marker_id)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10"'
        f' markerUnits="userSpaceOnUse" orient="auto">{head}</marker>'
    )


def svg_open(width: float, height: float, /, *, xlink: bool = False, font: str = FONT, **values: Attr | None) -> str:
    """The opening <svg> tag: namespace (and xlink's when links are drawn), the other attributes in the
    order given (`class_` first makes `<svg xmlns="…" class="…"` easy to find), viewBox, size, font."""
    namespaces = f' xmlns="{SVG_NS}"' + (f' xmlns:xlink="{XLINK_NS}"' if xlink else "")
    box = f' viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" height="{num(height)}"'
    return f"<svg{namespaces}{attrs(**values)}{box}{attrs(font_family=font)}>"
