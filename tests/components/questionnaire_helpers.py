"""What the supplier questionnaire tests share: a small component assessment, an invitation, a token client."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organization, User
from compliance.sl import SLVector
from components.models import ComponentAssessment, ComponentResult, Product
from components.services.assessments import component_assessment_create
from components.services.questionnaires import NewInvitation, answer_save, invitation_create, questionnaire_submit

SUPPLIER = "security@vendor.example"
PDF = b"%PDF-1.4\n% a test report\n"


def make_assessment(
    organization: Organization, by: User, *, name: str = "X20 CPU", component_type: str = "EDR", level: int = 1
) -> ComponentAssessment:
    """A component assessment of a new product up to `level` on every FR (SL 1 keeps it small and fast)."""
    product = Product.objects.create(
        organization=organization, vendor="Acme", name=name, release="4.2", component_type=component_type
    )
    return component_assessment_create(
        product=product, title=f"{name} 4-2 review", by=by, sl_target=SLVector.uniform(level)
    )


def invite(assessment: ComponentAssessment, by: User, *, days: int = 30) -> NewInvitation:
    return invitation_create(
        assessment=assessment,
        email=SUPPLIER,
        by=by,
        base_url="http://testserver/",
        expires=timezone.now() + datetime.timedelta(days=days),
    )


def first_results(assessment: ComponentAssessment, n: int = 3) -> list[ComponentResult]:
    return list(assessment.results.order_by("requirement__position")[:n])


def submitted(new: NewInvitation, answers: dict[ComponentResult, dict[str, Any]]) -> NewInvitation:
    """`new` with `answers` saved (a "file" key uploads a small PDF) and the questionnaire submitted."""
    for result, fields in answers.items():
        fields = dict(fields)
        file = (
            SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf") if fields.pop("file", False) else None
        )
        answer_save(invitation=new.invitation, result_id=result.pk, fields=fields, file=file)
    questionnaire_submit(invitation=new.invitation)
    new.invitation.refresh_from_db()
    return new


def token_client() -> APIClient:
    """A client with no login: the supplier."""
    return APIClient()


def questionnaire_url(token: str, *rest: str) -> str:
    return "/api/v1/questionnaires/" + token + "/" + "".join(f"{part}/" for part in rest)
