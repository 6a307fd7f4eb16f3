"""Evidence for the demo assessment: a few files as a site would hand them over (a firewall rule
export, an account review, a signed-off configuration record) and references to documents held
elsewhere, one of them expired. Uploaded through the same service as the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from assessments import services
from assessments.models import Assessment, Result

RULES = """\
# FW-1 (L3/L2 boundary) rule base export, 2026-11-04 06:12 UTC, exported by j.hale
# id  action  source              destination          service          comment
10    allow   dmz-historian-repl  scada-historian      tcp/5450         PI to PI replication
20    allow   dmz-wsus            scada-ops-stations   tcp/8530         patch distribution (Tue 02:00-04:00)
30    allow   scada-ews           dmz-jump             tcp/3389         engineering remote desktop, MFA on jump host
40    allow   any                 any                  icmp             commissioning leftover - REVIEW
50    allow   any                 scada-historian      any              commissioning leftover - REVIEW
999   deny    any                 any                  any              log
"""

ACCOUNTS = """\
account,type,owner,last_logon,reviewed_by,decision
op-shift-a,domain,Operations,2026-10-30,O. Owner,keep
op-shift-b,domain,Operations,2026-10-29,O. Owner,keep
eng-kmeyer,domain,Engineering,2026-10-12,O. Owner,keep
svc-opc-hist,local (shared),Historian service,2026-10-31,O. Owner,replace with managed service account
ctr-acme-01,domain,Contractor (ACME Automation),2026-03-02,O. Owner,disable: contract ended
administrator,local,IT,2025-12-14,O. Owner,rename and vault
"""

ALLOW_LISTING = """\
<html><head><style>
  body { font-family: sans-serif; font-size: 10pt; margin: 2cm; }
  h1 { font-size: 14pt; } table { border-collapse: collapse; width: 100%; }
  td, th { border: 1px solid #888; padding: 4px 6px; text-align: left; }
</style></head><body>
<h1>Application allow-listing: operator stations OPS-07 and OPS-08</h1>
<p>Riverside Water Treatment Works. Configuration record CR-2026-114, approved 2026-09-18.</p>
<table>
  <tr><th>Control</th><th>Setting</th><th>Checked</th></tr>
  <tr><td>Allow-listing mode</td><td>Enforce (publisher and hash rules)</td><td>2026-11-03</td></tr>
  <tr><td>USB mass storage</td><td>Disabled by policy</td><td>2026-11-03</td></tr>
  <tr><td>Internet route</td><td>None (default route to FW-1, denied)</td><td>2026-11-03</td></tr>
  <tr><td>Review</td><td>Monthly, by the OT lead</td><td>2026-10-31</td></tr>
</table>
<p>Signed: K. Meyer (OT lead), O. Owner (asset owner).</p>
</body></html>
"""


@dataclass(frozen=True)
class DemoEvidence:
    supports: tuple[tuple[str, str], ...]  # (zone or conduit, requirement id)
    description: str
    filename: str = ""
    reference: str = ""
    expires: date | None = None
    by_owner: bool = False


EVIDENCE = (
    DemoEvidence(
        (("DMZ to SCADA", "SR 5.1"), ("DMZ to SCADA", "SR 5.2")),
        "FW-1 rule base export, taken on the walk-down",
        filename="fw1-rule-base-2026-11-04.txt",
    ),
    DemoEvidence(
        (("SCADA", "SR 1.3"), ("SCADA", "SR 1.2")),
        "SCADA account review, October 2026",
        filename="scada-account-review-2026-10.csv",
        by_owner=True,
    ),
    DemoEvidence(
        (("SCADA", "SR 3.2"),),
        "Allow-listing configuration record for the two Windows 7 stations",
        filename="cr-2026-114-allow-listing-ops07-ops08.pdf",
        by_owner=True,
    ),
    DemoEvidence(
        (("Process control", "SR 5.1"), ("SCADA", "SR 5.1")),
        "Network drawing of the treatment works",
        reference="DMS-4711 Riverside network drawing, rev. F",
    ),
    DemoEvidence(
        (("Process control", "SR 7.1"),),
        "Vendor test report on Modbus request limiting",
        reference="Vendor portal: test report VT-2219 (PLC firmware 4.2)",
        expires=date(2026, 10, 31),
    ),
)


def _content(name: str) -> bytes:
    if name.endswith(".txt"):
        return RULES.encode()
    if name.endswith(".csv"):
        return ACCOUNTS.encode()
    from weasyprint import HTML

    return HTML(string=ALLOW_LISTING).write_pdf()


def seed_evidence(assessment: Assessment, consultant: User, owner: User) -> int:
    """Add the demo evidence to `assessment`; returns how many pieces were added."""
    results = Result.objects.filter(assessment=assessment).select_related("requirement", "zone", "conduit")
    by_key = {(r.target.name, r.requirement.ref): r for r in results}
    for item in EVIDENCE:
        upload = None
        if item.filename:
            upload = SimpleUploadedFile(item.filename, _content(item.filename))
        services.evidence_add(
            assessment=assessment,
            by=owner if item.by_owner else consultant,
            file=upload,
            reference=item.reference,
            description=item.description,
            expires=item.expires,
            results=[by_key[key] for key in item.supports if key in by_key],
        )
    return len(EVIDENCE)
