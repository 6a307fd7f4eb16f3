"""The API contract in the OpenAPI schema: what a client sends, what it reads back, If-Match, and every error.

`ZonewiseSchema` is REST framework's DEFAULT_SCHEMA_CLASS: each operation gets the error answers the shared
plumbing gives (core.api.errors, core.api.viewsets, DRF's authentication and pagination), added here once
instead of on every view, so that a client generated from the schema knows every status code it can meet.
`ServiceSchema` adds what the write contract of core.api.viewsets does on top: requests use the write
serializer, responses the representation, and versioned writes need If-Match.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from core.versioning import Versioned

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag you read, e.g. "3" (a weak ETag such as W/"3" never matches: 412). '
    "Without it: 428. When someone changed the object since: 412.",
)
WRITES = ("update", "partial_update", "destroy")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# The bodies of the errors (components, so that clients get one type for each).
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "What went wrong, in a sentence a person can act on.",
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": 'Refused input: each field (or "non_field_errors", or "detail") names what is wrong with it, '
    "usually as a list of messages (nested for lists and objects).",
}
STALE = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "current": {"type": "object", "additionalProperties": {}}},
    "required": ["detail"],
    "description": 'Nothing was saved: "current" is the object as saved now (its version in the ETag header).',
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}
ETAG = {"ETag": {"schema": {"type": "string"}, "description": 'The version of what is saved now, e.g. "4".'}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: str = "Error", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"content": {"application/json": {"schema": _ref(schema)}}, "description": description}
    if headers:
        answer["headers"] = headers
    return answer


class ZonewiseSchema(AutoSchema):
    """drf-spectacular's schema of one operation, plus the error answers every view shares."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._register_error_components()
        responses: dict[str, Any] = operation["responses"]
        for code, answer in self.error_responses(operation).items():
            responses.setdefault(str(code), answer)
        return operation

    def _register_error_components(self) -> None:
        for name, schema in (("Error", ERROR), ("FieldErrors", FIELD_ERRORS), ("StaleWrite", STALE)):
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
            self.registry.register_on_missing(component)

    def _public(self) -> bool:
        classes = getattr(self.view, "permission_classes", ())
        return bool(classes) and all(c is AllowAny for c in classes)

    def error_responses(self, operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
        """The errors this operation can answer, from what it takes and who may call it."""
        parameters = operation.get("parameters", [])
        takes_input = "requestBody" in operation or any(p.get("in") in ("query", "header") for p in parameters)
        unsafe = self.method in UNSAFE
        errors: dict[int, dict[str, Any]] = {}
        # A write without a body can still be refused by its service (say, a capability finding for an asset
        # without a gap): 400 as well.
        if takes_input or unsafe:
            errors[400] = _answer("Refused input: nothing was done.", "FieldErrors")
        if isinstance(self.view, ObtainAuthToken) or self._public():
            if isinstance(self.view, ObtainAuthToken):
                errors[429] = _answer("Too many failed attempts: locked out for a while.", headers=RETRY_AFTER)
        else:
            errors[401] = _answer("Not signed in: send `Authorization: Token <token>` (or a session cookie).")
            if unsafe:
                errors[403] = _answer("Your role lets you read this, not change it (or a missing CSRF token).")
            # A create has nothing to find, unless it is made under an object named in the path.
            in_path = any(p.get("in") == "path" for p in parameters)
            if getattr(self.view, "action", None) != "create" or in_path:
                errors[404] = _answer(
                    "Not found: it does not exist, or not for you (another organization's objects), or no such page."
                )
        if self.method == "DELETE" and hasattr(self.view, "delete_object"):  # core.api.viewsets: InUse
            errors[409] = _answer("Still in use (for example by an assessment): nothing was deleted.")
        if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
            errors[412] = _answer("Changed since you read it (or not an ETag of this API).", "StaleWrite", ETAG)
            errors[428] = _answer("If-Match is missing: send the ETag you read.")
        if unsafe:
            errors[503] = _answer("The database is busy with another write: try again shortly.", headers=RETRY_AFTER)
        return errors


class ServiceSchema(ZonewiseSchema):
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
            return {200: representation}  # 412 and 428 come with the If-Match parameter
        return super().get_response_serializers()


def drop_duplicate_file_routes(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[Any]:
    """A SPECTACULAR preprocessing hook: a file served at `.../name.ext` (the documented address) and also by
    the router at `.../name.ext/` is one operation, documented once, without the slash."""
    paths = {(path, method) for path, _regex, method, _view in endpoints}
    return [
        endpoint
        for endpoint in endpoints
        if not (
            endpoint[0].endswith("/")
            and "." in endpoint[0].rstrip("/").rsplit("/", 1)[-1]
            and (endpoint[0].rstrip("/"), endpoint[2]) in paths
        )
    ]
