from django.db import models


class Role(models.TextChoices):
    """A person's role in one organization."""

    ADMIN = "admin", "Admin"
    CONSULTANT = "consultant", "Consultant"
    ASSET_OWNER = "asset_owner", "Asset owner"
    AUDITOR = "auditor", "Auditor"
