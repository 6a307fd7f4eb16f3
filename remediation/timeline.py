"""The roadmap's Gantt chart from actions: where each action sits on the timeline and in which
lane, handed to the pure renderer in remediation.gantt. Pages, the API and (later) PDF reports use it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from core.validators import clamp_date
from remediation import selectors
from remediation.choices import ActionStatus, Phase
from remediation.gantt import GanttBar, GanttLane, render_gantt
from remediation.models import Action

DEFAULT_SPAN = timedelta(days=14)


def bar_dates(action: Action) -> tuple[date, date] | None:
    """Where an action sits on the timeline; None when it has no date at all. Dates stored outside the
    accepted range (before core.validators checked them) are moved into it, so the arithmetic cannot overflow;
    the chart marks such a bar as out of range."""
    start, end = action.planned_start, action.due_date or action.completed_on
    if start is None and end is None:
        return None
    start = clamp_date(start) if start is not None else None
    end = clamp_date(end) if end is not None else None
    if start is None:
        assert end is not None
        effort = timedelta(days=int(action.effort_days or 0) * 7 // 5) if action.effort_days else DEFAULT_SPAN
        start = end - max(effort, DEFAULT_SPAN)
    if end is None:
        end = start + DEFAULT_SPAN
    return start, max(start, end)


def lanes_for(road: selectors.Roadmap) -> list[GanttLane]:
    lanes = []
    for progress in road.phases:
        note = f"{progress.finished} of {progress.total} done"
        if progress.overdue:
            note += f" · {progress.overdue} overdue"
        lanes.append(GanttLane(key=progress.phase.value, label=progress.phase.label, note=note))
    return lanes


def gantt_svg(actions: Sequence[Action], today: date, road: selectors.Roadmap | None = None) -> str:
    """The roadmap's Gantt chart for these actions (rejected ones left out)."""
    road = road or selectors.roadmap(actions, today)
    bars = []
    for action in road.actions:
        span = bar_dates(action)
        if span is None:
            continue
        owner = str(action.owner) if action.owner else "no owner"
        bars.append(
            GanttBar(
                label=action.title,
                lane=action.phase,
                start=span[0],
                end=span[1],
                status=action.status,
                status_label=ActionStatus(action.status).label,
                overdue=action.is_overdue(today),
                href=action.get_absolute_url(),
                detail=f"{owner} · due {action.due_date or '—'}",
            )
        )
    phase_order = list(Phase.values)
    bars.sort(key=lambda b: (phase_order.index(b.lane), b.start, b.end, b.label))
    start, end = selectors.horizon(road.actions, today)
    return render_gantt(bars, lanes_for(road), today, start, end)
