"""The viewset bases: reads through the permission door, writes through services under one If-Match contract.

Reads go through `accounts.access.restrict` (404 outside the caller's scope); a write needs `Action.CHANGE`
on the object (403 for readers such as auditors) or on the scope a new or moved object lands in.

Writes: create validates, checks that scope and calls a service; PATCH/PUT and DELETE of a versioned object
need If-Match (428 without it; a stale one, or a StaleObjectError from the service, is 412 with the current
representation under "current" and its ETag); InUse is 409; a model or service ValidationError is 400 with
field errors (core.api.errors.exception_handler). Every response of a single object carries its ETag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.access import Action, can, restrict
from core.api.errors import Conflict, expected_version, required_version, stale_response, with_etag
from core.api.schema import ServiceSchema
from core.http import user_of
from core.versioning import InUse, StaleObjectError, Versioned

if TYPE_CHECKING:
    from accounts.models import User


class ScopedViewSet(viewsets.GenericViewSet[Any]):
    """One object read through the door, with its ETag, and the write contract the verb mixins use.

    Declare `model`, `serializer_class` (the representation read back), optionally `create_serializer_class`
    and `update_serializer_class` (what a client sends), `parent_of` with `parent_fields` (where a new or
    moved object lands: the caller needs `parent_action` there), and the service calls: `save_object` (one
    service for create and update) or `create_object` / `update_object`, and `delete_object`."""

    schema = ServiceSchema()
    model: ClassVar[type[models.Model]]
    select_related: ClassVar[tuple[str, ...]] = ()
    prefetch_related: ClassVar[tuple[str, ...]] = ()
    create_serializer_class: ClassVar[type[BaseSerializer[Any]] | None] = None
    update_serializer_class: ClassVar[type[BaseSerializer[Any]] | None] = None
    parent_fields: ClassVar[tuple[str, ...]] = ()
    parent_action: ClassVar[Action] = Action.CHANGE
    change_denied: ClassVar[str] = "Your role lets you read this, not change it."
    create_denied: ClassVar[str] = "Your role lets you read this, not add to it."
    move_denied: ClassVar[str] = "You cannot move this into a site you may not change."
    created_status: ClassVar[int] = status.HTTP_201_CREATED

    # --- what subclasses declare -----------------------------------------------------------------------
    def parent_of(self, data: dict[str, Any], instance: Any) -> models.Model | None:
        """The scope object a new (instance None) or moved object lands in."""
        raise NotImplementedError(f"{type(self).__name__} must say where its objects belong (parent_of).")

    def save_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} declares no service (save_object).")

    def create_object(self, data: dict[str, Any]) -> Any:
        return self.save_object(self.model(), data, None)

    def update_object(self, instance: Any, data: dict[str, Any], version: int | None) -> Any:
        return self.save_object(instance, data, version)

    def delete_object(self, instance: Any, version: int | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} declares no delete service (delete_object).")

    # --- reads -----------------------------------------------------------------------------------------
    @property
    def user(self) -> User:
        """The signed-in caller (the API serves only authenticated requests)."""
        return user_of(self.request)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = restrict(self.model._default_manager.all(), self.request.user, Action.VIEW)
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        return with_etag(Response(self.get_serializer(obj).data), getattr(obj, "version", None))

    def represent(self, obj: models.Model) -> tuple[dict[str, Any], int | None]:
        """The read representation of `obj` as now saved, read again through the door, and its version."""
        fresh = self.get_queryset().get(pk=obj.pk)
        serializer = self.serializer_class(fresh, context=self.get_serializer_context())  # type: ignore[misc]
        return dict(serializer.data), getattr(fresh, "version", None)

    # --- the write contract ----------------------------------------------------------------------------
    def check_change(self, obj: models.Model) -> None:
        if not can(self.request.user, Action.CHANGE, obj):
            raise PermissionDenied(self.change_denied)

    def get_object_for_change(self) -> Any:
        """The object of a write: 404 when the caller cannot see it, 403 when they may only read it."""
        obj = self.get_object()
        self.check_change(obj)
        return obj

    def check_parent(self, data: dict[str, Any], instance: Any, denied: str) -> None:
        parent = self.parent_of(data, instance)
        if parent is not None and not can(self.request.user, self.parent_action, parent):
            raise PermissionDenied(denied)

    def write_version(self, request: Request) -> int | None:
        """The version a write is based on: required (428 without it) when the model is versioned."""
        return required_version(request) if issubclass(self.model, Versioned) else expected_version(request)

    def saved(self, obj: models.Model, status_code: int = status.HTTP_200_OK) -> Response:
        """The answer to a write: the object as now saved with its ETag (and its Location when new)."""
        body, version = self.represent(obj)
        links = body.get("links")
        new = status_code != status.HTTP_200_OK and isinstance(links, dict) and "self" in links
        headers = {"Location": links["self"]} if new else None  # type: ignore[index]
        return with_etag(Response(body, status=status_code, headers=headers), version)

    def handle_exception(self, exc: Exception) -> Response:
        # The services raise these anywhere in a write (custom actions too): one answer for each.
        if isinstance(exc, StaleObjectError):
            body, version = self.represent(exc.obj)
            return stale_response(body, version or exc.obj.version)
        if isinstance(exc, InUse):
            exc = Conflict(str(exc))
        return super().handle_exception(exc)


class ServiceCreateMixin:
    """POST: validate, check the scope the new object lands in, call the service."""

    def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        self.check_parent(data, None, self.create_denied)
        return self.saved(self.create_object(data), self.created_status)


class ServiceUpdateMixin:
    """PATCH (and PUT where allowed), under If-Match."""

    def update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object_for_change()
        version = self.write_version(request)
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if any(name in data for name in self.parent_fields):
            self.check_parent(data, instance, self.move_denied)
        return self.saved(self.update_object(instance, data, version))

    def partial_update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


class ServiceDestroyMixin:
    """DELETE, under If-Match."""

    def destroy(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object_for_change()
        self.delete_object(instance, self.write_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceViewSet(ServiceCreateMixin, ServiceUpdateMixin, ServiceDestroyMixin, mixins.ListModelMixin, ScopedViewSet):
    """The base of every writable endpoint: list, read, create, PATCH/PUT, DELETE. Narrow the verbs with
    `http_method_names`; an endpoint without a list (one object at a time) composes `ScopedViewSet` with
    the verb mixins it has instead, so that no new URL appears."""
