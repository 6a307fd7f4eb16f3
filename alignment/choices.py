"""The vocabularies of regulatory alignment: how a framework item relates to 62443-3-3 items, and how far an
assessment covers it."""

from django.db import models

from core import palette


class Relationship(models.TextChoices):
    """The NIST OLIR set-theory relationships (NIST IR 8278A), read as "the framework item is ... the mapped
    62443-3-3 items"."""

    EQUIVALENT = "equivalent", "Equivalent"
    SUBSET_OF = "subset_of", "Subset of"
    SUPERSET_OF = "superset_of", "Superset of"
    INTERSECTS_WITH = "intersects_with", "Intersects with"


class Coverage(models.TextChoices):
    """How far an assessment's in-scope results cover one framework item (decision 0031)."""

    COVERED = "covered", "Covered"
    PARTIAL = "partial", "Partly covered"
    NOT_COVERED = "not_covered", "Not covered"
    NOT_ASSESSED = "not_assessed", "Not assessed yet"
    OUT_OF_SCOPE = "out_of_scope", "Not in this assessment's scope"
    NO_COUNTERPART = "no_counterpart", "Outside 62443-3-3's reach"


# The badge class of each coverage on the pages (existing classes of static/css/app.css and palette.css):
# the three judgements get the traffic-light colours, the three "cannot say" answers stay neutral, so an
# item 62443 does not address never reads as a gap.
COVERAGE_BADGE: dict[str, str] = {
    Coverage.COVERED: "badge-ok",
    Coverage.PARTIAL: "badge-warn",
    Coverage.NOT_COVERED: "badge-bad",
    Coverage.NOT_ASSESSED: "status-not_assessed",
    Coverage.OUT_OF_SCOPE: "",
    Coverage.NO_COUNTERPART: "badge-role",
}

# The same colours as (background, text) for the XLSX export and the PDF, from the one palette.
COVERAGE_COLOURS: dict[str, tuple[str, str]] = {
    Coverage.COVERED: (palette.OK_BG, palette.OK),
    Coverage.PARTIAL: (palette.WARN_BG, palette.WARN),
    Coverage.NOT_COVERED: (palette.BAD_BG, palette.BAD),
    Coverage.NOT_ASSESSED: (palette.RESULT_STATUS["not_assessed"].bg, palette.RESULT_STATUS["not_assessed"].fg),
    Coverage.OUT_OF_SCOPE: (palette.WASH, palette.MUTED),
    Coverage.NO_COUNTERPART: (palette.INFO_BG, palette.BRAND_DARK),
}
