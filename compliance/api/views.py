from django.db.models import QuerySet
from rest_framework import viewsets

from compliance.api.serializers import RequirementSerializer
from compliance.filters import RequirementFilter, catalogue_queryset
from compliance.models import Requirement


class RequirementViewSet(viewsets.ReadOnlyModelViewSet[Requirement]):
    """The IEC 62443 catalogue (current releases). `page_size=all` returns every item in one page."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilter
    lookup_field = "ref"
    lookup_value_regex = r"[A-Z]{2,3} [0-9.]+(?: RE [0-9]+)?"

    def get_queryset(self) -> QuerySet[Requirement]:
        return catalogue_queryset()
