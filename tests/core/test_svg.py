"""core.svg: the primitives every SVG renderer writes with."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from core import svg

NS = "{http://www.w3.org/2000/svg}"


def test_esc_escapes_markup_and_quotes_and_drops_control_characters() -> None:
    assert svg.esc('<b> & "x"\x00\x1f\ufffe') == "&lt;b&gt; &amp; &quot;x&quot;"
    assert svg.esc(3) == "3"
    assert svg.clean("a\x07b\tc\nd") == "ab\tc\nd"  # tab and newline are allowed in XML


@pytest.mark.parametrize(
    ("value", "shown"), [(12, "12"), (12.0, "12"), (12.04, "12"), (12.25, "12.2"), (-0.06, "-0.1")]
)
def test_num_rounds_to_one_decimal_without_a_trailing_zero(value: float, shown: str) -> None:
    assert svg.num(value) == shown


def test_attrs_spell_names_the_svg_way_and_leave_out_none() -> None:
    assert svg.attrs(stroke_width=1.5, class_="a b", stroke_dasharray=None, fill='"x"') == (
        ' stroke-width="1.5" class="a b" fill="&quot;x&quot;"'
    )


def test_elements() -> None:
    assert svg.el("rect", x=1, y=2) == '<rect x="1" y="2"/>'
    assert svg.el("g", "<rect/>", class_="k") == '<g class="k"><rect/></g>'
    shown = '<text x="1" y="2" fill="#1c2430" text-anchor="end">a &lt; b</text>'
    assert svg.text(1, 2, "a < b", text_anchor="end") == shown
    assert svg.rect(0, 0, 10.04, 5, fill="red") == '<rect x="0" y="0" width="10" height="5" fill="red"/>'
    assert svg.line(0, 1, 2, 3) == '<line x1="0" y1="1" x2="2" y2="3" stroke="#d9dee5"/>'
    assert svg.circle(1, 1, 2, svg.title("t")) == '<circle cx="1" cy="1" r="2"><title>t</title></circle>'
    assert svg.path("M0,0 L1,1", fill="none") == '<path d="M0,0 L1,1" fill="none"/>'


def test_a_whole_drawing_is_well_formed_xml_with_links_and_markers() -> None:
    body = [
        svg.svg_open(200, 100.5, xlink=True, role="img", aria_label='Zones & "conduits"'),
        svg.title("Zones & conduits"),
        f"<defs>{svg.arrow_marker('zw-arrow', '#000')}</defs>",
        svg.link("/zones/1/?a=1&b=2", svg.title("Zone <1>") + svg.rect(0, 0, 10, 10), data_zone="1"),
        svg.path("M0,0 L50,50", stroke="#000", marker_end="url(#zw-arrow)"),
        "</svg>",
    ]
    root = ET.fromstring("".join(body))  # noqa: S314 - our own output, parsed to prove it is well-formed
    assert root.tag == f"{NS}svg"
    assert (root.get("viewBox"), root.get("width"), root.get("height")) == ("0 0 200 100.5", "200", "100.5")
    assert root.get("font-family") == svg.FONT and root.get("aria-label") == 'Zones & "conduits"'
    link = root.find(f"{NS}a")
    assert link is not None
    assert link.get("href") == link.get("{http://www.w3.org/1999/xlink}href") == "/zones/1/?a=1&b=2"
    assert link.get("data-zone") == "1" and link.findtext(f"{NS}title") == "Zone <1>"
    marker = root.find(f"{NS}defs/{NS}marker")
    assert marker is not None and marker.get("id") == "zw-arrow" and marker.get("orient") == "auto"


def test_svg_open_without_links_declares_no_xlink() -> None:
    assert "xmlns:xlink" not in svg.svg_open(10, 10)
    assert svg.svg_open(10, 10, font="X").endswith('font-family="X">')
