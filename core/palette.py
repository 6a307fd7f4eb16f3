"""The one colour palette: neutrals, statuses, severities, RAG, SL gap and criticality.

Every SVG renderer (site diagram, Gantt, KPI and report charts), the XLSX export and the CSS take their
colours from here. The CSS reads them as custom properties (`--zw-*`) from static/css/palette.css, which
`manage.py write_palette_css` writes from `palette_css()`; tests/core/test_palette.py fails when the file
and this module disagree. Keys are the stored choice values (`not_met`, `in_progress`, `very_high`), but
nothing here imports a domain app: the palette is plumbing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Badge:
    """A soft badge: a pale background with a dark text of the same hue."""

    bg: str
    fg: str


@dataclass(frozen=True)
class Tone(Badge):
    """A badge's pair and a solid colour of the same meaning. A result status: the badge and its share in a
    chart. RAG: the pale band behind a chart, text on it, the solid mark of a tile. Criticality: a zone box's
    fill and outline in the diagram, the dot in lists."""

    solid: str


@dataclass(frozen=True)
class ActionColours(Badge):
    """An action status: its badge, and its bar on the Gantt chart (fill and outline)."""

    bar: str
    stroke: str


# --- neutrals and tones ---------------------------------------------------------------------------------
WHITE = "#ffffff"
INK = "#1c2430"  # body text
INK_SOFT = "#3d4856"  # secondary text on pale badges
MUTED = "#5b6675"  # captions, axis labels, lines of the diagram
SUBTLE = "#8a94a3"  # outlines of quiet things
LINE = "#d9dee5"  # grid and table lines
BORDER = "#b8c1cc"
WASH = "#f3f5f8"  # bands behind groups, empty cells
HEAD = "#eef2f6"  # table heads, Gantt lanes
ZEBRA = "#f6f8fb"
QUIET = "#e8ecf1"  # quiet badge background
NAVY = "#10233d"
BRAND = "#0b5cad"
BRAND_DARK = "#084a8c"
INFO_BG = "#e6f0fb"
OK, OK_BG = "#1c7549", "#e3f4ea"  # ≥ 4.5:1 on OK_BG and the done badge (WCAG AA)
WARN, WARN_BG = "#9a6200", "#fff3d6"
BAD, BAD_BG = "#b3261e", "#fbe4e2"
TODAY = "#d9822b"  # the "today" line of the Gantt chart
DEVICE = "#1f4e79"  # boundary devices in the diagram

# --- statuses -------------------------------------------------------------------------------------------
RESULT_STATUS: dict[str, Tone] = {
    "not_assessed": Tone(QUIET, INK_SOFT, BORDER),
    "met": Tone(OK_BG, OK, "#2e8b57"),
    "compensated": Tone("#e2f0f7", "#0b6a8c", "#2b8cbe"),
    "not_applicable": Tone("#eeeaf6", "#5b4a8a", "#8e7cc3"),
    "partially_met": Tone(WARN_BG, WARN, "#e0a106"),
    "not_met": Tone(BAD_BG, BAD, "#c0392b"),
}
ACTION_STATUS: dict[str, ActionColours] = {
    "proposed": ActionColours(WHITE, MUTED, WHITE, MUTED),
    "planned": ActionColours("#dce8f6", BRAND_DARK, "#9dbde3", "#9dbde3"),
    "in_progress": ActionColours(BRAND, WHITE, BRAND, BRAND),
    "done": ActionColours("#d5efe1", OK, "#4aa57a", "#4aa57a"),
    "verified": ActionColours(OK, WHITE, OK, OK),
    "deferred": ActionColours(QUIET, MUTED, "#c5ccd6", SUBTLE),
    "rejected": ActionColours(QUIET, MUTED, QUIET, QUIET),
}
SEVERITY: dict[str, Badge] = {
    "critical": Badge("#7a1711", WHITE),
    "high": Badge(BAD_BG, BAD),
    "medium": Badge(WARN_BG, WARN),
    "low": Badge(QUIET, INK_SOFT),
    "none": Badge(QUIET, INK_SOFT),
}
RAG: dict[str, Tone] = {
    "green": Tone(OK_BG, OK, OK),
    "amber": Tone(WARN_BG, WARN, "#9e6800"),  # dark enough for white badge text (≥ 4.5:1)
    "red": Tone(BAD_BG, BAD, BAD),
    "none": Tone(QUIET, MUTED, MUTED),  # the "no data" badge is white text on the solid
}
# SL gap per FR (SL-T minus SL-A): 0 is at target; 3 and 4 share the strongest colour.
GAP: dict[str, str] = {"0": "#cdebd8", "1": "#ffe6a8", "2": "#f7b98a", "3": "#e88a80", "4": "#e88a80", "none": WASH}
SL_TARGET, SL_ACHIEVED = "#1f3a5f", "#4f86c6"  # the outlined SL-T and the filled SL-A of a profile chart
CRITICALITY: dict[str, Tone] = {  # bg: a zone box's fill, fg: its outline, solid: the dot in lists
    "low": Tone("#e3f1dc", "#6f9a5c", "#6aa84f"),
    "medium": Tone("#fff5cc", "#b8982c", "#e0b400"),
    "high": Tone("#ffe2c4", "#c47a2c", "#e07b00"),
    "very_high": Tone("#f8d0cc", "#b0524a", "#c0392b"),
}


def gap_colour(gap: int | None) -> str:
    """The colour of an SL gap (None: nothing to measure)."""
    return GAP["none"] if gap is None else GAP[str(min(max(gap, 0), 4))]


def custom_properties() -> Iterator[tuple[str, str]]:
    """Every colour as a (CSS custom property name, value) pair, e.g. ("--zw-status-met-bg", "#e3f4ea")."""
    for group in _groups():
        yield from group


def _groups() -> Iterator[list[tuple[str, str]]]:
    """The custom properties a group at a time: the neutrals, then each role."""
    neutrals = {
        "white": WHITE, "ink": INK, "ink-soft": INK_SOFT, "muted": MUTED, "subtle": SUBTLE, "line": LINE,
        "border": BORDER, "wash": WASH, "head": HEAD, "zebra": ZEBRA, "quiet": QUIET, "navy": NAVY,
        "brand": BRAND, "brand-dark": BRAND_DARK, "info-bg": INFO_BG, "ok": OK, "ok-bg": OK_BG, "warn": WARN,
        "warn-bg": WARN_BG, "bad": BAD, "bad-bg": BAD_BG, "today": TODAY, "device": DEVICE,
        "sl-target": SL_TARGET, "sl-achieved": SL_ACHIEVED,
    }  # fmt: skip
    yield [(f"--zw-{name}", value) for name, value in neutrals.items()]
    roles: dict[str, dict[str, Badge]] = {
        "status": dict(RESULT_STATUS),
        "action": dict(ACTION_STATUS),
        "sev": dict(SEVERITY),
        "rag": dict(RAG),
        "crit": dict(CRITICALITY),
    }
    for prefix, members in roles.items():
        yield [
            (f"--zw-{prefix}-{key}-{f.name}", getattr(colours, f.name))
            for key, colours in members.items()
            for f in fields(colours)
        ]
    yield [(f"--zw-gap-{key}", value) for key, value in GAP.items()]


def _rules() -> Iterator[str]:
    """The rules every stylesheet shares: the badges of result statuses, action statuses and severities, the
    Gantt legend's swatches. Two classes each, so they win over the plain .badge and .swatch rules whatever
    the order."""
    badges: tuple[tuple[str, str, dict[str, Badge]], ...] = (
        ("status", "status", dict(RESULT_STATUS)),
        ("act", "action", dict(ACTION_STATUS)),
        ("sev", "sev", SEVERITY),
    )
    for prefix, name, keys in badges:
        yield " ".join(
            f".badge.{prefix}-{k} {{ background: var(--zw-{name}-{k}-bg); color: var(--zw-{name}-{k}-fg); }}"
            for k in keys
        )
    yield " ".join(
        f".swatch.swatch-{s}, .swatch.sw-{s} {{ background: var(--zw-action-{s}-bar);"
        f" border-color: var(--zw-action-{s}-stroke);{' border-style: dashed;' if s == 'proposed' else ''} }}"
        for s in ACTION_STATUS
    )


def palette_css() -> str:
    """static/css/palette.css: every colour of the palette as a custom property on :root (a line a group,
    the file is generated, not read), then the rules every stylesheet shares (_rules)."""
    header = "/* Generated from core/palette.py by `manage.py write_palette_css`: edit the palette, not this file. */"
    groups = ["  " + " ".join(f"{name}: {value};" for name, value in group) for group in _groups()]
    return "\n".join([header, ":root {", *groups, "}", *_rules()]) + "\n"
