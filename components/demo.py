"""The demo's product library: the components of the water works as products of the first organization, with
certificates (one running out within 90 days, one expired) and the works' assets linked to them. Certificate
numbers and issuers are made up: the demo claims nothing about real products' certification."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from compliance.sl import SLVector
from components.choices import CertificateScheme
from components.demo_assessments import seed_component_assessment
from components.models import Product
from components.services.certificates import certificate_save
from components.services.products import product_save
from zones import services as zone_services
from zones.models import Asset

DEMO_ISSUER = "Example Certification Body (demo)"

# vendor, name, version, type, SL-C, SL-C source, note, description
PRODUCTS = [
    ("Schneider Electric", "Modicon M580", "4.10", "EDR", "{2,2,2,1,2,1,2}", "certificate", "ISASecure CSA (demo)",
     "Controller of the intake."),
    ("Schneider Electric", "Modicon M340", "3.20", "EDR", None, "", "", "Older controller; no SL-C recorded yet."),
    ("Siemens", "S7-300", "3.3", "EDR", "{1,1,1,0,1,1,1}", "vendor_claim", "Vendor statement (demo)",
     "Legacy controller of the dosing line."),
    ("Schneider Electric", "Magelis", "4.2", "HDR", "{1,1,1,1,1,1,1}", "vendor_claim", "Vendor statement (demo)",
     "Operator panel."),
    ("Hirschmann", "RSP35", "9.1", "NDR", "{2,2,2,1,2,2,2}", "certificate", "IECEE CB 4-2 (demo)", "OT core switch."),
    ("Hirschmann", "EAGLE40", "4.3", "NDR", "{3,3,3,2,3,2,3}", "certificate", "IECEE CB 4-2 (demo)",
     "Industrial firewall."),
]  # fmt: skip
# (vendor, name) of the product -> scheme, level, number, issued and expiry as days from today
CERTIFICATES = [
    (("Schneider Electric", "Modicon M580"), CertificateScheme.ISASECURE_CSA, 2, "DEMO-CSA-0042", -700, 400),
    (("Hirschmann", "RSP35"), CertificateScheme.IECEE_CB_4_2, None, "DEMO-CB-4-2-117", -1030, 60),  # expiring soon
    (("Hirschmann", "EAGLE40"), CertificateScheme.IECEE_CB_4_2, None, "DEMO-CB-4-2-118", -300, 800),
    (("Siemens", "S7-300"), CertificateScheme.ISASECURE_EDSA, 1, "DEMO-EDSA-0007", -2600, -200),  # expired
]
# Assets whose SL-C comes from the product from now on: their own copy is cleared (the others keep theirs). The
# M340 filtration PLC then has none until its product's 4-2 assessment is applied.
INHERIT = ("PLC-INT-01", "PLC-FIL-01", "SW-OT-01", "FW-CTL-01", "HMI-01")


@transaction.atomic
def seed_components(org: Organization) -> None:
    """The product library of `org` (idempotent: nothing is redone once it has products)."""
    if Product.objects.filter(organization=org).exists():
        return
    today = timezone.localdate()
    products: dict[tuple[str, str], Product] = {}
    for vendor, name, release, ctype, slc, source, note, description in PRODUCTS:
        products[(vendor, name)] = product_save(
            by=None,
            fields={"organization": org, "vendor": vendor, "name": name, "release": release,
                    "component_type": ctype, "description": description,
                    "sl_capability": SLVector.parse(slc) if slc else None, "sl_capability_source": source,
                    "sl_capability_note": note},
        )  # fmt: skip
    for key, scheme, level, number, issued, expires in CERTIFICATES:
        certificate_save(
            by=None,
            fields={"product": products[key], "scheme": scheme, "level": level, "number": number,
                    "issuer": DEMO_ISSUER, "issued": today + datetime.timedelta(days=issued),
                    "expires": today + datetime.timedelta(days=expires)},
        )  # fmt: skip
    for asset in Asset.objects.filter(zone__site__organization=org).select_related("zone"):
        product = products.get((asset.vendor, asset.model))
        if product is None:
            continue
        fields: dict[str, object] = {"product": product}
        if asset.tag in INHERIT:
            fields.update(sl_capability=None, sl_capability_source="")
        zone_services.asset_save(asset=asset, fields=fields, expected_version=asset.version)
    seed_component_assessment(org)  # the demo PLC product's 4-2 assessment, in progress (decision 0035)
