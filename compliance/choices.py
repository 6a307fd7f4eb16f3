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
