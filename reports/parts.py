"""The gap report's parts on the workers (decision 0039): plan, render in a Celery group, assemble.

1. The job's run (reports.runner.report_run, claimed through its token) reads the data, renders every part's
   HTML, finds which parts are already stored under their key (ReportPart) and sends the missing ones to the
   workers in batches (`reports.tasks.render_report_parts`), each message carrying the job's token and
   attempt. If nothing is missing, or tasks run eagerly, it renders and assembles in-process instead.
2. A part task owns nothing but the job's row guard: it renders only while the job is still running under
   that token and attempt, beats the job's heartbeat, and stores its parts. Under select_for_update of the
   job it then counts the job's stored parts; the call that finds them all and the plan not yet assembling
   marks it so and enqueues `reports.tasks.assemble_report` (there is no result backend, hence no chord).
3. The assembler renders the front with real page numbers, merges, stamps and stores the job's file.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from celery import group
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment
from core.people import person_name
from reports.models import ReportJob, ReportPart
from reports.pdf.assemble import Piece, assemble, global_anchors
from reports.pdf.gap_data import gap_report
from reports.pdf.gap_parts import front_html, plan_parts, render_part
from reports.pdf.render import ProgressFn, RenderedPdf
from reports.runner import Output, _basename, _explain, _fail, _gap_options, _heartbeat, _owned, _progress_writer

logger = logging.getLogger(__name__)
FEW_PARTS = 8  # up to this many pending parts, one task each
BATCH_PAGES = 40  # about this many pages per part task: WeasyPrint's fixed cost per document is small (0039)
KEEP_UNUSED = timedelta(days=1)
_PLACEHOLDER = "[[zw-page:{}]]"  # in the front's HTML until the pages are known (no character HTML escapes)
_PLACEHOLDERS = re.compile(r"\[\[zw-page:([^\]]*)\]\]")
FRONT_GUESS = 3  # cover and two contents pages; the front is laid out again if it comes out longer or shorter


def prepare(assessment: Assessment, options: dict[str, Any]) -> tuple[list[ReportPart], dict[str, Any]]:
    """Read the report, render the parts' HTML and find or create their rows (in reading order), and the
    plan the assembler needs: the keys, the front's HTML with page placeholders, the contents' anchors."""
    report = gap_report(assessment, **options)
    specs, base = plan_parts(report)
    anchors = [e.anchor for e in report.outline.entries]
    front = front_html(base, report, {a: _PLACEHOLDER.format(a) for a in anchors})  # type: ignore[misc]
    keys = [spec.key for spec in specs]
    # The missing rows in one statement (a 200-zone report has over 600 parts); another job's run may create
    # the same ones at the same time, hence ignore_conflicts and the read after it.
    known = set(ReportPart.objects.filter(assessment=assessment, key__in=keys).values_list("key", flat=True))
    ReportPart.objects.bulk_create(
        [
            ReportPart(assessment=assessment, key=spec.key, kind=spec.kind, label=spec.label[:300], html=spec.html)
            for spec in specs
            if spec.key not in known
        ],
        ignore_conflicts=True,
        batch_size=200,
    )
    stored = {p.key: p for p in ReportPart.objects.filter(assessment=assessment, key__in=keys)}
    rows = [stored[spec.key] for spec in specs]
    # A pending row another run created without HTML (or with an older copy) gets this run's HTML.
    stale = []
    for row, spec in zip(rows, specs, strict=True):
        if not row.is_rendered and row.html != spec.html:
            row.html = spec.html
            stale.append(row)
    ReportPart.objects.bulk_update(stale, ["html"], batch_size=200)
    ReportPart.objects.filter(pk__in=[r.pk for r in rows]).update(used_at=timezone.now())
    plan = {"keys": [r.key for r in rows], "front": front, "metadata": _metadata(report)}
    return rows, plan


def _metadata(report: Any) -> dict[str, str]:
    """What the whole document's <meta> tags give WeasyPrint, for the merged PDF's information dictionary."""
    a = report.assessment
    people = [a.lead] if a.lead else []
    people += [m for m in report.team if m != a.lead]
    return {
        "/Title": f"{a.title} — IEC 62443-3-3 gap assessment report",
        "/Author": ", ".join(person_name(p) for p in people),
        "/Subject": f"IEC 62443-3-3 gap assessment of {a.site.name} for {a.site.organization.name}",
        "/Keywords": "IEC 62443-3-3, gap assessment, security levels, zones and conduits",
        "/Creator": "Zonewise",
    }


def render_stored(part: ReportPart) -> ReportPart:
    """Lay out a pending part and store its file, pages and meta (the HTML is dropped: no longer needed)."""
    if not part.html:  # another job's task stored it meanwhile
        part.refresh_from_db()
        if part.is_rendered:
            return part
        raise ValueError(f"Report part {part.pk} has neither a file nor its HTML.")
    rendered = render_part(part.html)
    part.file.save(f"{part.key}.pdf", ContentFile(rendered.pdf.data), save=False)
    part.pages, part.meta, part.html = rendered.pdf.pages, rendered.meta, ""
    part.save(update_fields=["file", "pages", "meta", "html"])
    return part


def batches(parts: Sequence[ReportPart]) -> list[list[int]]:
    """The pending parts as tasks, longest first (so the long ones start first and the workers finish
    together): one part a task while there are few (a re-render after a small change: its parts laid out side
    by side), else batches of about BATCH_PAGES pages (estimated from their HTML's length)."""
    ordered = sorted(parts, key=lambda part: len(part.html), reverse=True)
    if len(ordered) <= FEW_PARTS:
        return [[part.pk] for part in ordered]
    out: list[list[int]] = []
    current: list[int] = []
    size = 0.0
    for part in ordered:
        current.append(part.pk)
        size += len(part.html) / 6000  # about 6 kB of result-table HTML to a page (fitted on the bench)
        if size >= BATCH_PAGES:
            out.append(current)
            current, size = [], 0.0
    if current:
        out.append(current)
    return out


def assemble_parts(parts: Sequence[ReportPart], plan: dict[str, Any]) -> RenderedPdf:
    """The front with real page numbers, then every part, merged and stamped."""
    pieces = [Piece(p.file.open("rb").read(), p.meta) for p in parts]
    for part in parts:
        part.file.close()
    front_pages = FRONT_GUESS
    for _ in range(3):  # a front one page longer moves every number by one: lay it out again
        found = global_anchors(pieces)
        numbers = {name: found[name][0] + 1 + front_pages for name in found}
        html = _PLACEHOLDERS.sub(partial(_number, numbers), plan["front"])
        front = render_part(html, front=True)
        if front.pdf.pages == front_pages:
            break
        front_pages = front.pdf.pages
    data, pages = assemble([Piece(front.pdf.data, front.meta), *pieces], metadata=plan.get("metadata"))
    return RenderedPdf(data=data, pages=pages)


def _number(numbers: dict[str, int], match: re.Match[str]) -> str:
    return str(numbers.get(match.group(1), ""))


def render_gap_assessment_parts(
    assessment: Assessment, *, progress: ProgressFn | None = None, **options: Any
) -> RenderedPdf:
    """The gap report by parts, all in this process (the evidence bundle, eager mode): stored parts reused."""
    notify = progress or (lambda percent, stage: None)
    notify(2, "Reading the assessment")
    parts, plan = prepare(assessment, options)
    pending = [p for p in parts if not p.is_rendered]
    for n, part in enumerate(pending, start=1):
        notify(10 + 80 * n // max(len(pending), 1), f"Rendering parts: {len(parts) - len(pending) + n} of {len(parts)}")
        render_stored(part)
    notify(92, "Assembling")
    return assemble_parts(parts, plan)


# --- the job's side -----------------------------------------------------------------------------------
def _output(job: ReportJob, pdf: RenderedPdf, workdir: Path) -> Output:
    path = workdir / "report.pdf"
    path.write_bytes(pdf.data)
    return Output(path, _basename(job, "gap-assessment", "pdf"), "application/pdf", pages=pdf.pages)


def gap_start(job: ReportJob, attempt: int, progress: ProgressFn, workdir: Path) -> Output | None:
    """The job's run: plan the parts; render and assemble here when there is nothing to send out (or tasks
    run eagerly), else send the missing parts to the workers and return None (the assembler stores the file)."""
    assert job.assessment is not None
    progress(2, "Reading the assessment")
    options = _gap_options(job)
    parts, plan = prepare(job.assessment, options)
    pending = [p for p in parts if not p.is_rendered]
    done = len(parts) - len(pending)
    updated = _owned(job, attempt).update(
        parts_total=len(parts),
        parts_done=done,
        part_plan=plan,
        heartbeat_at=timezone.now(),
        progress=10 + 80 * done // max(len(parts), 1),  # parts reused count as done
        stage=f"Rendering parts: {done} of {len(parts)}",
    )
    if not updated:
        return None
    if not pending or settings.CELERY_TASK_ALWAYS_EAGER:
        for n, part in enumerate(pending, start=1):
            progress(10 + 80 * n // len(pending), f"Rendering parts: {done + n} of {len(parts)}")
            render_stored(part)
        progress(92, "Assembling")
        _owned(job, attempt).update(parts_done=len(parts))
        return _output(job, assemble_parts(parts, plan), workdir)
    from reports.tasks import render_report_parts

    token, job_id = str(job.run_token), str(job.pk)
    groups = batches(pending)
    transaction.on_commit(lambda: group(render_report_parts.s(job_id, token, attempt, ids) for ids in groups).delay())
    logger.info("Report job %s: %d of %d parts to render in %d tasks", job.pk, len(pending), len(parts), len(groups))
    return None


def _job(job_id: str, token: str, attempt: int) -> ReportJob | None:
    return (
        ReportJob.objects.filter(pk=job_id, status="running", run_token=token, attempts=attempt)
        .select_related("site", "assessment")
        .first()
    )


def parts_run(*, job_id: str, token: str, attempt: int, part_ids: list[int]) -> bool:
    """Render a batch of a job's parts (the body of reports.tasks.render_report_parts). Returns True when
    this call found every part stored and so must enqueue the assembly (it marks the plan so: only once)."""
    job = _job(job_id, token, attempt)
    if job is None:
        logger.info("Report job %s changed hands; parts %s not rendered", job_id, part_ids)
        return False
    heartbeat = _heartbeat(job, attempt)
    try:
        for part in ReportPart.objects.filter(pk__in=part_ids, assessment_id=str(job.assessment_id)).order_by("pk"):
            if part.is_rendered:
                continue
            if not _owned(job, attempt).update(heartbeat_at=timezone.now()):
                return False  # a stale run writes nothing
            render_stored(part)
        return _count(job, attempt)
    except Exception as exc:
        logger.exception("Report job %s: parts %s failed", job_id, part_ids)
        _fail(job, attempt, _explain(exc))
        return False
    finally:
        if heartbeat is not None:
            heartbeat.stop()


def _count(job: ReportJob, attempt: int) -> bool:
    """Count the job's stored parts under its row lock; True for the one call that completes them."""
    with transaction.atomic():
        row = _owned(job, attempt).select_for_update().first()
        if row is None:
            return False
        keys = row.part_plan.get("keys", [])
        done = ReportPart.objects.filter(assessment_id=str(row.assessment_id), key__in=keys).exclude(file="").count()
        total = len(keys)
        last = done >= total and not row.part_plan.get("assembling")
        if last:
            row.part_plan = {**row.part_plan, "assembling": True}
        row.parts_done = done
        row.progress = max(row.progress, 10 + 80 * done // max(total, 1))
        row.stage = "Assembling" if last else f"Rendering parts: {done} of {total}"
        row.heartbeat_at = timezone.now()
        row.save(update_fields=["part_plan", "parts_done", "progress", "stage", "heartbeat_at"])
    return last


def assemble_run(*, job_id: str, token: str, attempt: int) -> None:
    """Assemble and store a job's report once all its parts are stored (reports.tasks.assemble_report)."""
    import tempfile

    from reports.runner import _store

    job = _job(job_id, token, attempt)
    if job is None:
        return
    progress = _progress_writer(job, attempt)
    heartbeat = _heartbeat(job, attempt)
    began = time.perf_counter()
    try:
        progress(92, "Assembling")
        keys = job.part_plan["keys"]
        found = {p.key: p for p in ReportPart.objects.filter(assessment_id=str(job.assessment_id), key__in=keys)}
        parts = [found[k] for k in keys]
        with tempfile.TemporaryDirectory(prefix="zonewise-report-") as workdir:
            output = _output(job, assemble_parts(parts, job.part_plan), Path(workdir))
            progress(99, "Saving the file")
            _store(job, attempt, output)
        logger.info("Report job %s assembled in %.1f s", job.pk, time.perf_counter() - began)
    except Exception as exc:
        logger.exception("Report job %s: assembly failed", job_id)
        _fail(job, attempt, _explain(exc))
    finally:
        if heartbeat is not None:
            heartbeat.stop()
    parts_prune()


def parts_prune() -> int:
    """Delete stored parts no longer needed: those not used by the latest gap report of their assessment,
    once they are a day old (KEEP_UNUSED). Returns how many were deleted."""
    stale = ReportPart.objects.filter(used_at__lt=timezone.now() - KEEP_UNUSED)
    count = 0
    for assessment_id in set(stale.values_list("assessment_id", flat=True)):
        plan = (
            ReportJob.objects.filter(kind="gap_assessment", assessment_id=assessment_id, parts_total__gt=0)
            .order_by("-created")
            .values_list("part_plan", flat=True)
            .first()
        )
        keep = plan.get("keys", []) if isinstance(plan, dict) else []
        for part in stale.filter(assessment_id=assessment_id).exclude(key__in=keep):
            if part.file:
                part.file.delete(save=False)
            part.delete()
            count += 1
    return count + _prune_footers()


def _prune_footers() -> int:
    """The page-number stamps (reports.pdf.assemble.page_footers) not written for a day: a new one costs about
    4 ms a page to lay out again."""
    from django.core.files.storage import default_storage

    folder = "reports/parts/footers"
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return 0
    old = [n for n in names if default_storage.get_modified_time(f"{folder}/{n}") < timezone.now() - KEEP_UNUSED]
    for name in old:
        default_storage.delete(f"{folder}/{name}")
    return len(old)
