from rest_framework import serializers

from accounts.models import Organization


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    role = serializers.SerializerMethodField(help_text="The caller's role in this organization.")

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "currency", "role", "created"]
        read_only_fields = fields

    def get_role(self, obj: Organization) -> str | None:
        roles: dict[object, str] = self.context.get("roles", {})
        return roles.get(obj.pk)
