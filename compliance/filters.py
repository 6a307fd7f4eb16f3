"""The catalogue filters, shared by the catalogue page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from compliance.choices import FR_CODES, ComponentType, Part
from compliance.models import Requirement


class DisputedWidget(django_filters.widgets.BooleanWidget):
    """true/false as the API takes them, with choices a person reads on the catalogue page."""

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", "All items"), ("true", "Disputed only"), ("false", "Not disputed")]


class RequirementFilter(django_filters.FilterSet):
    part = django_filters.ChoiceFilter(choices=Part.choices, field_name="catalogue__part", empty_label="All parts")
    fr = django_filters.ChoiceFilter(
        choices=[(c, c) for c in FR_CODES], field_name="fr_id", empty_label="All FRs", label="Foundational requirement"
    )
    sl = django_filters.ChoiceFilter(
        choices=[(str(n), f"SL{n}") for n in range(1, 5)],
        method="filter_sl",
        label="Selected at SL",
        empty_label="Any level",
    )
    component_type = django_filters.ChoiceFilter(
        choices=ComponentType.choices,
        method="filter_component_type",
        empty_label="All component types",
        label="Component type",
    )
    assessable = django_filters.BooleanFilter(
        widget=django_filters.widgets.BooleanWidget(), label="Assessable only (true/false)"
    )
    disputed = django_filters.BooleanFilter(
        method="filter_disputed",
        widget=DisputedWidget(),
        label="Disputed",
        help_text="Items on which public sources disagree; the note says how.",
    )
    q = django_filters.CharFilter(method="filter_text", label="Search")

    class Meta:
        model = Requirement
        fields = ["part", "fr", "sl", "component_type", "assessable", "disputed"]

    def filter_sl(self, queryset: QuerySet[Requirement], name: str, value: str) -> QuerySet[Requirement]:
        """Items selected at or below this level (selection is cumulative)."""
        return queryset.filter(assessable=True, lowest_sl__lte=int(value))

    def filter_component_type(self, queryset: QuerySet[Requirement], name: str, value: str) -> QuerySet[Requirement]:
        return queryset.filter(**{f"applies_{value.lower()}": True})

    def filter_disputed(self, queryset: QuerySet[Requirement], name: str, value: bool | None) -> QuerySet[Requirement]:
        """Disputed items are those with a note (Requirement.disputed); `false` keeps the others."""
        if value is None:
            return queryset
        return queryset.exclude(note="") if value else queryset.filter(note="")

    def filter_text(self, queryset: QuerySet[Requirement], name: str, value: str) -> QuerySet[Requirement]:
        from django.db.models import Q

        return queryset.filter(Q(ref__icontains=value) | Q(title__icontains=value))


def catalogue_queryset() -> QuerySet[Requirement]:
    """Current releases' items, in the standard's order, with what the list shows."""
    return (
        Requirement.objects.current()
        .select_related("catalogue", "fr", "parent")
        .order_by("catalogue__part", "position")
    )
