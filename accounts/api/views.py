from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from accounts.access import Action
from accounts.api.serializers import OrganizationSerializer
from accounts.models import Membership, Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """The caller's organizations, each with the caller's role."""

    serializer_class = OrganizationSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        return Organization.objects.restrict(self.request.user, Action.VIEW).order_by("name")

    def get_serializer_context(self) -> dict[str, Any]:
        roles = dict(
            Membership.objects.filter(user_id=str(self.request.user.pk)).values_list("organization_id", "role")
        )
        return {**super().get_serializer_context(), "roles": roles}
