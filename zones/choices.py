from django.db import models


class Sector(models.TextChoices):
    WATER = "water", "Water and wastewater"
    POWER = "power", "Power"
    OIL_GAS = "oil_gas", "Oil and gas"
    CHEMICALS = "chemicals", "Chemicals"
    MANUFACTURING = "manufacturing", "Manufacturing"
    PHARMA = "pharma", "Pharma"
    OTHER = "other", "Other"


class ZoneKind(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    DMZ = "dmz", "DMZ"
    SUPERVISORY = "supervisory", "Supervisory"
    CONTROL = "control", "Control"
    SAFETY = "safety", "Safety"
    FIELD = "field", "Field"
    EXTERNAL = "external", "External (internet, vendor remote access)"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class Direction(models.TextChoices):
    BIDIRECTIONAL = "bidirectional", "Both ways"
    UNIDIRECTIONAL = "unidirectional", "One way (data diode)"


class ComponentType(models.TextChoices):
    SAR = "SAR", "Software application (SAR)"
    EDR = "EDR", "Embedded device (EDR)"
    HDR = "HDR", "Host device (HDR)"
    NDR = "NDR", "Network device (NDR)"


class AssetRole(models.TextChoices):
    PLC = "plc", "PLC"
    RTU = "rtu", "RTU"
    HMI = "hmi", "HMI"
    SIS_CONTROLLER = "sis_controller", "SIS controller"
    HISTORIAN = "historian", "Historian"
    ENGINEERING_WORKSTATION = "engineering_workstation", "Engineering workstation"
    SERVER = "server", "Server"
    SWITCH = "switch", "Switch"
    FIREWALL = "firewall", "Firewall"
    DATA_DIODE = "data_diode", "Data diode"
    VPN_GATEWAY = "vpn_gateway", "VPN gateway"
    OTHER = "other", "Other"


BOUNDARY_ROLES = (AssetRole.FIREWALL, AssetRole.DATA_DIODE, AssetRole.VPN_GATEWAY)


class CapabilitySource(models.TextChoices):
    VENDOR_CLAIM = "vendor_claim", "Vendor claim"
    CERTIFICATE = "certificate", "Certificate (e.g. ISASecure CSA)"
    OWN_ASSESSMENT = "own_assessment", "Our own IEC 62443-4-2 assessment"
