"""The History tab of sites, zones, conduits and assets: which models a site's history gathers. The diff
itself is core.history's."""

from __future__ import annotations

from core import history
from core.history import HistoryEntry, HistorySpec, newest_first
from zones.models import Asset, Conduit, Site, Zone

PLANT = HistorySpec()  # every editable field, labelled by its verbose name


def site_history(site: Site, limit: int = 200) -> list[HistoryEntry]:
    """Changes to the site and everything in it, newest first, in a fixed number of queries."""
    zone_ids = Zone.history.filter(site_id=site.pk).values("id")  # zones deleted since included
    return newest_first(
        [
            (site.history.all(), PLANT),
            (Zone.history.filter(site_id=site.pk), PLANT),
            (Conduit.history.filter(site_id=site.pk), PLANT),
            (Asset.history.filter(zone_id__in=zone_ids), PLANT),
        ],
        limit,
    )


def object_history(obj: Zone | Conduit | Asset, limit: int = 100) -> list[HistoryEntry]:
    """The latest saves of one zone, conduit or asset, newest first."""
    return history.object_history(obj, PLANT, limit)
