"""The consultant's side of supplier questionnaires (decision 0036): invite a supplier
(`POST /api/v1/component-assessments/{id}/invitations/`, the token and link answered once), list and revoke
invitations (`/api/v1/invitations/`), and review answers (`/api/v1/supplier-answers/`, accept and reject).
Reads go through the door; writes need the right to change the component assessment (403 for auditors)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, can, restrict
from components.choices import AnswerReview
from components.models import ComponentAssessment, Invitation, SupplierAnswer
from components.services import questionnaires as services
from core.api.fields import PersonField, api_url, choice_filter
from core.api.viewsets import ScopedViewSet
from core.http import user_of
from core.uploads import evidence_file_response


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    """An invitation as listed: never its token (only its hash is stored)."""

    state = serializers.CharField(read_only=True)
    created_by = PersonField()
    revoked_by = PersonField()
    answers = serializers.IntegerField(source="answer_count", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id", "assessment", "email", "expires", "state", "created", "created_by",
            "submitted_at", "revoked_at", "revoked_by", "answers", "links",
        ]  # fmt: skip
        read_only_fields = fields

    def get_links(self, obj: Invitation) -> dict[str, str]:
        return {
            "self": api_url(self, "components-api:invitation-detail", obj.pk),
            "revoke": api_url(self, "components-api:invitation-revoke", obj.pk),
            "answers": f"{api_url(self, 'components-api:supplier-answer-list')}?invitation={obj.pk}",
        }


class InvitationCreateSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    expires = serializers.DateTimeField(
        help_text=f"When the link stops working: in the future, at most {services.MAX_VALIDITY.days} days ahead."
    )


class NewInvitationSerializer(InvitationSerializer):
    """The answer to a create: the one time the token and link are shown."""

    token = serializers.CharField(read_only=True)
    link = serializers.URLField(read_only=True)

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "token", "link"]
        read_only_fields = fields


def _invitations() -> QuerySet[Invitation]:
    counted = Invitation.objects.select_related("created_by", "revoked_by").annotate(answer_count=Count("answers"))
    return counted.order_by("-created")  # GROUP BY drops the model's ordering


class AssessmentInvitationsView(APIView):
    """The invitations of one component assessment: GET lists them, POST invites a supplier by email. The
    201 answer carries `token` and `link` once; they are never shown again (only the token's hash is kept)."""

    @extend_schema(responses={200: InvitationSerializer(many=True)})
    def get(self, request: Request, pk: Any) -> Response:
        assessment = get_object_or_404(ComponentAssessment.objects.restrict(request.user, Action.VIEW), pk=pk)
        invitations = _invitations().filter(assessment=assessment)
        return Response(InvitationSerializer(invitations, many=True, context={"request": request}).data)

    @extend_schema(request=InvitationCreateSerializer, responses={201: NewInvitationSerializer})
    def post(self, request: Request, pk: Any) -> Response:
        assessment = get_object_or_404(ComponentAssessment.objects.restrict(request.user, Action.VIEW), pk=pk)
        if not can(request.user, Action.CHANGE, assessment):
            self.permission_denied(request, "Your role lets you read this component assessment, not invite a supplier.")
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.invitation_create(
            assessment=assessment,
            by=user_of(request),
            base_url=request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        invitation = _invitations().get(pk=new.invitation.pk)
        invitation.token, invitation.link = new.token, new.link  # type: ignore[attr-defined]
        body = NewInvitationSerializer(invitation, context={"request": request}).data
        headers = {"Location": body["links"]["self"], "Cache-Control": "no-store"}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class InvitationViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Invitations the caller can see; filter with `assessment` and `state` is shown on each. `revoke/` ends
    a link at once (reads and writes with its token are 404 from then on)."""

    model = Invitation
    serializer_class = InvitationSerializer
    filterset_fields = ["assessment"]

    def get_queryset(self) -> QuerySet[Invitation]:
        return restrict(_invitations(), self.request.user, Action.VIEW)

    @extend_schema(request=None, responses={200: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke the link (400 when it already is). Answers already submitted stay reviewable."""
        invitation = self.get_object_for_change()
        services.invitation_revoke(invitation=invitation, by=self.user)
        return Response(self.represent(invitation)[0])


class SupplierAnswerSerializer(serializers.ModelSerializer[SupplierAnswer]):
    """A supplier's answer beside the result it is about, and what the consultant made of it."""

    ref = serializers.CharField(source="result.requirement.ref", read_only=True)
    result_status = serializers.CharField(source="result.status", read_only=True)
    reviewed_by = PersonField()
    file = serializers.SerializerMethodField()

    class Meta:
        model = SupplierAnswer
        fields = [
            "id", "invitation", "result", "ref", "status", "comment", "file", "answered_at",
            "result_status", "review", "review_reason", "reviewed_by", "reviewed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_file(self, obj: SupplierAnswer) -> dict[str, Any] | None:
        if not obj.file:
            return None
        return {
            "name": obj.filename,
            "size": obj.size,
            "sha256": obj.sha256,
            "download": api_url(self, "components-api:supplier-answer-file", obj.pk),
        }


class SupplierAnswerFilter(filters.FilterSet):
    invitation = filters.UUIDFilter()
    assessment = filters.UUIDFilter(field_name="invitation__assessment")
    result = filters.UUIDFilter()
    review = choice_filter(AnswerReview.values, "review")

    class Meta:
        model = SupplierAnswer
        fields = ["invitation", "assessment", "result", "review"]


class RejectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, help_text="Why the answer is not taken as the result")


class SupplierAnswerViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Supplier answers (submitted or not). Filter with `invitation`, `assessment`, `result`, `review`.
    `accept/` takes a submitted answer as the result (source supplier claim; its file becomes evidence);
    `reject/` refuses it with a reason. Reviewing an answer twice is 400."""

    model = SupplierAnswer
    serializer_class = SupplierAnswerSerializer
    filterset_class = SupplierAnswerFilter
    select_related = ("result__requirement", "reviewed_by")

    @extend_schema(request=None, responses={200: SupplierAnswerSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        answer = self.get_object_for_change()
        services.answer_accept(answer=answer, by=self.user)
        return Response(self.represent(answer)[0])

    @extend_schema(request=RejectSerializer, responses={200: SupplierAnswerSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        answer = self.get_object_for_change()
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.answer_reject(answer=answer, by=self.user, reason=serializer.validated_data["reason"])
        return Response(self.represent(answer)[0])

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The file the supplier attached, as an attachment with its SHA-256 (404 when there is none)."""
        answer = self.get_object()
        if not answer.file:
            raise Http404("This answer has no file.")
        return evidence_file_response(answer)
