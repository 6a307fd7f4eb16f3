"""Benchmark of a 200-zone site: the workspace's first screen, the overview with its heat map, the summary API
and findings generation, against the floors of issue 19.

    .venv/bin/python bench/scale_bench.py                 # the full run, about 3 minutes
    .venv/bin/python bench/scale_bench.py --rounds 5 --findings-runs 1   # a quick look
    .venv/bin/python bench/scale_bench.py --profile workspace            # cProfile over one page

The site: 200 zones and 300 conduits, all at SL-T 3 on every FR (about 45,000 results), three assets per zone,
each conduit joining two zones; the assessment is created through the real service (assessments.services.
assessment_create, which bulk-inserts the results with their history in about ten seconds), then results get
realistic statuses and observations in a few bulk UPDATEs (going through result_update 45,000 times would take
longer than the rest of the run and measures nothing these floors are about). Two smaller sites (1 zone and 1
conduit, 20 zones and 30 conduits) built the same way show whether query counts grow with zones.

Pages are measured in process (django.test.Client, no network) on PostgreSQL database `zonewise_scale_bench`,
dropped and recreated for each run; DEBUG is off. Benchmarks, not timed tests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common, report_bench
from bench._common import ROOT, database_url
from bench.report_bench import OBSERVATIONS, SL_T, STATUS_MIX

if TYPE_CHECKING:
    from accounts.models import User
    from assessments.models import Assessment

DB_NAME = "zonewise_scale_bench"
SIZES = ((1, 1), (20, 30), (200, 300))  # (zones, conduits) of the three sites
FLOOR_PAGE_MS = 300.0
FLOOR_FINDINGS_S = 10.0


def bench_env(data_dir: Path) -> dict[str, str]:
    """report_bench's production-like settings (DEBUG off) on this bench's database, for the test client."""
    return {
        **report_bench.bench_env(data_dir),
        "DATABASE_URL": database_url(DB_NAME),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
    }


# --- data --------------------------------------------------------------------------------------------
def build_site(org: Any, consultant: User, zones: int, conduits: int, rng: random.Random) -> Assessment:
    """A site of `zones` zones and `conduits` conduits at SL-T 3 (bulk inserts with their history), and one
    assessment of all of it through the real service, with statuses and observations set in bulk."""
    from simple_history.utils import bulk_create_with_history

    from assessments import services
    from assessments.models import Result
    from compliance.sl import SLVector
    from zones.choices import AssetRole, ComponentType, Criticality, ZoneKind
    from zones.models import Asset, Conduit, Site, Zone

    target = SLVector.parse(SL_T)
    site = Site.objects.create(organization=org, name=f"Plant of {zones} zones", location="Bench")
    kinds = [ZoneKind.ENTERPRISE, ZoneKind.DMZ, ZoneKind.SUPERVISORY, ZoneKind.CONTROL, ZoneKind.SAFETY]
    zone_rows = [
        Zone(
            site=site,
            name=f"Zone {n:03d} {kinds[n % 5].label}",
            sl_target=target,
            purdue_level=n % 5,
            kind=kinds[n % 5],
            criticality=rng.choice(list(Criticality)),
            description="Controllers, HMIs and the network equipment of one process area.",
        )
        for n in range(1, zones + 1)
    ]
    bulk_create_with_history(zone_rows, Zone, batch_size=500)
    zone_rows = list(Zone.objects.filter(site=site).order_by("name"))
    assets = [
        Asset(
            zone=zone,
            name=f"{zone.name[:8]}-{['PLC', 'HMI', 'SW'][a]}-{a + 1}",
            component_type=[ComponentType.EDR, ComponentType.HDR, ComponentType.NDR][a],
            role=[AssetRole.PLC, AssetRole.HMI, AssetRole.SWITCH][a],
            sl_capability=target,
        )
        for zone in zone_rows
        for a in range(3)
    ]
    bulk_create_with_history(assets, Asset, batch_size=500)
    conduit_rows = [Conduit(site=site, name=f"Conduit {n:03d}", sl_target=target) for n in range(1, conduits + 1)]
    bulk_create_with_history(conduit_rows, Conduit, batch_size=500)
    conduit_rows = list(Conduit.objects.filter(site=site).order_by("name"))
    through = Conduit.zones.through
    links = []
    for n, conduit in enumerate(conduit_rows):
        ends = {zone_rows[n % zones].pk, zone_rows[(n * 7 + 1) % zones].pk}
        links += [through(conduit_id=conduit.pk, zone_id=z) for z in ends]
    through.objects.bulk_create(links)
    assessment = services.assessment_create(
        site=site, title=f"Bench {zones} zones", by=consultant, lead=consultant, team=[consultant]
    )
    ids = list(Result.objects.filter(assessment=assessment).order_by("pk").values_list("pk", flat=True))
    statuses, weights = [s for s, _ in STATUS_MIX], [w for _, w in STATUS_MIX]
    groups: dict[tuple[str, str], list[Any]] = {}
    for pk in ids:
        status = rng.choices(statuses, weights)[0]
        if status != "not_assessed":
            groups.setdefault((status, rng.choice(OBSERVATIONS)), []).append(pk)
    for (status, text), pks in groups.items():
        extra: dict[str, Any] = {}
        if status == "compensated":
            extra["countermeasure"] = "Application allow-listing and a jump host with MFA; reviewed monthly."
        if status == "not_applicable":
            extra["justification"] = "No wireless or remote access exists in this zone (walk-down on site)."
        Result.objects.filter(pk__in=pks).update(
            status=status, observations=text, updated_by=consultant, assignee=consultant, **extra
        )
    return assessment


def build() -> tuple[User, list[Assessment]]:
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Organization, User

    rng = random.Random(62443)
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest storage needs it
    org = Organization.objects.create(name="Bench Refinery")
    consultant = User.objects.create_user("bench-consultant", first_name="Casey", last_name="Consultant")
    Membership.objects.create(user=consultant, organization=org, role=Role.CONSULTANT)
    built = []
    for zones, conduits in SIZES:
        start = time.perf_counter()
        assessment = build_site(org, consultant, zones, conduits, rng)
        n = assessment.results.count()
        print(f"  built {zones} zones, {conduits} conduits: {n} results in {time.perf_counter() - start:.1f} s")
        built.append(assessment)
    return consultant, built


# --- measuring ---------------------------------------------------------------------------------------
def pages(assessment: Assessment) -> dict[str, str]:
    return {
        "workspace first screen": f"/assessments/{assessment.pk}/workspace/",
        "overview page": f"/assessments/{assessment.pk}/",
        "summary API": f"/api/v1/assessments/{assessment.pk}/summary/",
    }


def timed(call: Callable[[], Any], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call (CPU time says what the wall clock means on a busy
    machine: the Python share of the server time, PostgreSQL's being in its own process)."""
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.thread_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return times, cpu


def measure_pages(consultant: User, sites: Sequence[Assessment], rounds: int, out: list[str]) -> bool:
    """Server time on the biggest site, query counts on all three; True when every floor is met."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(consultant)
    ok = True
    for name in pages(sites[-1]):
        counts = []
        for assessment in sites:
            url = pages(assessment)[name]
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            counts.append(len(ctx.captured_queries))
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000  # the biggest site's, last
        url = pages(sites[-1])[name]
        times, cpu = timed(lambda url=url: client.get(url), rounds)  # type: ignore[misc]
        size = len(client.get(url).content) // 1024
        med, p95 = statistics.median(times), _common.p95(times)
        flat = len(set(counts)) == 1
        met = p95 < FLOOR_PAGE_MS and flat
        ok &= met
        by_size = ", ".join(f"{z} zones {c}" for (z, _), c in zip(SIZES, counts, strict=True))
        line = (
            f"| {name} (200 zones) | {med:.0f} | {p95:.0f} | {FLOOR_PAGE_MS:.0f} | {by_size} | {size} KiB, "
            f"CPU median {statistics.median(cpu):.0f} ms, SQL {sql_ms:.0f} ms | {'PASS' if met else 'FAIL'} |"
        )
        print(line)
        out.append(line)
    return ok


def measure_findings(consultant: User, assessment: Assessment, runs: int, out: list[str]) -> bool:
    """Findings generated from scratch `runs` times (the findings of a run are deleted before the next)."""
    from remediation.models import Finding
    from remediation.services import findings_generate

    times, created = [], 0
    for _ in range(runs):
        Finding.objects.filter(assessment=assessment).delete()
        start = time.perf_counter()
        report = findings_generate(assessment=assessment, by=consultant, allow_unreviewed=True)
        times.append(time.perf_counter() - start)
        created = len(report.created)
    start = time.perf_counter()
    again = findings_generate(assessment=assessment, by=consultant, allow_unreviewed=True)
    rerun = time.perf_counter() - start
    med = statistics.median(times)
    met = med < FLOOR_FINDINGS_S
    line = (
        f"| findings generation (200 zones, {created} findings) | {med:.2f} s | {max(times):.2f} s (max of {runs}) "
        f"| {FLOOR_FINDINGS_S:.0f} s | re-run {rerun:.2f} s, {again.unchanged} unchanged | | "
        f"{'PASS' if met else 'FAIL'} |"
    )
    print(line)
    out.append(line)
    return met


def profile(consultant: User, assessment: Assessment, what: str) -> None:
    """cProfile over one findings generation or three requests of a page: the project's own functions by
    cumulative time, then everything by own time."""
    import cProfile
    import pstats

    from django.test import Client

    from remediation.services import findings_generate

    client = Client()
    client.force_login(consultant)
    profiler = cProfile.Profile()
    if what == "findings":
        with profiler:
            findings_generate(assessment=assessment, by=consultant, allow_unreviewed=True)
    else:
        url = {"workspace": pages(assessment)["workspace first screen"], "overview": pages(assessment)["overview page"],
               "summary": pages(assessment)["summary API"]}[what]  # fmt: skip
        client.get(url)
        with profiler:
            for _ in range(3):
                client.get(url)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(rf"^{ROOT}/(?!\.venv)", 30)
    stats.sort_stats("tottime").print_stats(20)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument("--findings-runs", type=int, default=3, help="findings generations (default 3)")
    parser.add_argument("--profile", choices=["workspace", "overview", "summary", "findings"], default=None)
    args = parser.parse_args(argv)

    def run() -> int:
        consultant, sites = build()
        info = _common.machine()
        if args.profile:
            profile(consultant, sites[-1], args.profile)
            return 0
        out = [
            "| what | median ms | p95 ms | floor | queries (1 / 20 / 200 zones) | size, CPU, SQL | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        print("\n".join(out))
        ok = measure_pages(consultant, sites, args.rounds, out)
        ok &= measure_findings(consultant, sites[-1], args.findings_runs, out)
        print()
        for key, value in info.items():
            print(f"- {key}: {value}")
        print(f"- command: .venv/bin/python bench/scale_bench.py {' '.join(argv)}".rstrip())
        print("\nALL FLOORS MET" if ok else "\nSOME FLOORS NOT MET")
        return 0 if ok else 1

    with tempfile.TemporaryDirectory(prefix="scale-bench-") as data_dir:
        os.environ.update(bench_env(Path(data_dir)))
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        _common.recreate_database(DB_NAME)
        try:
            import django

            django.setup()
            return run()
        finally:
            from django.db import connections

            connections.close_all()
            _common.drop_database(DB_NAME)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
