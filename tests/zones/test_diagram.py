"""The site diagram SVG: well-formed, laid out by Purdue level, styled, escaped and deterministic."""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET

from zones.diagram import DiagramConduit, DiagramZone, render_site_diagram

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
WARN = "#b3261e"


def zone(zid: str, level: int | None = 2, **kwargs: object) -> DiagramZone:
    values: dict = {"name": f"Zone {zid}", "kind": "control", "criticality": "medium", "sl_target": "{2,2,1,1,3,1,2}"}
    values |= {"url": f"/zones/{zid}/", **kwargs}
    return DiagramZone(id=zid, purdue_level=level, **values)


def conduit(cid: str, *zone_ids: str, **kwargs: object) -> DiagramConduit:
    values: dict = {"name": f"Conduit {cid}", "direction": "bidirectional", "protocols": "Modbus/TCP"}
    values |= {"sl_target": "{2,2,2,2,2,2,2}", "url": f"/conduits/{cid}/", **kwargs}
    return DiagramConduit(id=cid, zone_ids=zone_ids, **values)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed
    assert root.tag == f"{SVG}svg"
    return root


def zone_links(root: ET.Element) -> dict[str, ET.Element]:
    return {a.attrib["data-zone"]: a for a in root.iter(f"{SVG}a") if "data-zone" in a.attrib}


def conduit_links(root: ET.Element, cid: str) -> ET.Element:
    (link,) = [a for a in root.iter(f"{SVG}a") if a.get("data-conduit") == cid]
    return link


Box = tuple[float, float, float, float]


def first_rect(link: ET.Element) -> Box:
    rect = link.find(f"{SVG}rect")
    assert rect is not None
    x, y, w, h = (float(rect.attrib[k]) for k in ("x", "y", "width", "height"))
    return (x, y, w, h)


def box(root: ET.Element, zid: str) -> Box:
    return first_rect(zone_links(root)[zid])


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def test_standalone_svg_document() -> None:
    svg = render_site_diagram([zone("a"), zone("b", 1)], [conduit("c", "a", "b")], title="Works")
    assert svg.startswith("<svg")
    root = parse(svg)
    assert root.get("viewBox", "").startswith("0 0 ")
    assert "xmlns:xlink=" in svg
    assert root.get("font-family") == "DejaVu Sans, sans-serif"


def test_nothing_the_page_csp_or_weasyprint_would_refuse() -> None:
    svg = render_site_diagram([zone("a"), zone("b", 1)], [conduit("c", "a", "b", warnings=1)])
    root = parse(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "style", "image", "foreignObject"}
    assert not any("style" in el.attrib or "class" in el.attrib for el in root.iter())
    assert "http" not in svg.replace("http://www.w3.org/", "")


def test_one_linked_box_per_zone() -> None:
    zones = [zone("a", 4, name="Corporate IT"), zone("b", 2), zone("c", None)]
    root = parse(render_site_diagram(zones, []))
    links = zone_links(root)
    assert set(links) == {"a", "b", "c"}
    a = links["a"]
    assert a.get("href") == a.get(f"{XLINK}href") == "/zones/a/"
    title = a.find(f"{SVG}title")
    assert title is not None and "Corporate IT" in (title.text or "")
    assert "Corporate IT" in texts(a)
    assert len(a.findall(f"{SVG}rect")) == 1


def test_box_shows_kind_sl_target_assets_and_criticality_colour() -> None:
    root = parse(render_site_diagram([zone("a", criticality="very_high", asset_count=3)], []))
    link = zone_links(root)["a"]
    assert "Control · SL-T {2,2,1,1,3,1,2}" in texts(link)
    assert "3 assets" in texts(link)
    rect = link.find(f"{SVG}rect")
    assert rect is not None and rect.get("fill") == "#f8d0cc"


def test_bands_run_from_external_and_level_5_down_to_0_then_unassigned() -> None:
    zones = [
        zone("l1", 1),
        zone("l4", 4),
        zone("ext", None, kind="external"),
        zone("none", None),
        zone("l0", 0),
        zone("l5", 5),
        zone("ext4", 4, kind="external"),  # an external zone with a level sits in its level
    ]
    root = parse(render_site_diagram(zones, []))
    y = {zid: box(root, zid)[1] for zid in zone_links(root)}
    assert y["ext"] < y["l5"] < y["l4"] < y["l1"] < y["l0"] < y["none"]
    assert y["ext4"] == y["l4"]
    labels = texts(root)
    assert labels.index("External") < labels.index("Level 5") < labels.index("Level 0") < labels.index("Unassigned")


def test_zones_in_a_band_are_ordered_by_name_and_wrap() -> None:
    zones = [zone(f"z{i}", 2, name=name) for i, name in enumerate("GFEDCBA")]
    root = parse(render_site_diagram(zones, []))
    rects = {z.name: box(root, z.id) for z in zones}
    first_row = sorted((n for n in rects if rects[n][1] == rects["A"][1]), key=lambda n: rects[n][0])
    assert first_row == ["A", "B", "C", "D"]
    assert rects["E"][1] > rects["A"][1]


def test_long_names_are_truncated_with_the_full_name_in_the_tooltip() -> None:
    name = "Chlorine dosing and filtration backwash control system"
    root = parse(render_site_diagram([zone("a", name=name)], []))
    link = zone_links(root)["a"]
    shown = texts(link)[0]
    assert shown.endswith("…") and len(shown) < len(name)
    assert name in (link.findtext(f"{SVG}title") or "")


def test_warned_zone_gets_a_red_border_and_badge() -> None:
    root = parse(render_site_diagram([zone("a", warnings=2), zone("b")], []))
    warned, calm = zone_links(root)["a"], zone_links(root)["b"]
    rect = warned.find(f"{SVG}rect")
    assert rect is not None and rect.get("stroke") == WARN and float(rect.get("stroke-width", 0)) >= 2.5
    assert "⚠ 2" in texts(warned)
    calm_rect = calm.find(f"{SVG}rect")
    assert calm_rect is not None and calm_rect.get("stroke") != WARN
    assert not any("⚠" in t for t in texts(calm))


def test_warned_conduit_is_red_and_dashed() -> None:
    zones = [zone("a", 3), zone("b", 2), zone("c", 1)]
    root = parse(render_site_diagram(zones, [conduit("bad", "a", "b", warnings=1), conduit("ok", "b", "c")]))
    (bad,) = conduit_links(root, "bad").iter(f"{SVG}path")
    assert bad.get("stroke") == WARN and bad.get("stroke-dasharray")
    (ok,) = conduit_links(root, "ok").iter(f"{SVG}path")
    assert ok.get("stroke") != WARN and not ok.get("stroke-dasharray")


def test_unidirectional_conduit_has_an_arrow_toward_the_second_zone() -> None:
    zones = [zone("top", 3), zone("bottom", 1)]
    one_way = conduit("diode", "bottom", "top", direction="unidirectional")
    root = parse(render_site_diagram(zones, [one_way, conduit("both", "top", "bottom")]))
    (path,) = conduit_links(root, "diode").iter(f"{SVG}path")
    assert path.get("marker-end") == "url(#zw-arrow)"
    assert any(m.get("id") == "zw-arrow" for m in root.iter(f"{SVG}marker"))
    # The path ends at the receiving (upper) zone: its last point is on that box's bottom edge.
    _, y, _, h = box(root, "top")
    end_y = float(path.attrib["d"].split()[-1].split(",")[1])
    assert end_y == y + h
    for path in conduit_links(root, "both").iter(f"{SVG}path"):
        assert "marker-end" not in path.attrib


def test_parallel_conduits_on_one_pair_do_not_overlap() -> None:
    zones = [zone("a", 3), zone("b", 2)]
    root = parse(render_site_diagram(zones, [conduit("c1", "a", "b"), conduit("c2", "a", "b")]))
    d1 = next(conduit_links(root, "c1").iter(f"{SVG}path")).attrib["d"]
    d2 = next(conduit_links(root, "c2").iter(f"{SVG}path")).attrib["d"]
    assert d1 != d2 and "Q" in d1 and "Q" in d2


def test_conduits_within_one_row_arch_over_the_boxes() -> None:
    zones = [zone("a", 1), zone("b", 1), zone("c", 1)]
    root = parse(render_site_diagram(zones, [conduit("next", "a", "b"), conduit("far", "a", "c")]))
    top = box(root, "a")[1]
    for cid in ("next", "far"):
        (path,) = conduit_links(root, cid).iter(f"{SVG}path")
        start, control, _ = path.attrib["d"].split()
        assert control.startswith("Q") and float(control.split(",")[1]) < top
        assert float(start.split(",")[1]) == top  # leaves through the top edge, not through a neighbour


def test_conduit_of_three_zones_gets_a_hub_with_spokes() -> None:
    zones = [zone("a", 2), zone("b", 1), zone("c", 1, name="Zone c2")]
    root = parse(render_site_diagram(zones, [conduit("lan", "a", "b", "c")]))
    link = conduit_links(root, "lan")
    assert len(link.findall(f"{SVG}circle")) == 1
    assert len(link.findall(f"{SVG}path")) == 3


def test_boundary_devices_get_a_glyph_and_a_tooltip() -> None:
    zones = [zone("a", 3), zone("b", 2)]
    root = parse(render_site_diagram(zones, [conduit("fw", "a", "b", boundary_devices=("FW-01 (firewall)",))]))
    (label,) = [a for a in root.iter(f"{SVG}a") if a.get("data-conduit-label") == "fw"]
    assert label.find(f"{SVG}polygon") is not None
    assert "FW-01 (firewall)" in (label.findtext(f"{SVG}title") or "")
    assert "FW-01 (firewall)" in (conduit_links(root, "fw").findtext(f"{SVG}title") or "")
    assert label.get("href") == "/conduits/fw/"


def test_text_is_escaped() -> None:
    nasty = '<Pump & "Valve">'
    zones = [zone("a", name=nasty, kind=nasty, sl_target=nasty, url='/z/?a=1&b="2"'), zone("b", 1)]
    svg = render_site_diagram(zones, [conduit("c", "a", "b", name=nasty, protocols=nasty)], title=nasty)
    root = parse(svg)
    assert "<Pump" not in svg and "&lt;Pump &amp; &quot;Valve&quot;&gt;" in svg
    assert nasty in texts(root)
    assert zone_links(root)["a"].get("href") == '/z/?a=1&b="2"'


def test_control_characters_do_not_break_the_xml() -> None:
    parse(render_site_diagram([zone("a", name="Bad\x00\x1bname")], [], title="\x07"))


def test_unknown_zone_ids_in_conduits_are_ignored() -> None:
    zones = [zone("a", 3), zone("b", 2)]
    conduits = [conduit("ok", "a", "ghost", "b"), conduit("alone", "a", "ghost"), conduit("none", "x", "y")]
    root = parse(render_site_diagram(zones, conduits))
    assert len(conduit_links(root, "ok").findall(f"{SVG}path")) == 1  # a plain line once the ghost is gone
    assert not [a for a in root.iter(f"{SVG}a") if a.get("data-conduit") in {"alone", "none"}]


def test_output_is_deterministic_whatever_the_input_order() -> None:
    zones, conduits = big_site()
    first = render_site_diagram(zones, conduits, title="Plant")
    assert render_site_diagram(zones, conduits, title="Plant") == first
    rng = random.Random(7)
    zones_shuffled, conduits_shuffled = zones[:], conduits[:]
    rng.shuffle(zones_shuffled)
    rng.shuffle(conduits_shuffled)
    assert render_site_diagram(zones_shuffled, conduits_shuffled, title="Plant") == first


def big_site() -> tuple[list[DiagramZone], list[DiagramConduit]]:
    """20 zones over every band and 40 conduits, some parallel, some one-way, some of three zones."""
    levels = [4, 3, 2, 2, 1, 1, 1, 0, 2, 1, None, 3, 1, 2, 1, 0, 1, 2, 4, None]
    zones = [zone(f"z{i:02d}", level, name=f"Zone {i:02d}", warnings=i % 7 == 3) for i, level in enumerate(levels)]
    zones[19] = zone("z19", None, kind="external", name="Vendor access")
    conduits = []
    for k in range(40):
        a, b = k % 20, (k * 7 + 3) % 20
        ids = (f"z{a:02d}", f"z{(b if b != a else b + 1) % 20:02d}") + (
            (f"z{(a + 5) % 20:02d}",) if k % 13 == 0 else ()
        )
        one_way = "unidirectional" if k % 9 == 0 else "bidirectional"
        conduits.append(conduit(f"c{k:02d}", *ids, direction=one_way, warnings=int(k % 11 == 5)))
    return zones, conduits


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_a_big_site_stays_readable() -> None:
    zones, conduits = big_site()
    root = parse(render_site_diagram(zones, conduits))
    rects = [box(root, z.id) for z in zones]
    assert len(rects) == 20
    for a, b in itertools.combinations(rects, 2):
        assert not overlap(a, b)
    assert float(root.attrib["width"]) <= 1400
    assert len([a for a in root.iter(f"{SVG}a") if "data-conduit" in a.attrib]) == 40
    # Conduit labels sit clear of the boxes and of each other.
    labels = [first_rect(link) for link in root.iter(f"{SVG}a") if "data-conduit-label" in link.attrib]
    assert len(labels) == 40
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    assert all(0 <= x <= x + w <= width and 0 <= y <= y + h <= height for x, y, w, h in labels)
    for a, b in itertools.combinations(labels + rects, 2):
        assert not overlap(a, b)


def test_empty_site() -> None:
    svg = render_site_diagram([], [conduit("c", "a", "b")])
    root = parse(svg)
    assert "No zones yet" in texts(root)
    assert root.get("viewBox")
