"""Benchmark of a component assessment's page and summary (issue 16: an NDR at SL4, 92 items, opens in under
300 ms, with a query count that does not grow with the items).

    .venv/bin/python bench/component_bench.py                 # 30 requests each, about 20 s
    .venv/bin/python bench/component_bench.py --requests 100

What it measures: the server time of GET /component-assessments/{id}/ (the page with its whole workspace) and
of GET /api/v1/component-assessments/{id}/summary/ in process (django.test.Client, no network), median and p95
over the requests after one warm-up, and the query count of each for the 92-item NDR and a 10-item SAR.

The database is PostgreSQL (`zonewise_component_bench`, dropped and recreated each run), DEBUG off, like
bench/report_bench.py. Benchmarks, not timed tests: the figures depend on the machine and what else runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common

DB_NAME = "zonewise_component_bench"
FLOOR_MS = 300.0


def build() -> tuple[Any, Any, Any]:
    """An organization with a consultant, an NDR assessed at SL4 (92 items, about half of them assessed) and
    a SAR assessed at SL1 (the small case, for the query count)."""
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Organization, User
    from compliance.sl import SLVector
    from components.models import Product
    from components.services.assessments import component_assessment_create

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # the page's static files, DEBUG off
    org = Organization.objects.create(name="Bench integrator")
    user = User.objects.create_user("bench-consultant", password="bench-password-0123")
    Membership.objects.create(user=user, organization=org, role=Role.CONSULTANT)

    def assessed(component_type: str, level: int) -> Any:
        product = Product.objects.create(
            organization=org, vendor="Bench", name=component_type, component_type=component_type
        )
        assessment = component_assessment_create(
            product=product, title=f"{component_type} check", by=user, sl_target=SLVector.uniform(level)
        )
        for n, result in enumerate(assessment.results.all()):
            if n % 2 == 0:
                result.status = "met" if n % 4 == 0 else "not_met"
                result.observations = "Checked against the hardening guide."
                result.save()
        return assessment

    return user, assessed("NDR", 4), assessed("SAR", 1)


def measure(user: Any, url: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The production-like settings of bench/report_bench.py: a host it allows, over HTTPS.
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    assert client.get(url, secure=True).status_code == 200  # warm-up
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    return times, len(captured)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    lines: list[str] = []

    def run() -> int:
        user, big, small = build()
        info = _common.machine()
        lines.append(
            f"code: {info['code']}\ndate: {info['date']}\n{info['load']}\ncpus: {info['cpus']}, ram {info['ram']}"
        )
        verdict = True
        for name, path in (
            ("page", "/component-assessments/{}/"),
            ("summary", "/api/v1/component-assessments/{}/summary/"),
        ):
            times, queries = measure(user, path.format(big.pk), args.requests)
            _, small_queries = measure(user, path.format(small.pk), 2)
            median, p95 = statistics.median(times), _common.p95(times)
            lines.append(
                f"{name}, NDR at SL4 ({big.results.count()} items), {args.requests} requests: median "
                f"{median:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms; queries "
                f"{queries} (and {small_queries} for {small.results.count()} items)"
            )
            verdict = verdict and p95 < FLOOR_MS and queries == small_queries
        lines.append(f"floor (p95 < {FLOOR_MS:.0f} ms, queries flat): {'met' if verdict else 'NOT met'}")
        return 0

    _common.on_report_bench_database(DB_NAME, run)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
