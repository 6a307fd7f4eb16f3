"""A large site (decision 0040): the overview, the workspace and the summary API read in as many queries for
six zones as for one, the re-sync counts match the re-sync plan, and the overview's heat map shows a first
screen of rows with a link to all of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment, Result
from assessments.selectors import resync_counts, resync_plan, summary, summary_and_resync
from assessments.views import pages, workspace
from tests.assessments.helpers import make_assessment, make_plant, mark, set_target, uniform
from tests.conftest import Personas

URLS = ("/assessments/{pk}/", "/assessments/{pk}/workspace/", "/api/v1/assessments/{pk}/summary/")


def queries(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm: catalogue cache, session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_pages_read_in_as_many_queries_for_six_zones_as_for_one(personas: Personas) -> None:
    small = make_plant(personas.site, [uniform(2)], prefix="Small")
    one = make_assessment(personas.site, personas.consultant, zones=small.zones, conduits=[])
    big = make_plant(personas.site, [uniform(3)] * 6, conduit_slt=uniform(3), prefix="Big")
    six = make_assessment(personas.site, personas.consultant, zones=big.zones, conduits=big.conduits)
    mark(six, big.zones[0], "met", personas.owner, fr="FR1")
    client = Client()
    client.force_login(personas.consultant)
    for url in URLS:
        assert queries(client, url.format(pk=one.pk)) == queries(client, url.format(pk=six.pk)), url


@pytest.mark.parametrize("change", ["raise", "lower", "drop_zone"])
def test_resync_counts_are_the_sizes_of_the_plan(personas: Personas, change: str) -> None:
    plant = make_plant(personas.site, [uniform(2), uniform(3)], conduit_slt=uniform(2))
    assessment = make_assessment(personas.site, personas.consultant)
    assert resync_counts(assessment).empty
    if change == "raise":
        set_target(plant.zones[0], "{3,2,4,2,1,2,2}")
    elif change == "lower":
        set_target(plant.conduits[0], "{1,1,1,0,1,1,1}")
    else:
        assessment.zones.remove(plant.zones[1])
    plan, counts = resync_plan(assessment), resync_counts(assessment)
    assert (counts.added, counts.retired, counts.restored) == (len(plan.add), len(plan.retire), len(plan.restore))
    assert not counts.empty
    both = summary_and_resync(assessment)  # the overview's one query says the same
    assert both[1] == counts and both[0].as_api() == summary(assessment).as_api()
    if change == "lower":  # and back up: the retired results come back in scope
        Result.objects.filter(pk__in=plan.retire).update(in_scope=False)
        set_target(plant.conduits[0], uniform(2))
        plan, counts = resync_plan(assessment), resync_counts(assessment)
        assert counts.restored == len(plan.restore) > 0
        assert (counts.added, counts.retired) == (len(plan.add), len(plan.retire)) == (0, 0)


def test_the_heat_map_shows_a_first_screen_then_all_on_request(personas: Personas, monkeypatch: Any) -> None:
    plant = make_plant(personas.site, [uniform(1)] * 3, conduit_slt=uniform(1))
    assessment: Assessment = make_assessment(personas.site, personas.consultant)
    monkeypatch.setattr(pages, "HEATMAP_ROWS", 2)
    client = Client()
    client.force_login(personas.consultant)
    first = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert first.count("<tr data-target=") == 2
    assert 'href="?heatmap=all#heatmap"' in first and "Show all 4 zones and conduits" in first
    every = client.get(f"/assessments/{assessment.pk}/?heatmap=all").content.decode()
    assert every.count("<tr data-target=") == 4 and "Show all" not in every
    names = [t.name for t in plant.targets]
    assert all(name in every for name in names)


def test_the_workspace_lists_a_first_screen_of_targets_and_the_current_one(
    personas: Personas, monkeypatch: Any
) -> None:
    plant = make_plant(personas.site, [uniform(1)] * 3, conduit_slt=uniform(1))
    assessment = make_assessment(personas.site, personas.consultant)
    monkeypatch.setattr(workspace, "NAV_ROWS", 1)
    client = Client()
    client.force_login(personas.consultant)
    url = f"/assessments/{assessment.pk}/workspace/"
    links = 'data-target-link="'
    first = client.get(url).content.decode()
    assert first.count(links) == 2 and "Show all 4 zones and conduits" in first  # one zone, one conduit
    third = plant.zones[2]
    chosen = client.get(f"{url}?target={third.pk}").content.decode()
    assert chosen.count(links) == 3 and f'{links}{third.pk}"' in chosen
    assert 'aria-current="page" data-target-link="' + str(third.pk) in chosen
    every = client.get(f"{url}?target={third.pk}&nav=all").content.decode()
    assert every.count(links) == 4 and "Show all" not in every and "nav=all" in every  # the refresh keeps it
    refreshed = client.get(
        f"/assessments/{assessment.pk}/workspace/targets/?target={third.pk}&nav=all"
    ).content.decode()
    assert refreshed.count(links) == 4
