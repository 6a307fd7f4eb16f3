"""/api/v1/products/ and /api/v1/certificates/: the product library and its certificates (reads through the
door, writes through components.services under the If-Match contract of core.api.viewsets).

A product's `version` in the API is the vendor's version (the model's `release`): the name vendors and
procurement use. The row's optimistic-concurrency version travels as the ETag header, as everywhere, and
in the body as `row_version`; If-Match never read a body field, so nothing else changes.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.db.models import Count, Model, Q, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from accounts.models import Organization
from compliance.choices import ComponentType
from compliance.fields import SLVectorSerializerField
from components.choices import CertificateScheme
from components.models import Certificate, Product
from components.services import certificates as certificate_services
from components.services import products as product_services
from core.api.errors import PayloadTooLarge
from core.api.fields import ScopedRelatedField, StaysMixin, StrictFieldsMixin, api_url, choice_field, choice_filter
from core.api.viewsets import ServiceViewSet
from core.uploads import EvidenceTooLarge, evidence_file_response
from zones.choices import CapabilitySource

UNKNOWN_ORGANIZATION = "Unknown organization: {pk_value} is not one you can see."
UNKNOWN_PRODUCT = "Unknown product: {pk_value} is not one you can see."


class CertificateSummarySerializer(serializers.ModelSerializer[Certificate]):
    """A certificate as its product lists it."""

    expired = serializers.BooleanField(read_only=True)
    expiring_soon = serializers.BooleanField(read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "scheme", "level", "number", "expires", "expired", "expiring_soon"]
        read_only_fields = fields


class ProductSerializer(StrictFieldsMixin, StaysMixin, serializers.ModelSerializer[Product]):
    """A product of an organization's library. `version` is the vendor's version; the row's version is the
    ETag (and `row_version`)."""

    stays = {"organization": "A product stays in its organization."}
    tolerated = ("id", "certificates", "asset_count", "row_version", "created", "links")
    organization = ScopedRelatedField(Organization, error_messages={"does_not_exist": UNKNOWN_ORGANIZATION})
    version = serializers.CharField(source="release", max_length=120, required=False, allow_blank=True)
    component_type = choice_field(ComponentType.values, "component type")
    sl_capability = SLVectorSerializerField(allow_null=True, required=False)
    sl_capability_source = choice_field(CapabilitySource.values, "SL-C source", required=False, allow_blank=True)
    certificates = CertificateSummarySerializer(many=True, read_only=True)
    asset_count = serializers.IntegerField(read_only=True, default=0)
    row_version = serializers.IntegerField(source="version", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "organization", "vendor", "name", "version", "component_type", "description", "sl_capability",
            "sl_capability_source", "sl_capability_note", "certificates", "asset_count", "row_version",
            "created", "links",
        ]  # fmt: skip
        read_only_fields = ["id", "created"]

    def get_links(self, obj: Product) -> dict[str, str]:
        return {"self": api_url(self, "components-api:product-detail", obj.pk), "page": obj.get_absolute_url()}


class CertificateSerializer(StrictFieldsMixin, StaysMixin, serializers.ModelSerializer[Certificate]):
    """A product's certificate. Create and replace the document as multipart (`file`); the document is
    downloaded from `download_url`."""

    stays = {"product": "A certificate stays with its product."}
    tolerated = ("id", "expired", "expiring_soon", "filename", "size", "content_type", "sha256", "version",
                 "created", "download_url")  # fmt: skip
    product = ScopedRelatedField(Product, error_messages={"does_not_exist": UNKNOWN_PRODUCT})
    scheme = choice_field(CertificateScheme.values, "certificate scheme")
    sl_vector = SLVectorSerializerField(allow_null=True, required=False)
    file = serializers.FileField(write_only=True, required=False)
    expired = serializers.BooleanField(read_only=True)
    expiring_soon = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id", "product", "scheme", "level", "sl_vector", "number", "issuer", "issued", "expires", "expired",
            "expiring_soon", "file", "filename", "size", "content_type", "sha256", "download_url", "version",
            "created",
        ]  # fmt: skip
        read_only_fields = ["id", "filename", "size", "content_type", "sha256", "version", "created"]

    def get_download_url(self, obj: Certificate) -> str | None:
        return api_url(self, "components-api:certificate-download", obj.pk) if obj.file else None


# --- products ---------------------------------------------------------------------------------------------
class ProductFilter(filters.FilterSet):
    component_type = choice_filter(ComponentType.values, "component type")
    vendor = filters.CharFilter(lookup_expr="iexact")
    search = filters.CharFilter(method="search_text", help_text="Part of the vendor, name or version.")

    class Meta:
        model = Product
        fields = ["organization", "component_type", "vendor", "search"]

    def search_text(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(vendor__icontains=text) | Q(name__icontains=text) | Q(release__icontains=text))


class ProductViewSet(ServiceViewSet):
    """The product library of the organizations you belong to. Filter with `organization`, `component_type`,
    `vendor` and `search`. PATCH and DELETE need If-Match (the ETag); a product assets run cannot be
    deleted (409). Admins, consultants and asset owners write; auditors read."""

    model = Product
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    prefetch_related = ("certificates",)
    parent_fields: ClassVar[tuple[str, ...]] = ("organization",)
    create_denied = "Your role lets you read this organization's products, not add one."

    def get_queryset(self) -> QuerySet[Any]:
        # An aggregate drops the model's default order from the query: say it again, for stable pages.
        queryset = super().get_queryset().annotate(asset_count=Count("assets", distinct=True))
        return queryset.order_by("vendor", "name", "release", "pk")

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = data.get("organization") or instance.organization
        return parent

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        adding = instance._state.adding
        return product_services.product_save(
            by=self.user, fields=data, product=None if adding else instance, expected_version=version
        )

    def delete_object(self, instance: Any, version: int | None) -> None:
        product_services.product_delete(product=instance, by=self.user, expected_version=version)


# --- certificates -----------------------------------------------------------------------------------------
class CertificateFilter(filters.FilterSet):
    scheme = choice_filter(CertificateScheme.values, "certificate scheme")
    organization = filters.UUIDFilter(field_name="product__organization")
    expired = filters.BooleanFilter(method="filter_expired", help_text="true: expired; false: not expired.")
    expiring_within = filters.NumberFilter(
        method="filter_expiring", min_value=0, help_text="Still valid but expires within this many days."
    )

    class Meta:
        model = Certificate
        fields = ["product", "organization", "scheme", "expired", "expiring_within"]

    def filter_expired(self, queryset: QuerySet[Certificate], name: str, value: bool | None) -> QuerySet[Certificate]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(expires__lt=today) if value else queryset.exclude(expires__lt=today)

    def filter_expiring(self, queryset: QuerySet[Certificate], name: str, value: Any) -> QuerySet[Certificate]:
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(expires__gte=today, expires__lte=today + datetime.timedelta(days=int(value)))


@extend_schema_view(
    create=extend_schema(request={"multipart/form-data": CertificateSerializer}),
    partial_update=extend_schema(request={"multipart/form-data": CertificateSerializer}),
)
class CertificateViewSet(ServiceViewSet):
    """Certificates of the products you can see. Filter with `product`, `organization`, `scheme`, `expired`
    (true/false) and `expiring_within` (days). Send the document as multipart `file`; PATCH and DELETE
    need If-Match. A level only for schemes that certify one (ISASecure CSA and SSA 1-4, EDSA 1-3)."""

    model = Certificate
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    select_related = ("product",)
    parent_fields: ClassVar[tuple[str, ...]] = ("product",)
    create_denied = "Your role lets you read this product's certificates, not add one."

    def parent_of(self, data: dict[str, Any], instance: Any) -> Model:
        parent: Model = data.get("product") or instance.product
        return parent

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        file = data.pop("file", None)
        try:
            return certificate_services.certificate_save(
                by=self.user,
                fields=data,
                certificate=None if instance._state.adding else instance,
                file=file,
                expected_version=version,
            )
        except EvidenceTooLarge as exc:
            raise PayloadTooLarge(exc.message_dict) from exc

    def delete_object(self, instance: Any, version: int | None) -> None:
        certificate_services.certificate_delete(certificate=instance, by=self.user, expected_version=version)

    @extend_schema(
        responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The certificate document.")}
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The certificate document as uploaded, with its SHA-256 in `X-Checksum-SHA256`."""
        certificate = self.get_object()
        if not certificate.file:
            raise NotFound("No document was uploaded for this certificate.")
        return evidence_file_response(certificate)
