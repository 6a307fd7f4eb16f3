"""Benchmark of the gap-assessment PDF of a large assessment: where the time goes, memory, and whether
rendering its sections on two workers in parallel pays off.

    .venv/bin/python bench/report_bench.py              # parts on real workers (decision 0039), ~10 minutes
    .venv/bin/python bench/report_bench.py --zones 200 --conduits 300   # the 200-zone site on two workers
    .venv/bin/python bench/report_bench.py --legacy     # the whole-document measurements of decision 0013
    .venv/bin/python bench/report_bench.py --legacy --runs 1 --no-worker   # a quick look

The parts measurements live in bench/report_parts_bench.py; what follows describes --legacy.

What it measures (bench/report_bench.md has the figures and the decision they support):

1. One worker: the report of a 20-zone assessment at SL-T 3 (1,820 results, realistic statuses and
   texts, evidence, assets, a history of edits) rendered in a worker-like process (Django set up, no
   web request), split into our share (reading the data, the template) and WeasyPrint's (layout,
   writing the PDF); the first render of a fresh process (cold) and the following ones (warm); peak RSS.
2. Two workers: the same HTML cut in two halves at a zone section, each half laid out and written by
   its own warm process at the same time, then merged with pypdf. This is the best case of a
   chord of two section renders (each half would also need its own data read, and page numbers,
   contents and bookmarks would have to be fixed across the halves): if it does not pay off, nothing will.
3. End to end: a report requested through the service and rendered by a real Celery worker
   (`celery -A config worker --pool=solo`, filesystem broker), from the request to the stored file.

The database is PostgreSQL (`zonewise_report_bench`, dropped and recreated each run). Benchmarks, not
timed tests: the figures depend on the machine and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project (and so `bench`) must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _common
from bench._common import ROOT, database_url

DB_NAME = "zonewise_report_bench"
DATABASE_URL = database_url(DB_NAME)
ZONES = 20
SL_T = "{3,3,3,3,3,3,3}"
FLOOR_SECONDS = 60.0
TITLE = "Bench 20 zones at SL-T 3"
# Share of results per status once the assessment is well under way, with the text each one carries.
STATUS_MIX = (
    ("met", 0.50),
    ("partially_met", 0.15),
    ("not_met", 0.10),
    ("compensated", 0.05),
    ("not_applicable", 0.05),
    ("not_assessed", 0.15),
)
OBSERVATIONS = (
    "Checked on the engineering workstation and two HMIs; configuration matches the site standard.",
    "Seen in the vendor's hardening guide and confirmed on site with the control engineer; no deviations "
    "found on the sampled devices, but the procedure is not written down anywhere the operators can find it.",
    "Interviewed the OT security manager. The control exists for the SCADA servers only; field devices rely "
    "on the network segmentation and physical access control of the plant.",
    "Logs are collected centrally for 90 days and reviewed weekly by the IT security team (ticket sample seen).",
)


# --- environment -------------------------------------------------------------------------------------
def bench_env(data_dir: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off) over PostgreSQL, with the embedded filesystem broker."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": "",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ZONEWISE_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine() -> dict[str, str]:
    """What `_common.machine` says, with WeasyPrint's version."""
    import pydyf
    import weasyprint

    return {**_common.machine(), "weasyprint": f"{weasyprint.__version__} (pydyf {pydyf.__version__})"}


# --- data --------------------------------------------------------------------------------------------
def build(seed: int = 62443) -> str:
    """An organization and its consultant, a plant of 20 zones at SL-T 3 with three assets each (some
    below target), one assessment of all of them with realistic findings recorded through the service
    (so the history is real), and evidence on a share of the results. Returns the assessment id."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Organization, User
    from assessments import services
    from assessments.models import Result
    from compliance.sl import SLVector
    from zones.choices import AssetRole, CapabilitySource, ComponentType, Criticality, ZoneKind
    from zones.models import Asset, Site, Zone
    from zones.services import site_save, zone_save

    rng = random.Random(seed)
    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    org = Organization.objects.create(name="Bench Water Utility")
    consultant = User.objects.create_user("bench-consultant", first_name="Casey", last_name="Consultant")
    owner = User.objects.create_user("bench-owner", first_name="Olivia", last_name="Owner")
    Membership.objects.create(user=consultant, organization=org, role=Role.CONSULTANT)
    Membership.objects.create(user=owner, organization=org, role=Role.ASSET_OWNER)
    site = site_save(site=Site(organization=org), fields={"name": "Bench Treatment Works", "location": "Bench"})
    kinds = [ZoneKind.ENTERPRISE, ZoneKind.DMZ, ZoneKind.SUPERVISORY, ZoneKind.CONTROL, ZoneKind.SAFETY]
    for n in range(1, ZONES + 1):
        zone = zone_save(
            zone=Zone(site=site),
            fields={
                "name": f"Zone {n:02d} {kinds[n % 5].label}",
                "sl_target": SLVector.parse(SL_T),
                "purdue_level": n % 5,
                "kind": kinds[n % 5],
                "criticality": rng.choice(list(Criticality)),
                "description": "Controllers, HMIs and the network equipment of one process area.",
            },
        )
        for a in range(3):
            below = a == 0 and n % 3 == 0
            Asset.objects.create(
                zone=zone,
                name=f"Z{n:02d}-{['PLC', 'HMI', 'SW'][a]}-{a + 1}",
                component_type=[ComponentType.EDR, ComponentType.HDR, ComponentType.NDR][a],
                role=[AssetRole.PLC, AssetRole.HMI, AssetRole.SWITCH][a],
                sl_capability=SLVector.parse("{2,2,3,3,2,3,3}" if below else "{3,3,3,3,3,3,3}"),
                sl_capability_source=CapabilitySource.VENDOR_CLAIM,
            )
    assessment = services.assessment_create(
        site=site, title=TITLE, by=consultant, lead=consultant, team=[consultant, owner]
    )
    statuses = [s for s, _ in STATUS_MIX]
    weights = [w for _, w in STATUS_MIX]
    results = list(Result.objects.filter(assessment=assessment).order_by("pk"))
    edited = []
    for result in results:
        status = rng.choices(statuses, weights)[0]
        if status == "not_assessed":
            continue
        fields: dict[str, Any] = {"status": status, "observations": rng.choice(OBSERVATIONS)}
        if status == "compensated":
            fields["countermeasure"] = "Application allow-listing and a jump host with MFA; reviewed monthly."
        if status == "not_applicable":
            fields["justification"] = "No wireless or remote access exists in this zone (walk-down on site)."
        edited.append(services.result_update(result=result, by=rng.choice([consultant, owner]), fields=fields))
    for n in range(40):
        services.evidence_add(
            assessment=assessment,
            by=consultant,
            file=SimpleUploadedFile(f"evidence-{n:02d}.pdf", f"%PDF-1.7 bench evidence {n}".encode()),
            results=rng.sample(edited, 5),
        )
    print(f"  built: {len(results)} results, {len(edited)} edited, 40 evidence files, {ZONES * 3} assets")
    return str(assessment.pk)


# --- work done in worker processes -------------------------------------------------------------------
def _init(env: dict[str, str]) -> None:
    setup_django(env)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render_once(assessment_id: str) -> dict[str, Any]:
    """One full render, as the worker's runner does it (minus storing the file)."""
    from assessments.models import Assessment
    from reports.pdf.gap_assessment import render_gap_assessment

    before = _maxrss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    pdf = render_gap_assessment(Assessment.objects.get(pk=assessment_id))
    total = time.perf_counter() - began
    return {"total": total, "cpu": time.process_time() - cpu, **pdf.timings, "pages": pdf.pages,
            "bytes": len(pdf.data), "rss_before": before, "rss_after": _maxrss_mb()}  # fmt: skip


def render_html(assessment_id: str) -> tuple[str, dict[str, float]]:
    from django.template.loader import render_to_string

    from assessments.models import Assessment
    from reports.pdf.gap_assessment import TEMPLATE, context
    from reports.pdf.gap_data import gap_report

    began = time.perf_counter()
    report = gap_report(Assessment.objects.get(pk=assessment_id))
    data = time.perf_counter() - began
    html = render_to_string(TEMPLATE, context(report))
    return html, {"data": data, "template": time.perf_counter() - began - data}


def split_html(html: str) -> tuple[str, str]:
    """Cut the document in two at the zone section nearest its middle; each half a complete document."""
    marker = '<section class="target">'
    starts = [i for i in range(len(html)) if html.startswith(marker, i)]
    cut = min(starts, key=lambda i: abs(i - len(html) // 2))
    body_open = html.index("<body")
    head_and_body_tag = html[: html.index(">", body_open) + 1]
    return html[:cut] + "</body></html>", head_and_body_tag + html[cut:]


def layout_part(html: str) -> dict[str, Any]:
    import logging

    from reports.pdf.render import html_to_pdf

    # Each half links to sections of the other: WeasyPrint would log every such link.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    before = _maxrss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    pdf = html_to_pdf(html)
    return {"seconds": time.perf_counter() - began, "cpu": time.process_time() - cpu, "pages": pdf.pages,
            "data": pdf.data, "rss_before": before, "rss_after": _maxrss_mb()}  # fmt: skip


def warm_up(_: int) -> float:
    """Import WeasyPrint and lay out a page, so a pooled process is like a worker that has run a task."""
    from reports.pdf.render import html_to_pdf

    html_to_pdf("<p>warm</p>")
    return _maxrss_mb()


# --- the measurements --------------------------------------------------------------------------------
def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def cold_render(env: dict[str, str], assessment_id: str) -> dict[str, Any]:
    """The first render of a fresh process: imports, fonts and caches included."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init, initargs=(env,)) as pool:
        result = pool.submit(render_once, assessment_id).result()
    result["load"] = _load()
    print(f"  one worker, cold: {result['total']:.1f} s ({result['cpu']:.1f} s CPU), {result['pages']} pages")
    return result


def split_render(pool: ProcessPoolExecutor, assessment_id: str) -> dict[str, Any]:
    """Both halves at once on the two pooled processes, then the pypdf merge."""
    from pypdf import PdfWriter

    began = time.perf_counter()
    html, ours = render_html(assessment_id)  # in a chord each part would read its own data: not counted twice
    parts = list(pool.map(layout_part, split_html(html)))
    merge_began = time.perf_counter()
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part["data"]))
    writer.write(io.BytesIO())
    merge = time.perf_counter() - merge_began
    return {"total": time.perf_counter() - began, "merge": merge, "parts": [p["seconds"] for p in parts],
            "cpus": [p["cpu"] for p in parts], "pages": sum(p["pages"] for p in parts), **ours,
            "rss_after": max(p["rss_after"] for p in parts)}  # fmt: skip


def warm_rounds(env: dict[str, str], assessment_id: str, runs: int, parallel: bool) -> tuple[list[Any], list[Any]]:
    """Alternate a whole render on one warm process with a split render on two, so that both meet the
    same background load (the figures of a shared machine move from one minute to the next)."""
    ctx = multiprocessing.get_context("spawn")
    one: list[dict[str, Any]] = []
    two: list[dict[str, Any]] = []
    with ProcessPoolExecutor(2, mp_context=ctx, initializer=_init, initargs=(env,)) as pool:
        list(pool.map(warm_up, range(2)))
        for _ in range(runs):
            load = _load()
            single = pool.submit(render_once, assessment_id).result()
            single["load"] = load
            one.append(single)
            steps = ", ".join(f"{k} {single[k]:.2f} s" for k in ("data", "template", "layout", "write"))
            print(
                f"  one worker, warm: {single['total']:.1f} s ({single['cpu']:.1f} s CPU), {single['pages']} pages, "
                f"{steps}, peak RSS {single['rss_after']:.0f} MB, load {load:.1f}"
            )
            if parallel:
                load = _load()
                split = split_render(pool, assessment_id)
                split["load"] = load
                two.append(split)
                print(f"  two workers: {split['total']:.1f} s (halves {split['parts'][0]:.1f} s and "
                      f"{split['parts'][1]:.1f} s wall, {split['cpus'][0]:.1f} s and {split['cpus'][1]:.1f} s CPU; "
                      f"merge {split['merge']:.2f} s), {split['pages']} pages, load {load:.1f}")  # fmt: skip
    return one, two


def through_celery(env: dict[str, str], data_dir: Path, assessment_id: str) -> dict[str, Any]:
    """Request the report with the service and wait for a real worker to store it."""
    from accounts.models import User
    from assessments.models import Assessment
    from reports import services
    from reports.models import ReportJob

    log = data_dir / "worker.log"
    command = [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo",
               "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
               "--without-heartbeat"]  # fmt: skip
    with log.open("wb") as handle:
        worker = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        time.sleep(6)  # let the worker start: a warm worker is what a user meets
        job = services.report_request(
            kind="gap_assessment",
            by=User.objects.get(username="bench-consultant"),
            assessment=Assessment.objects.get(pk=assessment_id),
        )
        began = time.perf_counter()
        while True:
            job.refresh_from_db()
            if job.is_done:
                break
            if worker.poll() is not None or time.perf_counter() - began > 600:
                raise RuntimeError(f"worker gone or too slow:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        total = time.perf_counter() - began
        job = ReportJob.objects.get(pk=job.pk)
        if job.status != "succeeded":
            raise RuntimeError(job.error)
        print(f"  through a Celery worker: {total:.1f} s from request to stored file, {job.pages} pages, "
              f"{(job.size or 0) / 1024:.0f} KiB")  # fmt: skip
        return {"total": total, "pages": job.pages, "size": job.size}
    finally:
        worker.terminate()
        worker.wait(timeout=30)


# --- report --------------------------------------------------------------------------------------------
def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def markdown(info: dict[str, str], cold: dict[str, Any], warm: list[dict[str, Any]], two: list[dict[str, Any]],
             celery: dict[str, Any] | None, results: int) -> str:  # fmt: skip
    one = [cold, *warm]
    w_total = _median([r["total"] for r in warm])
    ours = _median([r["data"] + r["template"] for r in warm])
    lines = [
        "# Gap-assessment PDF benchmark",
        "",
        f"`bench/report_bench.py`: {ZONES} zones at SL-T 3, {results} results, {cold['pages']} pages, "
        f"{cold['bytes'] / 1024:.0f} KiB. {info['date']}; {info['code']}.",
        "",
        f"Machine: {info['cpus']} CPUs, {info['ram']} RAM, {info['os']}; Python {info['python']}, Django "
        f"{info['django']}, WeasyPrint {info['weasyprint']}, PostgreSQL {info['postgresql']}; {info['load']}.",
        "",
        "| What | Seconds | Notes |",
        "|---|---:|---|",
        f"| One worker, warm (median of {len(warm)}) | {w_total:.1f} | {_median([r['cpu'] for r in warm]):.1f} s CPU; "
        f"the bar is {FLOOR_SECONDS:.0f} s |",
        f"| One worker, cold (first render of a fresh process) | {cold['total']:.1f} | {cold['cpu']:.1f} s CPU; "
        "imports, fonts |",
        f"| · reading the data (gap_data) | {_median([r['data'] for r in warm]):.2f} | fixed number of queries |",
        f"| · the template | {_median([r['template'] for r in warm]):.2f} | |",
        f"| · WeasyPrint layout | {_median([r['layout'] for r in warm]):.1f} | |",
        f"| · WeasyPrint writing the PDF | {_median([r['write'] for r in warm]):.1f} | |",
        f"| Our share (data + template) | {ours:.2f} | {100 * ours / w_total:.1f} % of the render |",
    ]
    if two:
        t_total = _median([r["total"] for r in two])
        half_cpu = _median([max(r["cpus"]) for r in two])
        lines.append(
            f"| Two workers, halves in parallel + pypdf merge (median of {len(two)}) | {t_total:.1f} | "
            f"{w_total / t_total:.2f} times the one-worker speed; slower half {half_cpu:.1f} s CPU; "
            f"merge {_median([r['merge'] for r in two]):.2f} s |"
        )
    if celery:
        lines.append(f"| Request → stored file through a real Celery worker | {celery['total']:.1f} | solo pool |")
    lines += [
        "",
        "Load average (1 min) before each measurement: "
        + ", ".join(f"{r['load']:.1f}" for r in [cold, *warm, *two])
        + " (2 CPUs; other work was running on the machine).",
        "",
        f"Peak RSS of a worker process: {max(r['rss_after'] for r in one):.0f} MB after the renders above "
        f"(ru_maxrss; {cold['rss_before']:.0f} MB before the first).",
        "",
    ]
    return "\n".join(lines)


def legacy_main(argv: Sequence[str] | None = None) -> None:
    """The measurements behind decision 0013 (one whole render; halves in a process pool)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="warm renders after the cold one (default 3)")
    parser.add_argument("--no-worker", action="store_true", help="skip the end-to-end run through Celery")
    parser.add_argument("--no-parallel", action="store_true", help="skip the two-worker measurement")
    parser.add_argument("--write", type=Path, help="write the markdown summary to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database a --keep run left")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="zonewise-report-bench-") as tmp:
        data_dir = Path(tmp)
        env = bench_env(data_dir)
        if not args.reuse:
            _common.recreate_database(DB_NAME)
        try:
            setup_django(env)
            from assessments.models import Assessment, Result

            if args.reuse:
                from django.core.management import call_command

                call_command("migrate", verbosity=0)  # the code may have moved on since --keep
                assessment_id = str(Assessment.objects.get(title=TITLE).pk)
            else:
                print("Building the assessment…")
                assessment_id = build()

            results = Result.objects.filter(assessment_id=assessment_id).count()
            info = machine()
            from django.db import connections

            connections.close_all()
            print("Renders…")
            cold = cold_render(env, assessment_id)
            warm, two = warm_rounds(env, assessment_id, args.runs, parallel=not args.no_parallel)
            celery = None if args.no_worker else (print("Celery…"), through_celery(env, data_dir, assessment_id))[1]
            summary = markdown(info, cold, warm, two, celery, results)
            print()
            print(summary)
            if args.write:
                args.write.write_text(summary)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                _common.drop_database(DB_NAME)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--legacy" in args:
        args.remove("--legacy")
        legacy_main(args)
        return
    from bench import report_parts_bench

    report_parts_bench.main(args)


if __name__ == "__main__":
    main()
