"""The write contract in the OpenAPI schema: what a client sends, what it reads back, If-Match and its codes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.versioning import Versioned

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag you read, e.g. "3". Without it: 428. When someone changed the object since: 412.',
)
CONTRACT_RESPONSES = {
    412: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description='Changed since you read it: nothing was saved. The body has "detail" and "current" (what '
        "is saved now); the ETag header is its version.",
    ),
    428: OpenApiResponse(description="If-Match is missing."),
}
WRITES = ("update", "partial_update", "destroy")


class ServiceSchema(AutoSchema):
    """Requests use the write serializer, responses the representation; versioned writes need If-Match."""

    def _versioned_write(self) -> bool:
        model = getattr(self.view, "model", None)
        versioned = model is not None and issubclass(model, Versioned)
        return versioned and getattr(self.view, "action", None) in WRITES

    def get_override_parameters(self) -> list[Any]:
        return [*super().get_override_parameters(), *([IF_MATCH] if self._versioned_write() else [])]

    def get_response_serializers(self) -> Any:
        action = getattr(self.view, "action", None)
        representation = getattr(self.view, "serializer_class", None)
        if action == "create" and representation is not None:
            return {getattr(self.view, "created_status", 201): representation}
        if action in ("update", "partial_update") and representation is not None:
            return {200: representation, **(CONTRACT_RESPONSES if self._versioned_write() else {})}
        return super().get_response_serializers()
