"""The supplier's side of a questionnaire (decision 0036): `/api/v1/questionnaires/{token}/` (GET),
`.../answers/{result_id}/` (PATCH) and `.../submit/` (POST).

These views are authenticated by the token in the path and by nothing else: no session, no API token, no
CSRF (DRF enforces CSRF only inside SessionAuthentication, which is not used here; a forged request would
need the token, and whoever has the token is the supplier). A signed-in member opening a link is treated as
the supplier too, and sees only the questionnaire. An unknown token, and a revoked or expired one, is 404;
after submit the questionnaire reads as submitted and writes are 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.choices import ResultStatus
from components.models import ComponentResult, Invitation
from components.services import questionnaires as services
from core.api.errors import PayloadTooLarge
from core.api.fields import StrictFieldsMixin
from core.people import person_name
from core.uploads import EvidenceTooLarge

GONE_RESPONSE = OpenApiResponse(
    description="Unknown, expired or revoked link (and, for writes, a submitted one or an item not in it)."
)
TOO_LARGE_RESPONSE = OpenApiResponse(description="The file is over the size limit: nothing was saved.")


class AnswerSerializer(serializers.Serializer[Any]):
    """The supplier's own answer to one item."""

    status = serializers.CharField()
    comment = serializers.CharField()
    file_name = serializers.SerializerMethodField()
    answered_at = serializers.DateTimeField()

    def get_file_name(self, obj: Any) -> str | None:
        return obj.filename if obj.file else None


class ItemSerializer(serializers.Serializer[ComponentResult]):
    """One item of the questionnaire: the 4-2 id, kind, FR, short title and level, and the supplier's answer
    (null until answered). Nothing of the organization's own finding is shown."""

    result_id = serializers.UUIDField(source="pk")
    ref = serializers.CharField(source="requirement.ref")
    kind = serializers.CharField(source="requirement.kind")
    fr = serializers.CharField(source="requirement.fr_id", allow_null=True)
    title = serializers.CharField(source="requirement.title")
    level = serializers.IntegerField(source="requirement.lowest_sl", allow_null=True)
    answer = serializers.SerializerMethodField()

    def get_answer(self, obj: ComponentResult) -> dict[str, Any] | None:
        mine = getattr(obj, "mine", [])
        return AnswerSerializer(mine[0]).data if mine else None


class QuestionnaireSerializer(serializers.Serializer[Invitation]):
    """The questionnaire as its supplier sees it: who asks (the organization's name and the sender's name),
    about which product, until when, the items and their answers. Nothing else of the organization."""

    state = serializers.CharField()
    expires = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    organization = serializers.CharField(source="assessment.product.organization.name")
    requested_by = serializers.SerializerMethodField()
    product = serializers.SerializerMethodField()
    statuses = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    def get_requested_by(self, obj: Invitation) -> str:
        return person_name(obj.created_by)

    def get_product(self, obj: Invitation) -> dict[str, str]:
        product = obj.assessment.product
        return {
            "vendor": product.vendor,
            "name": product.name,
            "version": product.release,
            "component_type": product.component_type,
        }

    def get_statuses(self, obj: Invitation) -> list[dict[str, Any]]:
        return [
            {"value": s.value, "label": s.label, "comment_required": s in services.COMMENT_REQUIRED}
            for s in services.SUPPLIER_STATUSES
        ]

    def _items(self, obj: Invitation) -> list[ComponentResult]:
        # progress and items read the same rows: one query for both.
        cached: list[ComponentResult] | None = getattr(self, "_cached_items", None)
        if cached is None:
            cached = self._cached_items = list(obj.items())
        return cached

    def get_progress(self, obj: Invitation) -> dict[str, int]:
        items = self._items(obj)
        return {"answered": sum(1 for item in items if getattr(item, "mine", [])), "total": len(items)}

    def get_items(self, obj: Invitation) -> list[dict[str, Any]]:
        return [dict(ItemSerializer(item).data) for item in self._items(obj)]


class AnswerInputSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=ResultStatus.values,
        required=False,
        help_text="met, partially_met, not_met or not_applicable (compensated and not_assessed are refused)",
    )
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    file = serializers.FileField(required=False, help_text="Optional evidence (multipart)")


class _TokenView(APIView):
    """The token in the path is the only credential (see the module's docstring)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in services.PRIVATE_HEADERS.items():
            response[name] = value
        return response


class QuestionnaireView(_TokenView):
    @extend_schema(responses={200: QuestionnaireSerializer, 404: GONE_RESPONSE}, auth=[])
    def get(self, request: Request, token: str) -> Response:
        """The questionnaire behind the link (404 once it expired or was revoked)."""
        return Response(QuestionnaireSerializer(services.questionnaire_for_token(token)).data)


class QuestionnaireAnswerView(_TokenView):
    @extend_schema(
        request=AnswerInputSerializer,
        responses={200: ItemSerializer, 404: GONE_RESPONSE, 413: TOO_LARGE_RESPONSE},
        auth=[],
    )
    def patch(self, request: Request, token: str, result_id: Any) -> Response:
        """Answer one item (`status`, `comment`, optional `file`); again to change the answer. 404 after submit,
        expiry or revocation, or for an item not in this questionnaire; 400 with nothing written otherwise."""
        invitation = services.questionnaire_for_token(token)
        if not invitation.open_for_answers:  # a closed questionnaire is 404 whatever is sent
            raise services.QuestionnaireClosed(services.GONE)
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        file = fields.pop("file", None)
        try:
            answer = services.answer_save(invitation=invitation, result_id=result_id, fields=fields, file=file)
        except EvidenceTooLarge as exc:
            raise PayloadTooLarge(exc.message_dict) from exc
        item = invitation.items().get(pk=answer.result_id)
        return Response(ItemSerializer(item).data)


class QuestionnaireSubmitView(_TokenView):
    @extend_schema(request=None, responses={200: QuestionnaireSerializer, 404: GONE_RESPONSE}, auth=[])
    def post(self, request: Request, token: str) -> Response:
        """Hand the answers over: the questionnaire becomes read-only (400 without any answer)."""
        services.questionnaire_submit(invitation=services.questionnaire_for_token(token))
        return Response(QuestionnaireSerializer(services.questionnaire_for_token(token)).data)
