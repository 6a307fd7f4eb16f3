from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.api.serializers import RequirementSerializer
from compliance.choices import Part
from compliance.filters import RequirementFilter, catalogue_queryset
from compliance.models import Catalogue, Requirement
from compliance.oscal import OSCAL_PARTS, catalog_document


class RequirementViewSet(viewsets.ReadOnlyModelViewSet[Requirement]):
    """The IEC 62443 catalogue (current releases). `page_size=all` returns every item in one page."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilter
    lookup_field = "ref"
    lookup_value_regex = r"[A-Z]{2,3} [0-9.]+(?: RE [0-9]+)?"

    def get_queryset(self) -> QuerySet[Requirement]:
        return catalogue_queryset()


class CatalogueOscalView(APIView):
    """The current release of one part of the catalogue as an OSCAL 1.1 catalog (JSON): a group per FR,
    a control per SR or CR with its REs (and 4-2's component-type items) nested; ids, short titles and
    levels, never the standard's text. Any signed-in user may read it, like the rest of the catalogue."""

    @extend_schema(
        parameters=[
            OpenApiParameter("part", str, enum=list(OSCAL_PARTS), description="The part: 3-3 (default) or 4-2.")
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        part = request.query_params.get("part", Part.SYSTEM.value)
        if part not in OSCAL_PARTS:
            raise ValidationError(
                {
                    "part": [
                        f"Give one of {', '.join(OSCAL_PARTS)}; 3-2's zone and conduit requirements are not controls."
                    ]
                }
            )
        catalogue = Catalogue.objects.filter(part=part, is_current=True).first()
        if catalogue is None:
            raise NotFound(f"No release of part {part} is loaded.")
        return Response(catalog_document(catalogue))
