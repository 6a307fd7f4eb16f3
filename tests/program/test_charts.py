"""Trend charts: well-formed SVG with months, the target, bands, gaps for missing months, bars."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from program.charts import trend_chart

NS = "{http://www.w3.org/2000/svg}"
MONTHS = [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def test_a_line_chart_with_months_target_and_points() -> None:
    svg = trend_chart(list(zip(MONTHS, [40.0, 55.5, None, 88.0], strict=True)), title="Training <&>", unit="%",
                      target=90, amber=75)  # fmt: skip
    root = parse(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Training <&>: monthly trend"  # type: ignore[union-attr]
    labels = texts(root)
    assert [t for t in labels if t in ("Dec", "Jan", "Feb", "Mar", "2025", "2026")] == [
        "Dec", "2025", "Jan", "2026", "Feb", "Mar"
    ]  # fmt: skip
    assert "target ≥ 90%" in labels and {"0%", "50%", "100%"} <= set(labels)
    # A missing month breaks the line: two segments, one of them a single point (circle only).
    assert len(list(root.iter(f"{NS}polyline"))) == 1
    assert len(list(root.iter(f"{NS}circle"))) == 3
    desc = root.find(f"{NS}desc").text or ""  # type: ignore[union-attr]
    assert "Feb 2026: no data" in desc and "Jan 2026: 55.5%" in desc
    fills = {r.get("fill") for r in root.iter(f"{NS}rect")}
    assert {"#e3f4ea", "#fff3d6", "#fbe4e2"} <= fills  # green, amber and red bands
    assert "<script" not in svg and "style=" not in svg


def test_lower_is_better_puts_green_at_the_bottom_and_scales_to_the_data() -> None:
    root = parse(trend_chart([(MONTHS[0], 112.7)], title="MTTP", unit="days", target=30, amber=60,
                             higher_is_better=False))  # fmt: skip
    bands = [r for r in root.iter(f"{NS}rect") if r.get("fill") in ("#e3f4ea", "#fbe4e2")]
    green = next(r for r in bands if r.get("fill") == "#e3f4ea")
    red = next(r for r in bands if r.get("fill") == "#fbe4e2")
    assert float(green.get("y", 0)) > float(red.get("y", 0))  # green lower on the page
    assert "200 d" in texts(root) and "target ≤ 30 d" in texts(root)


def test_bars_and_no_data() -> None:
    root = parse(trend_chart(list(zip(MONTHS, [1.0, 2.0, 0.0, None], strict=True)), title="Exercises", unit="",
                             target=2, amber=1, kind="bar"))  # fmt: skip
    bars = [r for r in root.iter(f"{NS}rect") if r.get("fill") == "#0b5cad"]
    assert len(bars) == 3
    empty = parse(trend_chart([(m, None) for m in MONTHS], title="Nothing", unit="%", target=80, amber=50))
    assert "No data yet" in texts(empty)
