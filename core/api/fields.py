"""Serializer and filter building blocks every API shares: ids through the permission door, choices whose
errors name the allowed values, strict field sets, people, fields that may not move, absolute links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.access import Action, organizations_for, restrict
from core.people import person_name

if TYPE_CHECKING:
    from accounts.models import User


def api_url(serializer: serializers.BaseSerializer[Any], name: str, *args: Any) -> str:
    """The URL of a named route, absolute when the serializer has a request to build it from."""
    path = reverse(name, args=args)
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def choice_field(values: Iterable[str], noun: str, **kwargs: Any) -> serializers.ChoiceField:
    """A choice whose error names the allowed values, so a script's author can fix the call."""
    allowed = list(values)
    message = f'"{{input}}" is not a valid {noun}; use one of: {", ".join(allowed)}.'
    return serializers.ChoiceField(choices=allowed, error_messages={"invalid_choice": message}, **kwargs)


def choice_filter(values: Iterable[str], noun: str, **kwargs: Any) -> filters.ChoiceFilter:
    """A list filter on a choice whose error names the allowed values (400 like a field error)."""
    allowed = list(values)
    message = f"%(value)s is not a valid {noun}; use one of: {', '.join(allowed)}."
    return filters.ChoiceFilter(choices=[(v, v) for v in allowed], error_messages={"invalid_choice": message}, **kwargs)


class StrictFieldsMixin:
    """Refuse keys the serializer does not know: a misspelt field must not be dropped silently.
    Keys in `tolerated` (read-only fields of the representation a client sends back) pass."""

    tolerated: tuple[str, ...] = ()

    def validate(self, attrs: Any) -> Any:
        initial = getattr(self, "initial_data", None)
        if initial is not None and hasattr(initial, "keys"):
            known = set(self.fields) | set(self.tolerated)  # type: ignore[attr-defined]
            unknown = sorted(set(initial.keys()) - known)
            if unknown:
                raise serializers.ValidationError({"non_field_errors": [f"Unknown fields: {', '.join(unknown)}."]})
        return super().validate(attrs)  # type: ignore[misc]


class StaysMixin:
    """Fields that place an object in its scope and may not change once it exists: `stays` maps each
    to the message of the 400 (e.g. {"site": "A finding stays on its site."})."""

    stays: ClassVar[dict[str, str]] = {}

    def validate(self, attrs: Any) -> Any:
        instance = getattr(self, "instance", None)
        if instance is not None:
            errors = {
                name: [message]
                for name, message in self.stays.items()
                if name in attrs and getattr(attrs[name], "pk", attrs[name]) != getattr(instance, f"{name}_id")
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().validate(attrs)  # type: ignore[misc]


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id resolved through the door: another organization's object 'does not exist'."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context["request"]
        return restrict(self.model._default_manager.all(), request.user, Action.VIEW)


@extend_schema_field(OpenApiTypes.UUID)
class ScopedIdField(ScopedRelatedField):
    """An id resolved through the door, typed as a UUID in the schema (also on serializers without a model)."""


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}},
    }
)
class PersonField(serializers.Field):
    """A person as {"id", "name"} (read-only)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, str]:
        return {"id": str(value.pk), "name": person_name(value)}


@extend_schema_field(OpenApiTypes.UUID)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A person's id among the members of the organizations the caller can see; anyone else
    'does not exist'. The services check that the person belongs to the object's organization."""

    def get_queryset(self) -> QuerySet[User]:
        request = self.context["request"]
        orgs = organizations_for(request.user, Action.VIEW).values("pk")
        users: QuerySet[User] = get_user_model()._default_manager.filter(memberships__organization__in=orgs)
        return users.distinct()
