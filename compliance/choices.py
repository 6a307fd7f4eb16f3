from django.db import models


class Part(models.TextChoices):
    """The parts of IEC 62443 that the catalogue ships."""

    SYSTEM = "3-3", "IEC 62443-3-3 System security requirements"
    COMPONENT = "4-2", "IEC 62443-4-2 Component security requirements"
    RISK = "3-2", "IEC 62443-3-2 Risk assessment for system design"


class Kind(models.TextChoices):
    SR = "SR", "System requirement"
    RE = "RE", "Requirement enhancement"
    CR = "CR", "Component requirement"
    SAR = "SAR", "Software application requirement"
    EDR = "EDR", "Embedded device requirement"
    HDR = "HDR", "Host device requirement"
    NDR = "NDR", "Network device requirement"
    ZCR = "ZCR", "Zone and conduit requirement"


class ComponentType(models.TextChoices):
    SAR = "SAR", "Software application"
    EDR = "EDR", "Embedded device"
    HDR = "HDR", "Host device"
    NDR = "NDR", "Network device"


FR_CODES = ("FR1", "FR2", "FR3", "FR4", "FR5", "FR6", "FR7")
SECURITY_LEVELS = (1, 2, 3, 4)


class ResultStatus(models.TextChoices):
    """The finding for one assessed requirement: a 3-3 item of a zone or conduit, or a 4-2 item of a component."""

    NOT_ASSESSED = "not_assessed", "Not assessed"
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    COMPENSATED = "compensated", "Compensated"

    @property
    def satisfied(self) -> bool:
        from compliance import sl  # sl reads FR_CODES from this module

        return sl.is_satisfied(self.value)
