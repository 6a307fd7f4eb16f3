"""How the API shows an object's change log (core.history.change_log): one entry per save, its changes per
field. Shared by every endpoint with a `history/` action (gap results, component results)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ChangeSerializer(serializers.Serializer[Any]):
    """One field of one change: `field`, `label`, `from`, `to`, `from_display`, `to_display`."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword and "label" a Field attribute, so they cannot be class attributes.
        return {
            "field": serializers.CharField(),
            "label": serializers.CharField(),
            "from": serializers.JSONField(),
            "to": serializers.JSONField(),
            "from_display": serializers.CharField(),
            "to_display": serializers.CharField(),
        }


class HistoryEntrySerializer(serializers.Serializer[Any]):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    who_id = serializers.UUIDField(allow_null=True)
    kind = serializers.ChoiceField(choices=["created", "changed"])
    changes = ChangeSerializer(many=True)
