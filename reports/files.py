"""The one way a report file leaves the server (callers have passed the permission door)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from config.downloads import attachment
from reports.models import ReportJob


class NotReady(Exception):
    """The job has no file to download (yet, or ever: it failed)."""

    def __init__(self, job: ReportJob) -> None:
        self.job = job
        super().__init__(f"This report is {job.get_status_display().lower()}; there is no file to download.")


def report_file_response(job: ReportJob) -> FileResponse:
    """The job's file as a download (config.downloads), or why there is none."""
    if not job.can_download:
        raise NotReady(job)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this report is missing from storage; request the report again.") from exc
    return attachment(
        handle, filename=job.filename or "report", content_type=job.content_type or None, sha256=job.sha256
    )
