"""core.palette: one set of colours for the SVG renderers, the XLSX export and the CSS."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from core import palette
from core.management.commands.write_palette_css import palette_css_path
from core.xlsx import STATUS_COLOURS
from program.charts import trend_chart
from remediation.gantt import GanttBar, GanttLane, render_gantt
from reports.pdf.charts import STATUS_FILL
from zones.diagram import DiagramZone, render_site_diagram

CSS_DIR = Path(settings.BASE_DIR) / "static" / "css"
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
DECLARED = re.compile(r"(--zw-[\w-]+)\s*:\s*([^;}]+)")
USED = re.compile(r"var\((--zw-[\w-]+)\)")
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
ROLES: dict[str, Mapping[str, object]] = {
    "status": palette.RESULT_STATUS,
    "act": palette.ACTION_STATUS,
    "sev": palette.SEVERITY,
    "rag": palette.RAG,
    "gap": palette.GAP,
    "crit": palette.CRITICALITY,
}


def stylesheets() -> list[Path]:
    return sorted(CSS_DIR.rglob("*.css"))


def test_palette_css_is_generated_from_the_palette() -> None:
    assert palette_css_path().read_text(encoding="utf-8") == palette.palette_css(), (
        "static/css/palette.css is stale: run `manage.py write_palette_css`"
    )


def test_every_colour_is_a_hex_colour_with_a_unique_property_name() -> None:
    names = [name for name, _ in palette.custom_properties()]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for _, value in palette.custom_properties())
    assert dict(palette.custom_properties())["--zw-status-not_met-bg"] == palette.RESULT_STATUS["not_met"].bg


@pytest.mark.parametrize("path", stylesheets(), ids=lambda p: str(p.relative_to(CSS_DIR)))
def test_css_colours_are_the_palettes(path: Path) -> None:
    expected = dict(palette.custom_properties())
    css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    for name, value in DECLARED.findall(css):
        assert expected.get(name) == value.strip(), f"{path.name}: {name} is {value.strip()}, not the palette's"
    unknown = set(USED.findall(css)) - set(expected)
    assert not unknown, f"{path.name} uses colours the palette does not have: {sorted(unknown)}"
    # The badges, bars and cells of statuses, severities, RAG, gap and criticality take no literal colour.
    role = re.compile("|".join(rf"\.{prefix}-({'|'.join(keys)})\b" for prefix, keys in ROLES.items()))
    for selectors, body in RULE.findall(css):
        for selector in selectors.split(","):
            selector = selector.strip()
            if " " not in selector and role.search(selector):
                assert not HEX.search(body), f"{path.name}: {selector} has a literal colour: {body.strip()}"


def test_the_stylesheets_load_the_palette() -> None:
    assert '@import url("palette.css");' in (CSS_DIR / "app.css").read_text()
    assert '@import url("../palette.css");' in (CSS_DIR / "pdf" / "report.css").read_text()


def test_gap_colour() -> None:
    assert [palette.gap_colour(g) for g in (None, -1, 0, 2, 4, 9)] == [
        palette.GAP["none"],
        palette.GAP["0"],
        palette.GAP["0"],
        palette.GAP["2"],
        palette.GAP["4"],
        palette.GAP["4"],
    ]


# --- the renderers draw with the palette --------------------------------------------------------------------
def test_site_diagram_fills_zones_with_the_criticality_colours() -> None:
    zone = DiagramZone("z1", "Control", "control", 2, "very_high", "{2,2,2,2,2,2,2}", "/z/")
    drawing = render_site_diagram([zone], [])
    assert f'fill="{palette.CRITICALITY["very_high"].bg}"' in drawing
    assert f'stroke="{palette.CRITICALITY["very_high"].fg}"' in drawing


def test_gantt_bars_have_the_action_status_colours() -> None:
    bar = GanttBar("Patch", "quick_win", date(2026, 1, 5), date(2026, 2, 1), "in_progress")
    drawing = render_gantt([bar], [GanttLane("quick_win", "Quick wins")], date(2026, 1, 10))
    assert f'fill="{palette.ACTION_STATUS["in_progress"].bar}"' in drawing
    assert f'fill="{palette.HEAD}"' in drawing  # the lane's band


def test_charts_and_exports_use_the_status_and_rag_colours() -> None:
    assert {status: c.solid for status, c in palette.RESULT_STATUS.items()} == STATUS_FILL
    assert STATUS_COLOURS["met"] == (palette.OK_BG[1:].upper(), palette.OK[1:].upper())
    chart = trend_chart([(date(2026, 1, 1), 50.0)], title="x", unit="%", target=80, amber=60)
    assert all(f'fill="{palette.RAG[r].bg}"' in chart for r in ("green", "amber", "red"))
