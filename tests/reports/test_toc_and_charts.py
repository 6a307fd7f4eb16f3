"""The report outline's numbering and the SVG charts (well-formed, no styles or scripts, right bars)."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from assessments.selectors import FRCell
from reports.pdf import charts
from reports.pdf.toc import Outline

SVG = "{http://www.w3.org/2000/svg}"


def test_outline_numbers_chapters_sections_and_appendices() -> None:
    outline = Outline()
    outline.add("summary", "Executive summary")
    outline.add("zones", "Zone assessments")
    outline.add("zone-a", "Zone: A", level=2)
    outline.add("zone-b", "Zone: B", level=2)
    outline.add("findings", "Findings")
    outline.appendix("evidence", "Evidence index")
    outline.appendix("changes", "Summary of changes")
    assert [(e.number, e.title) for e in outline.entries] == [
        ("1", "Executive summary"),
        ("2", "Zone assessments"),
        ("2.1", "Zone: A"),
        ("2.2", "Zone: B"),
        ("3", "Findings"),
        ("Appendix A", "Evidence index"),
        ("Appendix B", "Summary of changes"),
    ]
    assert outline.entries[2].label == "2.1 Zone: A"
    with pytest.raises(ValueError, match="duplicate anchor"):
        outline.add("zone-a", "Again")


def _parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)  # noqa: S314 — our own output, in a test
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    for element in root.iter():
        assert "style" not in element.attrib and element.tag not in (f"{SVG}style", f"{SVG}script")
    return root


def test_status_bar_splits_the_width_by_count() -> None:
    root = _parse(charts.status_bar([("met", "Met", 3), ("not_met", "Not met", 1), ("compensated", "Comp.", 0)], 400))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("y") == "0"]
    assert [float(r.get("width", 0)) for r in bars] == [300.0, 100.0]
    assert [r.get("fill") for r in bars] == [charts.STATUS_FILL["met"], charts.STATUS_FILL["not_met"]]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Met 3", "Not met 1", "Comp. 0"]


def test_fr_profile_draws_target_outline_achieved_bar_and_gap() -> None:
    cells = [FRCell(fr=f"FR{n}", target=2, achieved=1, gap=1, assessed=0, total=0) for n in range(1, 8)]
    cells[6] = FRCell(fr="FR7", target=0, achieved=0, gap=0, assessed=0, total=0)
    root = _parse(charts.fr_profile(cells))
    rects = list(root.iter(f"{SVG}rect"))
    outlines = [r for r in rects if r.get("fill") == "none"]
    achieved = [r for r in rects if r.get("fill") == charts.ACHIEVED_FILL]
    gaps = [r for r in rects if r.get("fill") == charts.GAP_FILL]
    assert len(outlines) == len(achieved) == len(gaps) == 6  # FR7 has no target: nothing drawn
    assert float(outlines[0].get("height", 0)) == pytest.approx(2 * float(achieved[0].get("height", 0)))
    assert "FR1 2/1" in (root.get("aria-label") or "")
