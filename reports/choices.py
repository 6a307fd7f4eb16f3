from django.db import models


class ReportKind(models.TextChoices):
    """What a report job produces: the gap report (PDF, Word), the evidence bundle, results exports and OSCAL
    assessment results from an assessment; the roadmap and the OSCAL plan of action from a site; the cybersecurity
    requirements specification from a risk assessment; the procurement requirements of a zone from its site."""

    GAP_ASSESSMENT = "gap_assessment", "Gap assessment (PDF)"
    ROADMAP = "roadmap", "Remediation roadmap (PDF)"
    EVIDENCE_BUNDLE = "evidence_bundle", "Evidence bundle (ZIP)"
    RESULTS_CSV = "results_csv", "Results (CSV)"
    RESULTS_XLSX = "results_xlsx", "Results (XLSX)"
    CRS = "crs", "Cybersecurity requirements specification (PDF)"
    GAP_ASSESSMENT_DOCX = "gap_assessment_docx", "Gap assessment (Word)"
    OSCAL_ASSESSMENT_RESULTS = "oscal_assessment_results", "OSCAL assessment results (JSON)"
    OSCAL_POAM = "oscal_poam", "OSCAL plan of action and milestones (JSON)"
    PROCUREMENT = "procurement", "Procurement requirements (PDF)"


class JobStatus(models.TextChoices):
    """Where a report job is: queued → running → succeeded or failed (a failed job can be retried)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# The kinds whose target is an assessment; the roadmap's target is a site.
ASSESSMENT_KINDS = frozenset(
    {ReportKind.GAP_ASSESSMENT, ReportKind.EVIDENCE_BUNDLE, ReportKind.RESULTS_CSV, ReportKind.RESULTS_XLSX}
    | {ReportKind.OSCAL_ASSESSMENT_RESULTS}
) | {ReportKind.GAP_ASSESSMENT_DOCX}
# The procurement requirements are made from a site too, with one of its zones as a parameter (PROCUREMENT_KINDS).
SITE_KINDS = frozenset({ReportKind.ROADMAP, ReportKind.OSCAL_POAM, ReportKind.PROCUREMENT})
RISK_KINDS = frozenset({ReportKind.CRS})  # made from a risk assessment (IEC 62443-3-2)
DONE = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})

# The gap-assessment report's options (ReportJob.parameters) and the kinds whose output includes that report.
COMPACT_NOT_ASSESSED = "compact_not_assessed"
OMIT_MET = "omit_met"  # leave met items out of the gap report's sections (counted instead), decision 0039
GAP_KINDS = frozenset({ReportKind.GAP_ASSESSMENT, ReportKind.EVIDENCE_BUNDLE}) | {ReportKind.GAP_ASSESSMENT_DOCX}
# The kinds whose parameters name a zone of the site, component types and a purchase (components.procurement).
PROCUREMENT_KINDS = frozenset({ReportKind.PROCUREMENT})
