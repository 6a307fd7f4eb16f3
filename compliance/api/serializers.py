from rest_framework import serializers

from compliance.models import Requirement


class RequirementSerializer(serializers.ModelSerializer[Requirement]):
    id = serializers.CharField(source="ref", help_text='The standard\'s id, e.g. "SR 1.1 RE 1".')
    part = serializers.CharField(source="catalogue.part")
    fr = serializers.CharField(source="fr_id", allow_null=True)
    # The metaclass moves declared fields off the class, so this does not shadow Field.parent at run time.
    parent = serializers.CharField(source="parent.ref", allow_null=True, default=None)  # type: ignore[assignment]
    component_types = serializers.ListField(child=serializers.CharField())
    catalogue_version = serializers.CharField(source="catalogue.version")

    class Meta:
        model = Requirement
        fields = [
            "id", "part", "fr", "kind", "title", "lowest_sl", "parent", "component_types",
            "assessable", "note", "guidance", "catalogue_version",
        ]  # fmt: skip
        read_only_fields = fields
