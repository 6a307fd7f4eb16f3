"""The JSON shapes of frameworks, their items and an assessment's coverage. The item and coverage shapes are
built from alignment.coverage's plain rows (already read in a fixed number of queries), not from models."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from alignment.choices import Coverage
from alignment.coverage import ItemCoverage, ItemRow
from alignment.models import Framework
from alignment.selectors import AssessmentCoverage
from assessments.models import Assessment


class FrameworkSerializer(serializers.ModelSerializer[Framework]):
    """A loaded framework: its key (used in URLs), names, edition and our data version, and its sources."""

    id = serializers.CharField(source="key", help_text='The framework\'s key, e.g. "nist-csf-2".')
    item_count = serializers.IntegerField(read_only=True)
    sources = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = Framework
        fields = ["id", "name", "short_name", "edition", "version", "url", "sources", "item_count", "loaded_at"]
        read_only_fields = fields


def framework_brief(framework: Framework) -> dict[str, str]:
    return {
        "id": framework.key,
        "name": framework.name,
        "short_name": framework.short_name,
        "edition": framework.edition,
        "version": framework.version,
    }


def item_data(item: ItemRow) -> dict[str, Any]:
    """A framework item with its mappings and the 62443-3-3 ids they name (`iec`: all of them, once)."""
    return {
        "id": item.ref,
        "title": item.title,
        "group": item.group or None,
        "group_title": item.group_title or None,
        "iec": list(item.refs),
        "mappings": [
            {"relationship": m.relationship, "iec": list(m.refs), "rationale": m.rationale, "source": m.source}
            for m in item.mappings
        ],
        "no_counterpart": item.no_counterpart or None,
    }


def _item_coverage(entry: ItemCoverage, targets: dict[Any, dict[str, str]]) -> dict[str, Any]:
    item = entry.item
    return {
        "id": item.ref,
        "title": item.title,
        "group": item.group or None,
        "relationships": list(item.relationships),
        "coverage": entry.coverage,
        "iec": list(item.refs),
        "no_counterpart": item.no_counterpart or None,
        "status_counts": entry.status_counts,
        "results": [
            {"id": str(r.id), "requirement": r.ref, "target": targets[r.target_id], "status": r.status}
            for r in entry.results
        ],
    }


def coverage_data(assessment: Assessment, data: AssessmentCoverage) -> dict[str, Any]:
    """GET /assessments/{id}/coverage/: the counts of items per coverage at the top, then every item."""
    # One dict per zone or conduit, shared by its results (a 20-zone assessment lists each target ~100 times).
    targets: dict[Any, dict[str, str]] = {}
    for entry in data.coverage.items:
        for r in entry.results:
            if r.target_id not in targets:
                targets[r.target_id] = {"id": str(r.target_id), "name": r.target_name, "kind": r.target_kind}
    return {
        "assessment": str(assessment.pk),
        "framework": framework_brief(data.framework),
        "counts": data.coverage.counts,
        "coverage_labels": {value: str(label) for value, label in Coverage.choices},
        "items": [_item_coverage(entry, targets) for entry in data.coverage.items],
    }
