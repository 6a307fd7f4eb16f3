"""The evidence bundle: one ZIP an auditor can verify offline, with the gap-assessment report, the
results, findings, actions, the change history, every evidence file as uploaded, a manifest and
SHA-256 sums. docs/evidence-bundle.md describes the layout and how to verify it.

Everything streams: evidence files are copied in chunks into the archive and hashed on the way, so
memory does not grow with their size. The number of queries does not grow with the number of results.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from django.db import models
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment, Evidence, Result
from assessments.selectors import assessment_evidence
from compliance import sl
from core.csvio import SafeWriter, csv_to_binary
from remediation.models import Action, Finding
from reports.exports import LIST_SEPARATOR, load_results, person, result_rows, write_results_csv
from reports.history_export import history_changes, result_label, write_history_csv

FORMAT = "zonewise-evidence-bundle"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024
ZIP64_THRESHOLD = 1 << 30  # entries that may pass 2 GiB get ZIP64 headers up front (streamed, size unknown)


@dataclass(frozen=True)
class ManifestEntry:
    """One file in the bundle: its path inside the ZIP, its size in bytes and its SHA-256 (hex)."""

    path: str
    size: int
    sha256: str


@dataclass
class BundleInfo:
    """What was written: every file in the ZIP in write order (SHA256SUMS and manifest.json last),
    their total uncompressed size, the SHA-256 of manifest.json (keep it with the job: it anchors
    the verification), and the ZIP paths of evidence files that were missing from storage."""

    files: list[ManifestEntry]
    total_size: int
    manifest_sha256: str
    missing: list[str] = field(default_factory=list)


# --- file names -------------------------------------------------------------------------------------
_WINDOWS_UNSAFE = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
MAX_NAME = 180


def safe_filename(name: str, default: str = "evidence") -> str:
    """A file name that is safe as the last part of a ZIP path on any system: no directories (so no
    traversal and no absolute path), no control characters, nothing Windows refuses, not hidden,
    at most MAX_NAME characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _WINDOWS_UNSAFE.sub("_", name).strip().lstrip(".").rstrip(". ")
    if not name:
        return default
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        extension = extension if dot and len(extension) <= 10 else ""
        name = (stem if extension else name)[: MAX_NAME - len(extension) - 1].rstrip(". ")
        name = f"{name}.{extension}" if extension else name
    return name


def check_zip_path(path: str) -> str:
    """Refuse a ZIP path that could land outside the folder it is extracted to."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or any(part in ("", ".", "..") for part in parts)
        or any(unicodedata.category(ch)[0] == "C" for ch in path)
        or re.match(r"^[A-Za-z]:", path)
    ):
        raise ValueError(f"unsafe path in bundle: {path!r}")
    return path


# --- the archive ------------------------------------------------------------------------------------
class _HashingWriter(io.RawIOBase):
    """Passes bytes on to an archive member while counting and hashing them."""

    def __init__(self, target: Any) -> None:
        super().__init__()
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._target.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)
        return len(chunk)


class _Archive:
    """A ZIP being written, remembering path, size and SHA-256 of every member."""

    def __init__(self, out: BinaryIO, when: datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.when = when
        self.entries: list[ManifestEntry] = []

    @contextmanager
    def member(self, path: str, *, size_hint: int = 0, when: datetime | None = None) -> Iterator[BinaryIO]:
        check_zip_path(path)
        if any(entry.path == path for entry in self.entries):
            raise ValueError(f"duplicate path in bundle: {path}")
        stamp = (when or self.when).astimezone(UTC)
        info = zipfile.ZipInfo(
            path, date_time=(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        )
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # a readable file once extracted
        info.file_size = size_hint
        with self.zip.open(info, "w", force_zip64=size_hint > ZIP64_THRESHOLD) as raw:
            writer = _HashingWriter(raw)
            yield cast(BinaryIO, writer)
        self.entries.append(ManifestEntry(path, writer.size, writer.digest.hexdigest()))

    def add_bytes(self, path: str, data: bytes) -> ManifestEntry:
        with self.member(path, size_hint=len(data)) as writer:
            writer.write(data)
        return self.entries[-1]

    @contextmanager
    def csv(self, path: str) -> Iterator[SafeWriter]:
        with self.member(path) as writer, csv_to_binary(writer) as csv_writer:
            yield csv_writer

    def close(self, comment: str) -> None:
        self.zip.comment = comment.encode()
        self.zip.close()


# --- findings and actions (from the remediation register) ------------------------------------------
# fmt: off
FINDING_COLUMNS: tuple[str, ...] = (
    "finding_id", "title", "severity", "severity_rationale", "status", "source", "reference", "target_kind",
    "target", "requirement", "fr", "identified", "resolved_at", "results", "result_statuses", "description",
)
# fmt: on
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _finding_rows(assessment: Assessment, labels: dict[Any, str]) -> list[list[Any]]:
    """The assessment's findings: made from it, or (an earlier finding that gained its results)
    linked to its results. Most severe first."""
    queryset = (
        Finding.objects.filter(models.Q(assessment=assessment) | models.Q(results__assessment=assessment))
        .distinct()
        .select_related("zone", "conduit", "requirement")
        .prefetch_related(models.Prefetch("results", queryset=Result.objects.only("id", "status")))
    )
    findings = sorted(queryset, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), str(f), str(f.pk)))
    rows = []
    for finding in findings:
        zone, conduit, requirement = finding.zone, finding.conduit, finding.requirement
        target = zone or conduit
        linked = sorted(finding.results.all(), key=lambda r: labels.get(r.pk, ""))
        rows.append(
            [
                finding.pk,
                finding.title,
                finding.severity,
                finding.severity_rationale,
                finding.status,
                finding.source,
                finding.reference,
                "zone" if zone else "conduit" if conduit else "",
                target.name if target else "",
                requirement.ref if requirement else "",
                requirement.fr_id if requirement else "",
                finding.identified,
                finding.resolved_at,
                LIST_SEPARATOR.join(labels.get(r.pk, f"result {r.pk} (another assessment)") for r in linked),
                LIST_SEPARATOR.join(r.status for r in linked),
                finding.description,
            ]
        )
    return rows


def _results_as_findings(results: Sequence[Result]) -> list[list[Any]]:
    """When the register has no finding for the assessment: every in-scope result assessed as not (or
    partially) met, one finding each (not-assessed results are open work, not findings; the register's
    generator agrees). The gap-assessment PDF falls back the same way."""
    rows = []
    for result in results:
        if not result.in_scope or result.status == sl.NOT_ASSESSED or sl.is_satisfied(result.status):
            continue
        requirement = result.requirement
        rows.append(
            [
                "",
                f"{requirement.ref} {requirement.title}",
                "",  # severity is the remediation app's rule; not guessed here
                "",
                "open",
                "assessment",
                "",
                "zone" if result.zone_id else "conduit",
                result.target.name,
                requirement.ref,
                requirement.fr_id,
                result.updated_at.date(),
                None,
                result_label(result),
                result.status,
                result.observations,
            ]
        )
    return rows


def _write_findings(archive: _Archive, assessment: Assessment, results: Sequence[Result]) -> tuple[str, list[Any]]:
    """findings.csv; returns where the findings came from and their rows' ids (empty ids for
    results standing in for findings)."""
    rows, source = _finding_rows(assessment, {r.pk: result_label(r) for r in results}), "remediation findings"
    if not rows:  # an empty register must not read as "no findings" to an auditor
        rows, source = _results_as_findings(results), "in-scope results not met or partially met"
    with archive.csv("findings.csv") as writer:
        writer.writerow(FINDING_COLUMNS)
        writer.writerows(rows)
    return source, [row[0] for row in rows]


def _shown(value: Any) -> Any:
    return person(value) if isinstance(value, User) else str(value) if isinstance(value, models.Model) else value


def _write_actions(archive: _Archive, finding_ids: list[Any]) -> int:
    """actions.csv: the actions addressing the findings, with every field of the Action model in
    model order (a new field appears without a change here). Returns the row count."""
    scalars = [f for f in Action._meta.concrete_fields if not f.primary_key]
    many = list(Action._meta.many_to_many)
    actions = list(
        Action.objects.filter(findings__in=[i for i in finding_ids if i])
        .distinct()
        .select_related(*(f.name for f in scalars if f.is_relation))
        .prefetch_related(*(m.name for m in many))
    )
    with archive.csv("actions.csv") as writer:
        writer.writerow(["action_id", *(f.name for f in scalars), *(m.name for m in many)])
        for action in actions:
            values = [_shown(getattr(action, f.name)) for f in scalars]
            for m in many:
                related = getattr(action, m.name).all()
                shown = (str(r.pk) if m.name == "findings" else str(_shown(r)) for r in related)
                values.append(LIST_SEPARATOR.join(shown))
            writer.writerow([action.pk, *values])
    return len(actions)


# --- evidence ---------------------------------------------------------------------------------------
EVIDENCE_INDEX_COLUMNS = (
    "evidence_id", "kind", "path", "filename", "reference", "description", "content_type", "size", "sha256",
    "file_status", "expires", "added_by", "added_at", "results",
)  # fmt: skip
REFERENCE_COLUMNS = ("evidence_id", "reference", "description", "expires", "added_by", "added_at", "results")


def evidence_path(evidence: Evidence) -> str:
    return f"evidence/{evidence.pk}/{safe_filename(evidence.filename)}"


def _copy_evidence(archive: _Archive, evidence: Evidence, path: str) -> ManifestEntry | None:
    """Stream one uploaded file into the archive; None if storage no longer has it."""
    try:
        handle = evidence.file.storage.open(str(evidence.file.name), "rb")
    except FileNotFoundError:
        return None
    with handle, archive.member(path, size_hint=evidence.size or 0, when=evidence.added_at) as sink:
        for chunk in handle.chunks(CHUNK):
            sink.write(chunk)
    return archive.entries[-1]


def _write_evidence(
    archive: _Archive, evidence: list[Evidence], labels: dict[Any, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The evidence files, evidence/references.csv and evidence/index.csv. Returns the manifest
    entries of the evidence files (missing ones included) and the paths of the missing ones."""
    entries: list[dict[str, Any]] = []
    missing: list[str] = []
    status: dict[Any, str] = {}
    for item in evidence:
        if not item.is_file:
            continue
        path = evidence_path(item)
        copied = _copy_evidence(archive, item, path)
        extra = {"evidence_id": str(item.pk), "recorded_size": item.size, "recorded_sha256": item.sha256}
        if copied is None:
            missing.append(path)
            status[item.pk] = "missing"
            entries.append({"path": path, "missing": True, **extra})
            continue
        matches = copied.sha256 == item.sha256
        status[item.pk] = "included" if matches else "included, changed since upload"
        entries.append({"path": path, "size": copied.size, "sha256": copied.sha256, **extra, "matches_upload": matches})

    def linked(item: Evidence) -> str:
        return LIST_SEPARATOR.join(sorted(labels.get(r.pk, str(r.pk)) for r in item.results.all()))

    with archive.csv("evidence/references.csv") as writer:
        writer.writerow(REFERENCE_COLUMNS)
        for item in evidence:
            if not item.is_file:
                row = [item.pk, item.reference, item.description, item.expires, person(item.added_by), item.added_at]
                writer.writerow([*row, linked(item)])
    with archive.csv("evidence/index.csv") as writer:
        writer.writerow(EVIDENCE_INDEX_COLUMNS)
        for item in evidence:
            writer.writerow(
                [
                    item.pk,
                    "file" if item.is_file else "reference",
                    evidence_path(item) if item.is_file else "evidence/references.csv",
                    item.filename,
                    item.reference,
                    item.description,
                    item.content_type,
                    item.size,
                    item.sha256,
                    status.get(item.pk, ""),
                    item.expires,
                    person(item.added_by),
                    item.added_at,
                    linked(item),
                ]
            )
    return entries, missing


# --- manifest, sums, README -------------------------------------------------------------------------
README = """\
Evidence bundle: {title}
Organization: {organization}
Site: {site}
Assessment status: {status}{signed_off}
Catalogue: {catalogue}
Generated by Zonewise on {generated_at} (UTC)

CONTENTS
  gap-assessment.pdf      the gap assessment report
  results.csv             every result (in scope and out of scope), one row each
  findings.csv            the findings of the assessment ({findings_source})
  actions.csv             the remediation actions addressing those findings
  history.csv             every recorded change of the assessment, its results and its evidence:
                          when, who, what, which field, from, to (times in UTC)
  evidence/<id>/<name>    each uploaded evidence file, byte for byte as uploaded
  evidence/references.csv evidence held elsewhere (document references, no file)
  evidence/index.csv      all evidence: recorded size and SHA-256, what it supports, file status
  SHA256SUMS              the SHA-256 of every file above, for sha256sum -c
  manifest.json           the assessment, the catalogue, and every file above (SHA256SUMS included)
                          with its size and SHA-256

The CSV files are UTF-8 with a byte-order mark. Text that a spreadsheet would take for a formula
(starting with = + - @, a tab or a carriage return) begins with an apostrophe. Evidence files are
exactly as uploaded (that is what their hashes prove): open them with the care due to any document
received from outside.

HOW TO VERIFY (from the folder the bundle was extracted to)
1. manifest.json is the one Zonewise issued: its SHA-256 equals the manifest SHA-256 Zonewise shows
   for this bundle (the ZIP comment repeats it: unzip -z <bundle>.zip; only Zonewise's record is proof).
     sha256sum manifest.json
2. SHA256SUMS is the one the manifest lists: its SHA-256 equals the "sha256" of the "SHA256SUMS"
   entry in manifest.json.
     sha256sum SHA256SUMS
3. Every file matches the sums; every line must say OK.
     sha256sum -c SHA256SUMS                 (Linux; macOS: shasum -a 256 -c SHA256SUMS;
                                              Windows PowerShell: Get-FileHash -Algorithm SHA256 <file>)
   Steps 1 to 3 together check every byte of the bundle against Zonewise's record.
4. For evidence files, manifest.json also gives the SHA-256 recorded when the file was uploaded
   ("recorded_sha256"); "matches_upload": false means the stored file changed after upload.
{missing_note}"""

MISSING_NOTE = """
MISSING EVIDENCE FILES
These evidence files were recorded but are no longer in storage; the bundle lists them in manifest.json
("missing": true) with the size and SHA-256 recorded at upload, and leaves them out of SHA256SUMS:
{paths}
"""


def _readme(assessment: Assessment, generated_at: datetime, findings_source: str, missing: list[str]) -> bytes:
    signed = assessment.signed_off_at
    text = README.format(
        title=assessment.title,
        organization=assessment.site.organization.name,
        site=assessment.site.name,
        status=assessment.get_status_display(),
        signed_off=f", signed off {signed.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if signed else "",
        catalogue=f"{assessment.catalogue.edition} (data {assessment.catalogue.version})",
        generated_at=f"{generated_at:%Y-%m-%d %H:%M:%S}",
        findings_source=findings_source,
        missing_note=MISSING_NOTE.format(paths="\n".join(f"  {p}" for p in missing)) if missing else "",
    )
    return text.replace("\n", "\r\n").encode()  # readable in Notepad as well


def _manifest(
    assessment: Assessment,
    generated_at: datetime,
    files: list[dict[str, Any]],
    counts: dict[str, Any],
    findings_source: str,
) -> bytes:
    site, catalogue = assessment.site, assessment.catalogue
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": generated_at.isoformat(),
        "generator": "Zonewise",
        "assessment": {
            "id": str(assessment.pk),
            "title": assessment.title,
            "status": assessment.status,
            "signed_off_at": assessment.signed_off_at.isoformat() if assessment.signed_off_at else None,
            "signed_off_by": person(assessment.signed_off_by) or None,
            "version": assessment.version,
        },
        "site": {"id": str(site.pk), "name": site.name},
        "organization": {"id": str(site.organization.pk), "name": site.organization.name},
        "catalogue": {
            "part": catalogue.part,
            "edition": catalogue.edition,
            "version": catalogue.version,
            "sha256": catalogue.sha256,
        },
        "findings_source": findings_source,
        "counts": counts,
        "files": files,
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _sums(entries: Iterable[ManifestEntry]) -> bytes:
    # GNU coreutils format: hash, two spaces (text mode), path; what `sha256sum -c` reads.
    return "".join(f"{e.sha256}  {e.path}\n" for e in entries).encode()


# --- the bundle -------------------------------------------------------------------------------------
def evidence_bundle(assessment: Assessment, out: BinaryIO, *, gap_pdf: bytes) -> BundleInfo:
    """Write the evidence bundle of `assessment` to `out` as a ZIP (layout in docs/evidence-bundle.md)
    and return what it holds. `gap_pdf` is the rendered gap-assessment report. An evidence file
    missing from storage does not fail the bundle: the manifest lists it as missing."""
    generated_at = timezone.now().astimezone(UTC).replace(microsecond=0)
    assessment = Assessment.objects.select_related("site__organization", "catalogue", "signed_off_by").get(
        pk=assessment.pk
    )
    results = load_results(assessment)
    labels = {r.pk: result_label(r) for r in results}
    evidence = list(
        assessment_evidence(assessment)
        .select_related("added_by")
        .prefetch_related(models.Prefetch("results", queryset=Result.objects.only("id")))
        .order_by("added_at", "pk")
    )

    archive = _Archive(out, generated_at)
    try:
        archive.add_bytes("gap-assessment.pdf", gap_pdf)
        with archive.member("results.csv") as writer:
            write_results_csv(result_rows(assessment, results), writer)
        findings_source, finding_ids = _write_findings(archive, assessment, results)
        action_count = _write_actions(archive, finding_ids)
        changes = history_changes(assessment, results, evidence)
        with archive.member("history.csv") as writer:
            write_history_csv(changes, writer, result_labels={str(pk): label for pk, label in labels.items()})
        evidence_entries, missing = _write_evidence(archive, evidence, labels)
        archive.add_bytes("README.txt", _readme(assessment, generated_at, findings_source, missing))
        # The sums before the manifest, so that the manifest (whose hash Zonewise keeps) vouches for them.
        sums = archive.add_bytes("SHA256SUMS", _sums(archive.entries))

        evidence_paths = {e["path"] for e in evidence_entries}
        files = [
            *(
                {"path": e.path, "size": e.size, "sha256": e.sha256}
                for e in archive.entries
                if e.path not in evidence_paths
            ),
            *evidence_entries,
        ]
        files.sort(key=lambda f: f["path"])
        counts = {
            "results": len(results),
            "results_in_scope": sum(1 for r in results if r.in_scope),
            "findings": len(finding_ids),
            "actions": action_count,
            "history_changes": len(changes),
            "evidence_files": sum(1 for e in evidence if e.is_file),
            "evidence_references": sum(1 for e in evidence if not e.is_file),
            "evidence_missing": len(missing),
        }
        manifest = archive.add_bytes(
            "manifest.json", _manifest(assessment, generated_at, files, counts, findings_source)
        )
    except BaseException:
        archive.zip.close()
        raise
    archive.close(
        f"{FORMAT} {FORMAT_VERSION}; manifest.json SHA-256 {manifest.sha256}; SHA256SUMS SHA-256 {sums.sha256}"
    )
    return BundleInfo(
        files=list(archive.entries),
        total_size=sum(e.size for e in archive.entries),
        manifest_sha256=manifest.sha256,
        missing=missing,
    )
