"""People, the organizations they work for or with, and their roles."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import slugify

from accounts.choices import Role
from core.models import PublicRecord


class User(AbstractUser):
    """A person who logs in: a consultant, an asset owner's engineer, an auditor or an admin."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organization(PublicRecord):
    """An asset owner: the client whose plants are assessed (e.g. a water utility)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR, GBP or USD.")],
        help_text="ISO 4217 code of the currency that cost estimates are given in.",
    )
    require_mfa = models.BooleanField(
        "require two-factor authentication",
        default=False,
        help_text="On: every member must set up two-factor authentication before using Zonewise.",
    )
    alignment_frameworks = models.JSONField(
        "regulatory frameworks",
        default=list,
        blank=True,
        help_text="Keys of the frameworks (alignment app) whose coverage the gap-assessment report shows.",
    )
    created = models.DateTimeField(auto_now_add=True)

    access_organization_path = ""

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)


class Membership(models.Model):
    """One person's role in one organization; `all_sites` off limits them to sites granted one by one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    all_sites = models.BooleanField(
        default=True,
        help_text="Off: the person sees only the sites granted to them (e.g. an external auditor for one plant).",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_organization"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization}"
