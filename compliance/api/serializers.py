from typing import Any

from rest_framework import serializers

from compliance.models import LevelOverride, LicensedText, Requirement
from core.api.fields import PersonField, StrictFieldsMixin


class RequirementSerializer(serializers.ModelSerializer[Requirement]):
    id = serializers.CharField(source="ref", help_text='The standard\'s id, e.g. "SR 1.1 RE 1".')
    part = serializers.CharField(source="catalogue.part")
    fr = serializers.CharField(source="fr_id", allow_null=True)
    # The metaclass moves declared fields off the class, so this does not shadow Field.parent at run time.
    parent = serializers.CharField(source="parent.ref", allow_null=True, default=None)  # type: ignore[assignment]
    component_types = serializers.ListField(child=serializers.CharField())
    catalogue_version = serializers.CharField(source="catalogue.version")
    disputed = serializers.BooleanField(help_text="Public sources disagree on this item; `note` says how.")

    class Meta:
        model = Requirement
        fields = [
            "id", "part", "fr", "kind", "title", "lowest_sl", "parent", "component_types",
            "assessable", "disputed", "note", "guidance", "catalogue_version",
        ]  # fmt: skip
        read_only_fields = fields


# --- what one organization adds (decision 0032) ---------------------------------------------------------------
class LevelOverrideSerializer(serializers.ModelSerializer[LevelOverride]):
    """An organization's level override of one 3-3 item, as read back."""

    requirement = serializers.CharField(source="ref", help_text='The 3-3 item\'s id, e.g. "SR 1.1 RE 1".')
    catalogue_sl = serializers.SerializerMethodField(help_text="The level the current catalogue gives the item.")
    created_by = PersonField(allow_null=True)

    class Meta:
        model = LevelOverride
        fields = [
            "id", "organization", "requirement", "lowest_sl", "catalogue_sl", "reason", "created_by", "created",
            "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_catalogue_sl(self, obj: LevelOverride) -> int | None:
        levels: dict[str, int | None] = self.context.get("catalogue_levels") or {}
        return levels.get(obj.ref)


class LevelOverrideCreateSerializer(StrictFieldsMixin, serializers.Serializer[LevelOverride]):
    """What an admin sends to set (or replace) an override; the service checks the item and the level."""

    organization = serializers.UUIDField()
    requirement = serializers.CharField(max_length=30, help_text='The 3-3 item\'s id, e.g. "SR 1.1 RE 1".')
    lowest_sl = serializers.IntegerField(help_text="1 to 4, not the catalogue's own level.")
    reason = serializers.CharField(allow_blank=True, help_text="Why the organization reads the item differently.")


class LicensedTextSerializer(serializers.ModelSerializer[LicensedText]):
    """One licensed text, as its own organization's members read it."""

    id = serializers.CharField(source="ref", help_text="The requirement's id.")
    imported_by = PersonField(allow_null=True)

    class Meta:
        model = LicensedText
        fields = ["id", "part", "organization", "text", "guidance", "imported_by", "imported_at"]
        read_only_fields = fields


class LicensedTextImportSerializer(serializers.Serializer[Any]):
    """A CSV or JSON file (id, text, guidance, and part for an id in two parts) and the organization."""

    organization = serializers.UUIDField()
    file = serializers.FileField(help_text="CSV with a header row, or JSON: a list of objects. UTF-8.")
