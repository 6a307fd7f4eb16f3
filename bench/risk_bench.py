"""Benchmark of the SL-T proposal of a large risk assessment (issue 15: under 200 ms for 50 zones with 20 threat
scenarios each, with a query count that does not grow with zones).

    .venv/bin/python bench/risk_bench.py                  # 30 requests on 50 zones x 20 scenarios, about 30 s
    .venv/bin/python bench/risk_bench.py --requests 100 --zones 100

What it measures: the server time of GET /api/v1/risk-assessments/{id}/sl-targets/ in process
(django.test.Client, no network; the permission door, the rule, the JSON), median and p95 over the requests
after one warm-up, the CPU time of this process per request (which a busy machine inflates less), and the
query count of one request on the big site and on a 2-zone site.

The database is PostgreSQL (`zonewise_risk_bench`, dropped and recreated each run), DEBUG off. Benchmarks, not
timed tests: the figures depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import ROOT, database_url

DB_NAME = "zonewise_risk_bench"
FLOOR_MS = 200.0


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def setup_django(data_dir: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(DB_NAME),
            "REDIS_URL": "",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
            "ALLOWED_HOSTS": "testserver",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "ZONEWISE_DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(zones: int, scenarios: int) -> tuple[Any, Any, Any]:
    """An organization with a consultant, a site of `zones` zones (and a conduit between each pair of
    neighbours), one risk assessment with `scenarios` scenarios per zone from the five seeded sources, and
    a 2-zone site with the same per zone, for the query count."""
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Organization, User
    from compliance.sl import SLVector
    from risk import rules
    from risk.models import RiskAssessment, ThreatScenario, ThreatSource
    from risk.selectors import matrix_for
    from zones.models import Conduit, Site, Zone

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench utility")
    user = User.objects.create_user("bench-consultant", password="bench-password-0123")
    Membership.objects.create(user=user, organization=org, role=Role.CONSULTANT)
    matrix_for(org)
    sources = list(ThreatSource.objects.filter(organization=org))

    def site_with(n: int, name: str) -> RiskAssessment:
        site = Site.objects.create(organization=org, name=name)
        made = Zone.objects.bulk_create(
            Zone(site=site, name=f"Zone {i:03}", sl_target=SLVector.uniform(2)) for i in range(n)
        )
        for a, b in itertools.pairwise(made):
            conduit = Conduit.objects.create(site=site, name=f"{a.name}-{b.name}", sl_target=SLVector.uniform(2))
            conduit.zones.set([a, b])
        ra = RiskAssessment.objects.create(site=site, title=f"Risk {name}", created_by=user)
        rows = []
        for zi, zone in enumerate(made):
            for s in range(scenarios):
                frs = [fr for k, fr in enumerate(rules.FR_CODES) if (s + k + zi) % 3 != 0]
                consequence = {c: (s * 7 + k * 3 + zi) % 6 for k, c in enumerate(rules.CONSEQUENCE_CATEGORIES)}
                rows.append(
                    ThreatScenario(
                        risk_assessment=ra,
                        zone=zone,
                        title=f"Scenario {s}",
                        threat_source=sources[(s + zi) % len(sources)],
                        frs=frs,
                        likelihood=1 + (s + zi) % 5,
                        consequence=consequence,
                    )
                )
        ThreatScenario.objects.bulk_create(rows, batch_size=1000)
        return ra

    return user, site_with(zones, "Big works"), site_with(2, "Small works")


def measure(user: Any, ra: Any, requests: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    url = f"/api/v1/risk-assessments/{ra.pk}/sl-targets/"
    warm = client.get(url)
    assert warm.status_code == 200, (warm.status_code, warm.headers.get("Location"))  # warm-up
    times, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return times, cpu, len(captured)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zones", type=int, default=50)
    parser.add_argument("--scenarios", type=int, default=20, help="threat scenarios per zone (default 20)")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    _common.recreate_database(DB_NAME)
    try:
        with tempfile.TemporaryDirectory(prefix="risk-bench-") as data_dir:
            setup_django(Path(data_dir))
            user, big, small = build(args.zones, args.scenarios)
            info = _common.machine()
            times, cpu, big_queries = measure(user, big, args.requests)
            _, _, small_queries = measure(user, small, 3)
            from django.db import connections

            connections.close_all()
    finally:
        _common.drop_database(DB_NAME)
    median, p95 = percentile(times, 50), percentile(times, 95)
    print(f"code: {info['code']}\ndate: {info['date']}\n{info['load']}\ncpus: {info['cpus']}, ram {info['ram']}")
    print(f"python {info['python']}, django {info['django']}, postgresql {info['postgresql']}")
    print(
        f"sl-targets, {args.zones} zones x {args.scenarios} scenarios ({args.zones * args.scenarios}), "
        f"{args.requests} requests: median {median:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms"
    )
    print(
        f"of which this process's CPU (the rest: PostgreSQL and waiting for a CPU): median {percentile(cpu, 50):.1f} ms"
    )
    print(f"queries per request: {big_queries} ({args.zones} zones), {small_queries} (2 zones)")
    verdict = "met" if p95 < FLOOR_MS and big_queries == small_queries else "NOT met"
    print(f"floor (p95 < {FLOOR_MS:.0f} ms, queries flat): {verdict}")


if __name__ == "__main__":
    main()
