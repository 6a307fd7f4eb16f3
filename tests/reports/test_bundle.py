"""The evidence bundle: a ZIP whose manifest and SHA256SUMS match every file, with the evidence as
uploaded, the change history, findings and actions; safe paths; a missing file listed, not fatal;
a constant number of queries."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.choices import AssessmentStatus
from assessments.models import Assessment, Evidence, Result
from remediation import services as remediation
from remediation.models import Finding
from reports import bundle
from reports.bundle import BundleInfo, check_zip_path, evidence_bundle, safe_filename
from tests.assessments.helpers import make_assessment, make_plant, uniform
from tests.conftest import Personas
from tests.reports.test_exports import PDF, RULES, World, build_world, media  # noqa: F401 - media is a fixture

GAP_PDF = b"%PDF-1.7 test"
TOP_LEVEL = {
    "gap-assessment.pdf", "results.csv", "findings.csv", "actions.csv", "history.csv", "README.txt",
    "manifest.json", "SHA256SUMS", "evidence/references.csv", "evidence/index.csv",
}  # fmt: skip


@pytest.fixture
def world(personas: Personas, media: Path) -> World:  # noqa: F811 - the fixture, by name
    return build_world(personas)


def make_bundle(assessment: Assessment) -> tuple[zipfile.ZipFile, BundleInfo]:
    out = io.BytesIO()
    info = evidence_bundle(assessment, out, gap_pdf=GAP_PDF)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    assert archive.testzip() is None
    return archive, info


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    data = archive.read(name)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- layout and integrity ---------------------------------------------------------------------------
def test_bundle_holds_the_report_the_exports_and_every_evidence_file(world: World) -> None:
    archive, _ = make_bundle(world.assessment)
    names = set(archive.namelist())
    evidence = {f"evidence/{world.pdf.pk}/firewall-audit.pdf", f"evidence/{world.rules.pk}/rules.txt"}
    assert names == TOP_LEVEL | evidence
    assert archive.read("gap-assessment.pdf") == GAP_PDF
    assert archive.read(f"evidence/{world.pdf.pk}/firewall-audit.pdf") == PDF
    assert archive.read(f"evidence/{world.rules.pk}/rules.txt") == RULES
    assert len(read_csv(archive, "results.csv")) == Result.objects.filter(assessment=world.assessment).count()


def test_every_manifest_entry_matches_its_file(world: World) -> None:
    archive, _ = make_bundle(world.assessment)
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert entry["size"] == len(data), path
        assert entry["sha256"] == sha256(data), path
    pdf = listed[f"evidence/{world.pdf.pk}/firewall-audit.pdf"]
    assert pdf["recorded_sha256"] == world.pdf.sha256 == sha256(PDF)
    assert pdf["matches_upload"] is True
    assert pdf["evidence_id"] == str(world.pdf.pk)


def test_sha256sums_cover_every_file_but_themselves_and_the_manifest(world: World) -> None:
    archive, _ = make_bundle(world.assessment)
    lines = archive.read("SHA256SUMS").decode().splitlines()
    sums: dict[str, str] = {}
    for line in lines:
        digest, path = line.split("  ", 1)
        sums[path] = digest
    assert set(sums) == set(archive.namelist()) - {"SHA256SUMS", "manifest.json"}
    for path, digest in sums.items():
        assert sha256(archive.read(path)) == digest, path


def test_the_manifest_vouches_for_the_sums_so_forged_sums_are_caught(world: World) -> None:
    archive, info = make_bundle(world.assessment)
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert sha256(archive.read("manifest.json")) == info.manifest_sha256  # step 1
    assert sha256(archive.read("SHA256SUMS")) == listed["SHA256SUMS"]  # step 2
    # Someone alters results.csv and rewrites SHA256SUMS to match: step 3 alone would pass,
    # step 2 does not.
    forged = archive.read("SHA256SUMS").decode().replace(listed["results.csv"], sha256(b"forged"))
    assert sha256(forged.encode()) != listed["SHA256SUMS"]


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU sha256sum")
def test_sha256sum_checks_the_extracted_bundle(world: World, tmp_path: Path) -> None:
    archive, _ = make_bundle(world.assessment)
    archive.extractall(tmp_path / "bundle")
    ok = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "bundle", capture_output=True, text=True)  # noqa: S607
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "bundle" / "results.csv").write_bytes(b"tampered")
    bad = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "bundle", capture_output=True, text=True)  # noqa: S607
    assert bad.returncode != 0 and "results.csv: FAILED" in bad.stdout


def test_bundle_info_describes_the_zip_and_anchors_the_manifest(world: World) -> None:
    archive, info = make_bundle(world.assessment)
    assert [entry.path for entry in info.files] == [i.filename for i in archive.infolist()]
    assert [e.path for e in info.files[-2:]] == ["SHA256SUMS", "manifest.json"]
    for entry in info.files:
        assert (entry.size, entry.sha256) == (archive.getinfo(entry.path).file_size, sha256(archive.read(entry.path)))
    assert info.total_size == sum(i.file_size for i in archive.infolist())
    assert info.manifest_sha256 == sha256(archive.read("manifest.json"))
    assert info.manifest_sha256 in archive.comment.decode()
    assert info.files[-2].sha256 in archive.comment.decode()
    assert info.missing == []


def test_manifest_describes_the_assessment_and_catalogue(world: World, personas: Personas) -> None:
    for step in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.IN_REVIEW, AssessmentStatus.FINAL):
        services.assessment_transition(assessment=world.assessment, to=step, by=personas.consultant, reason="test")
    world.assessment.refresh_from_db()
    archive, _ = make_bundle(world.assessment)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "zonewise-evidence-bundle"
    assert manifest["assessment"]["id"] == str(world.assessment.pk)
    assert manifest["assessment"]["title"] == "Gap assessment 2025"
    assert manifest["assessment"]["status"] == "final"
    assert manifest["assessment"]["signed_off_by"] == "Carla Consultant"
    assert datetime.fromisoformat(manifest["assessment"]["signed_off_at"]) == world.assessment.signed_off_at
    assert manifest["site"]["name"] == "Site A"
    assert manifest["organization"]["name"] == "Org A"
    catalogue = world.assessment.catalogue
    assert (manifest["catalogue"]["edition"], manifest["catalogue"]["version"]) == (
        catalogue.edition,
        catalogue.version,
    )
    assert datetime.fromisoformat(manifest["generated_at"]).tzinfo is not None
    assert manifest["counts"]["evidence_files"] == 2 and manifest["counts"]["evidence_references"] == 1
    readme = archive.read("README.txt").decode()
    assert "sha256sum -c SHA256SUMS" in readme and "signed off" in readme


# --- evidence ---------------------------------------------------------------------------------------
def test_reference_evidence_is_listed_in_references_csv(world: World) -> None:
    archive, _ = make_bundle(world.assessment)
    (row,) = read_csv(archive, "evidence/references.csv")
    assert row["evidence_id"] == str(world.reference.pk)
    assert row["reference"] == "DMS-4711 network drawing"
    assert row["results"] == "SR 1.1 · Zone 1"
    index = {r["evidence_id"]: r for r in read_csv(archive, "evidence/index.csv")}
    assert index[str(world.rules.pk)]["path"] == f"evidence/{world.rules.pk}/rules.txt"
    assert index[str(world.rules.pk)]["file_status"] == "included"
    assert index[str(world.rules.pk)]["sha256"] == sha256(RULES)
    assert index[str(world.reference.pk)]["kind"] == "reference"


def test_a_missing_evidence_file_is_listed_as_missing_not_fatal(world: World) -> None:
    world.pdf.file.storage.delete(str(world.pdf.file.name))
    archive, info = make_bundle(world.assessment)
    path = f"evidence/{world.pdf.pk}/firewall-audit.pdf"
    assert path not in archive.namelist()
    assert info.missing == [path]
    entry = next(e for e in json.loads(archive.read("manifest.json"))["files"] if e["path"] == path)
    assert entry["missing"] is True
    assert (entry["recorded_sha256"], entry["recorded_size"]) == (sha256(PDF), len(PDF))
    assert path not in archive.read("SHA256SUMS").decode()
    assert path in archive.read("README.txt").decode()
    index = {r["evidence_id"]: r for r in read_csv(archive, "evidence/index.csv")}
    assert index[str(world.pdf.pk)]["file_status"] == "missing"
    assert archive.read(f"evidence/{world.rules.pk}/rules.txt") == RULES


def test_a_file_changed_after_upload_is_flagged(world: World, media: Path) -> None:  # noqa: F811
    Path(world.rules.file.path).write_bytes(b"allow any any\n")
    archive, _ = make_bundle(world.assessment)
    path = f"evidence/{world.rules.pk}/rules.txt"
    entry = next(e for e in json.loads(archive.read("manifest.json"))["files"] if e["path"] == path)
    assert entry["matches_upload"] is False
    assert entry["sha256"] == sha256(b"allow any any\n") != entry["recorded_sha256"]


def test_evidence_file_names_are_sanitized_in_the_zip(world: World) -> None:
    # A control character, not NUL: PostgreSQL text cannot hold NUL (the pure sanitizer test covers it).
    Evidence.objects.filter(pk=world.rules.pk).update(filename="../../etc/..\\passwd\x1f.txt")
    Evidence.objects.filter(pk=world.pdf.pk).update(filename="/abs/C:..")
    archive, _ = make_bundle(world.assessment)
    for name in archive.namelist():
        assert check_zip_path(name) == name
        assert ".." not in name.split("/") and not name.startswith("/")
    assert f"evidence/{world.rules.pk}/passwd.txt" in archive.namelist()
    assert f"evidence/{world.pdf.pk}/C_" in archive.namelist()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\secret.docx", "secret.docx"),
        ("/etc/shadow", "shadow"),
        ("..", "evidence"),
        ("", "evidence"),
        (".hidden.txt", "hidden.txt"),
        ("bad\x00\x1f\nname.txt", "badname.txt"),
        ('a<b>c:d"e|f?g*.txt', "a_b_c_d_e_f_g_.txt"),
        ("CON.txt", "_CON.txt"),
        ("Prüfbericht Süd.pdf", "Prüfbericht Süd.pdf"),
        ("x" * 300 + ".pcapng", "x" * 173 + ".pcapng"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert len(safe_filename(name)) <= bundle.MAX_NAME


@pytest.mark.parametrize("path", ["../x", "/x", "a//b", "a/./b", "a\\b", "C:/x", "a/\x00b", ""])
def test_unsafe_zip_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="unsafe path"):
        check_zip_path(path)


# --- history, findings, actions ---------------------------------------------------------------------
def test_history_csv_has_the_changes_made(world: World, personas: Personas) -> None:
    services.assessment_transition(assessment=world.assessment, to=AssessmentStatus.IN_PROGRESS, by=personas.consultant)
    archive, _ = make_bundle(world.assessment)
    rows = read_csv(archive, "history.csv")
    assert list(rows[0]) == [
        "when",
        "who",
        "who_username",
        "action",
        "object_type",
        "object_id",
        "object",
        "field",
        "from",
        "to",
    ]
    sr11 = [r for r in rows if r["object_id"] == str(world.sr11.pk)]
    assert sr11[0]["action"] == "created"
    changes = [(r["field"], r["from"], r["to"], r["who"], r["who_username"]) for r in sr11[1:]]
    assert ("status", "not_assessed", "met", "Carla Consultant", "persona-consultant") in changes
    assert ("status", "met", "not_met", "Carla Consultant", "persona-consultant") in changes
    assert ("observations", "", "Shared operator account on HMI-2", "Carla Consultant", "persona-consultant") in changes
    assert ("assignee", "", "persona-owner", "Carla Consultant", "persona-consultant") in changes
    assert {r["object"] for r in sr11} == {"SR 1.1 · Zone 1"}
    # Zone 2's FR7 results went out of scope by a re-sync: recorded, but not credited to their last editor.
    scope = [r for r in rows if r["field"] == "in_scope"]
    assert scope and {(r["from"], r["to"], r["who"]) for r in scope} == {("yes", "no", "")}
    assessment = [r for r in rows if r["object_type"] == "assessment"]
    assert ("status", "draft", "in_progress") in {(r["field"], r["from"], r["to"]) for r in assessment}
    assert ("zones", "", "Zone 1; Zone 2") in {(r["field"], r["from"], r["to"]) for r in assessment}
    evidence = [r for r in rows if r["object_type"] == "evidence" and r["object_id"] == str(world.pdf.pk)]
    assert evidence[0]["action"] == "created" and evidence[0]["who"] == "Carla Consultant"
    assert [r["when"] for r in rows] == sorted(r["when"] for r in rows)


def test_findings_without_a_register_are_the_unsatisfied_results(world: World) -> None:
    archive, _ = make_bundle(world.assessment)
    rows = read_csv(archive, "findings.csv")
    assert list(rows[0])[:3] == ["finding_id", "title", "severity"]
    # Zone 1's SR 1.1 is the only result assessed and not met: Zone 2 is not assessed (open work,
    # not a finding) and the conduit is compensated (satisfied).
    (sr11,) = rows
    assert (sr11["results"], sr11["result_statuses"], sr11["status"]) == ("SR 1.1 · Zone 1", "not_met", "open")
    assert (sr11["target_kind"], sr11["target"], sr11["requirement"], sr11["fr"]) == ("zone", "Zone 1", "SR 1.1", "FR1")
    assert sr11["description"] == "Shared operator account on HMI-2"
    assert sr11["severity"] == "", "severity is the remediation app's rule, not guessed"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["findings_source"] == "in-scope results not met or partially met"
    assert manifest["counts"]["findings"] == 1
    (actions,) = archive.read("actions.csv").decode("utf-8-sig").splitlines()
    assert actions.startswith("action_id,") and ",title," in actions  # the header only: no finding, no action


def test_findings_and_actions_come_from_the_remediation_app(world: World, personas: Personas) -> None:
    remediation.findings_generate(assessment=world.assessment, by=personas.consultant, allow_unreviewed=True)
    (finding,) = Finding.objects.filter(assessment=world.assessment)
    fix = remediation.action_create(
        site=personas.site,
        by=personas.consultant,
        fields={"title": "Named operator accounts on HMI-2", "owner": personas.owner},
        findings=[finding],
    )
    remediation.action_create(site=personas.site, by=personas.consultant, fields={"title": "Unrelated"})
    archive, _ = make_bundle(world.assessment)
    (row,) = read_csv(archive, "findings.csv")
    assert row["finding_id"] == str(finding.pk)
    assert row["title"] == str(finding) and row["severity"] == getattr(finding, "severity", None) != ""
    assert (row["source"], row["status"], row["target"], row["requirement"]) == (
        "assessment",
        "open",
        "Zone 1",
        "SR 1.1",
    )
    assert (row["results"], row["result_statuses"]) == ("SR 1.1 · Zone 1", "not_met")
    (action,) = read_csv(archive, "actions.csv")
    assert action["action_id"] == str(fix.pk)
    assert action["title"] == "Named operator accounts on HMI-2"
    assert action["owner"] == "persona-owner"
    assert action["findings"] == str(finding.pk)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["findings_source"] == "remediation findings"
    assert (manifest["counts"]["findings"], manifest["counts"]["actions"]) == (1, 1)


# --- queries ----------------------------------------------------------------------------------------
def bundle_queries(personas: Personas, zones: int) -> int:
    plant = make_plant(personas.site, [uniform(1)] * zones, prefix=f"Q{zones}")
    assessment = make_assessment(personas.site, personas.consultant, zones=plant.zones, conduits=[])
    proof = services.evidence_add(
        assessment=assessment, by=personas.consultant, file=_upload(f"proof-{zones}.txt", b"proof\n")
    )
    reference = services.evidence_add(assessment=assessment, by=personas.consultant, reference="DMS-1")
    for zone in plant.zones:
        for result in Result.objects.filter(assessment=assessment, zone=zone)[:2]:
            services.result_update(
                result=result,
                by=personas.consultant,
                fields={"status": "not_met", "assignee": personas.owner},
                evidence=[proof, reference],
            )
    with CaptureQueriesContext(connection) as ctx:
        evidence_bundle(assessment, io.BytesIO(), gap_pdf=GAP_PDF)
    return len(ctx.captured_queries)


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_bundle_queries_do_not_grow_with_the_results(personas: Personas, media: Path) -> None:  # noqa: F811
    assert bundle_queries(personas, 1) == bundle_queries(personas, 5)
