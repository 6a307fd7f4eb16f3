"""The Gantt chart: a well-formed SVG with quarter columns, a lane per phase, today's line, late
work in red, links to the actions, and no inline styles (the pages' CSP forbids them)."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

from remediation.gantt import OVERDUE, GanttBar, GanttLane, quarters, render_gantt

NS = {"svg": "http://www.w3.org/2000/svg"}
TODAY = date(2026, 11, 25)
LANES = [GanttLane("quick_win", "Quick win", "1 of 2 done"), GanttLane("mid_term", "3-12 months")]


def bars() -> list[GanttBar]:
    return [
        GanttBar("Late <review> & fix", "quick_win", date(2026, 10, 1), date(2026, 10, 30), "in_progress",
                 overdue=True, href="/actions/1/"),
        GanttBar("Backups", "quick_win", date(2026, 11, 1), date(2026, 11, 20), "done", href="/actions/2/"),
        GanttBar("Firewall", "mid_term", date(2027, 3, 15), date(2027, 5, 14), "planned", href="/actions/3/"),
        GanttBar("Elsewhere", "other_lane", date(2027, 1, 1), date(2027, 2, 1), "planned"),
    ]  # fmt: skip


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def test_quarters_cover_whole_quarters() -> None:
    assert quarters(date(2026, 8, 15), date(2027, 1, 2)) == [
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
    ]


def test_chart_structure() -> None:
    root = parse(render_gantt(bars(), LANES, TODAY))
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert [t for t in texts if re.fullmatch(r"Q\d \d{4}", t)] == ["Q4 2026", "Q1 2027", "Q2 2027"]
    assert "Quick win" in texts and "3-12 months" in texts
    assert "Today 25 Nov 2026" in texts
    assert "Late <review> & fix" in texts  # escaped in the source, intact once parsed
    assert "Elsewhere" not in texts  # a lane not shown is left out
    links = [a.get("href") for a in root.findall(".//svg:a", NS)]
    assert links == ["/actions/1/", "/actions/2/", "/actions/3/"]
    assert root.find(".//svg:title", NS) is not None


def test_overdue_work_is_red_and_today_is_drawn_where_it_belongs() -> None:
    root = parse(render_gantt(bars(), LANES, TODAY))
    late, done, planned = root.findall(".//svg:g", NS)
    assert "is-overdue" in (late.get("class") or "")
    assert [r.get("fill") for r in late.findall("svg:rect", NS)] == [OVERDUE, OVERDUE]  # the lateness, the bar
    assert "OVERDUE" in (late.find("svg:title", NS).text or "")  # type: ignore[union-attr]
    assert done.find("svg:rect", NS).get("fill") != OVERDUE  # type: ignore[union-attr]
    today = root.find(".//svg:line[@class='gantt-today']", NS)
    assert today is not None
    # Q4 2026 to Q2 2027 is 273 days over the chart's width; 25 Nov is day 55.
    left, right = 340, 1200 - 16
    assert float(today.get("x1") or 0) == round(left + (right - left) * 55 / 273, 1)
    bar_x = float(planned.find("svg:rect", NS).get("x") or 0)  # type: ignore[union-attr]
    assert bar_x > float(today.get("x1") or 0)


def test_no_inline_styles_or_scripts() -> None:
    svg = render_gantt(bars(), LANES, TODAY)
    assert "style=" not in svg and "<script" not in svg and "<style" not in svg


def test_empty_lanes_say_so_and_today_out_of_range_is_not_drawn() -> None:
    svg = render_gantt([], LANES, TODAY, start=date(2027, 1, 1), end=date(2027, 12, 31))
    root = parse(svg)
    assert svg.count("No actions in this phase") == 2
    assert root.find(".//svg:line[@class='gantt-today']", NS) is None
    # Each note sits in its own row, above the next lane's heading and inside the chart.
    notes = [float(t.get("y") or 0) for t in root.iter(f"{{{NS['svg']}}}text") if t.text == "No actions in this phase"]
    heads = [float(r.get("y") or 0) for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("fill") == "#eef2f6"]
    height = float(root.get("height") or 0)
    assert len(heads) == 2 and heads[0] < notes[0] < heads[1] < notes[1] < height
    assert heads[1] - notes[0] >= 8 and height - notes[1] >= 8


def test_where_an_action_sits_on_the_timeline() -> None:
    from decimal import Decimal

    from remediation.models import Action
    from remediation.timeline import bar_dates

    due = date(2027, 3, 31)
    assert bar_dates(Action(planned_start=date(2027, 1, 4), due_date=due)) == (date(2027, 1, 4), due)
    assert bar_dates(Action(due_date=due)) == (date(2027, 3, 17), due)  # two weeks at least
    assert bar_dates(Action(due_date=due, effort_days=Decimal(20))) == (date(2027, 3, 3), due)  # 20 working days
    assert bar_dates(Action(planned_start=due)) == (due, date(2027, 4, 14))
    assert bar_dates(Action()) is None
