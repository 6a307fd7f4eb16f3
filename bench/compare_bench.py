"""Benchmark of comparing two assessments (issue 18: under 300 ms with a flat query count, decision 0027).

    .venv/bin/python bench/compare_bench.py                # 60 rounds after 5 warm-up requests, about 1 minute
    .venv/bin/python bench/compare_bench.py --rounds 20    # a quick look

It builds, with bench/assessment_bench.py's builder, a plant of 20 zones at SL-T 3 (1,820 results per
assessment) and a 1-zone plant, gives each a second assessment a year later, scatters realistic statuses
over last year's results (report_bench's mix), changes about 15 % of them this year, and generates the
findings of both years through the remediation service (so this year's run links and resolves last
year's findings the way it does for people). Then, in process (DRF's test client, no network, the time
the server spends): GET /api/v1/assessments/{this year}/compare/?with={last year} and the compare page,
median and p95, and the query count of both plants (it must not grow with the results).

The database is PostgreSQL (`zonewise_compare_bench`, dropped and recreated each run). Benchmarks, not
timed tests: the figures depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import ROOT, database_url
from bench.assessment_bench import percentile
from bench.report_bench import STATUS_MIX

DB_NAME = "zonewise_compare_bench"
FLOOR_MS = 300.0
CHANGED_SHARE = 0.15


def bench_env(data_dir: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off) over PostgreSQL, without Redis (nothing here is live)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(DB_NAME),
        "REDIS_URL": "",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ZONEWISE_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
    }


def scatter(assessment: Any, rng: random.Random, previous: dict[tuple[Any, Any], str] | None = None) -> None:
    """Statuses for every result: report_bench's mix, or with `previous` (last year's statuses by target and
    requirement), last year's status with CHANGED_SHARE of them moved to another. Bulk updates: the
    history of edits does not matter to a comparison."""
    from django.db import transaction

    from assessments.models import Result

    statuses = [s for s, _ in STATUS_MIX]
    weights = [w for _, w in STATUS_MIX]
    chosen: dict[str, list[Any]] = {}
    rows = Result.objects.filter(assessment=assessment).order_by("pk")
    for pk, zone_id, conduit_id, ref in rows.values_list("pk", "zone_id", "conduit_id", "requirement__ref"):
        status = rng.choices(statuses, weights)[0]
        if previous is not None:
            status = previous.get((zone_id or conduit_id, ref), status)
            if rng.random() < CHANGED_SHARE:
                status = rng.choice([s for s in statuses if s != status])
        chosen.setdefault(status, []).append(pk)
    extra = {
        "compensated": {"countermeasure": "Application allow-listing and a jump host with MFA."},
        "not_applicable": {"justification": "No wireless or remote access exists in this zone."},
    }
    with transaction.atomic():
        for status, pks in chosen.items():
            Result.objects.filter(pk__in=pks).update(status=status, **extra.get(status, {}))


def statuses_of(assessment: Any) -> dict[tuple[Any, Any], str]:
    from assessments.models import Result

    rows = Result.objects.filter(assessment=assessment).values_list(
        "zone_id", "conduit_id", "requirement__ref", "status"
    )
    return {(zone_id or conduit_id, ref): status for zone_id, conduit_id, ref, status in rows}


def next_year(last: Any, by: Any, rng: random.Random) -> Any:
    """A second assessment of `last`'s site and scope, created a year later, with statuses moved on from
    last year's, and the findings of both years generated through the service."""
    from assessments import services
    from assessments.models import Assessment
    from remediation.services import findings_generate

    scatter(last, rng)
    Assessment.objects.filter(pk=last.pk).update(created=last.created - timedelta(days=365))
    new = services.assessment_create(site=last.site, title=f"{last.title}, next year", by=by)
    scatter(new, rng, statuses_of(last))
    findings_generate(assessment=last, by=by, allow_unreviewed=True)
    findings_generate(assessment=new, by=by, allow_unreviewed=True)
    return new


def timed(call: Callable[[], Any], rounds: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def queries(call: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    args = parser.parse_args(argv)
    command = shlex.join([".venv/bin/python", "bench/compare_bench.py", *argv])
    data_dir = Path(tempfile.mkdtemp(prefix="zonewise-compare-bench-"))
    os.environ.update(bench_env(data_dir))
    sys.path.insert(0, str(ROOT))
    _common.recreate_database(DB_NAME)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from rest_framework.test import APIClient

        from assessments.models import Result
        from bench.assessment_bench import build
        from remediation.models import Finding

        call_command("migrate", verbosity=0)
        call_command("load_catalogue", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)  # the page's static files, DEBUG off
        print(f"[0] building in {DB_NAME}")
        began = time.perf_counter()
        fx = build()
        rng = random.Random(62443)
        pairs = {
            "20 zones": (fx.big, next_year(fx.big, fx.consultant, rng)),
            "1 zone": (fx.small, next_year(fx.small, fx.consultant, rng)),
        }
        print(f"    built in {time.perf_counter() - began:.0f} s")
        api = APIClient()
        api.force_authenticate(fx.consultant)
        page = Client()
        page.force_login(fx.consultant)

        rows: list[tuple[str, str, list[float], int]] = []
        for label, (old, new) in pairs.items():
            url = f"/api/v1/assessments/{new.pk}/compare/?with={old.pk}"
            page_url = f"/assessments/{new.pk}/compare/?with={old.pk}"
            answer = api.get(url)
            assert answer.status_code == 200, (answer.status_code, answer.content[:300])
            counts = answer.json()["counts"]
            results = Result.objects.filter(assessment=new).count()
            findings = Finding.objects.filter(site=new.site).count()
            print(f"[1] {label}: {results} results per assessment, {findings} findings; {counts}")
            for what, call in (("API", partial(api.get, url)), ("page", partial(page.get, page_url))):
                assert call().status_code == 200, what
                rows.append((label, what, timed(call, args.rounds, args.warmup), queries(call)))

        info = _common.machine()
        print(f"\n## Compare two assessments ({info['date']})\n")
        print(f"Command: `{command}`  ")
        print(f"Machine: {info['cpus']}, {info['ram']}, PostgreSQL {info['postgresql']}; {info['load']}  ")
        print(f"Code: {info['code']}\n")
        print("| Pair | What | Median ms | p95 ms | Queries | Floor |")
        print("|---|---|---:|---:|---:|---|")
        for label, what, samples, count in rows:
            p95 = percentile(samples, 95)
            verdict = ("ok" if p95 < FLOOR_MS else "OVER") if label == "20 zones" and what == "API" else ""
            print(f"| {label} | {what} | {statistics.median(samples):.0f} | {p95:.0f} | {count} | {verdict} |")
        flat = {what: {c for label, w, _, c in rows if w == what} for what in ("API", "page")}
        print(
            "\nQuery count flat in results: "
            + ", ".join(f"{w} {'yes' if len(c) == 1 else 'NO'}" for w, c in flat.items())
        )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            _common.drop_database(DB_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
