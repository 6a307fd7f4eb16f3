"""Loading framework files with `manage.py load_catalogue`: validation names file and entry, a refused run
writes nothing (catalogue included), loading is idempotent, a new data version replaces the items."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from alignment.models import Framework, FrameworkItem, MappingTarget
from tests.alignment.helpers import GOOD, KEY, write_variant

pytestmark = pytest.mark.django_db


def load(folder: Path) -> None:
    call_command("load_catalogue", frameworks_dir=folder, verbosity=0, stdout=io.StringIO())


def item_named(document: dict[str, Any], ref: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in document["items"] if i["id"] == ref)
    return found


def unknown_id(d: dict[str, Any]) -> None:
    item_named(d, "A-1")["mappings"][0]["iec"] = ["SR 1.1", "SR 9.9"]


def unknown_relationship(d: dict[str, Any]) -> None:
    item_named(d, "A-2")["mappings"][1]["relationship"] = "related_to"


def duplicate_item(d: dict[str, Any]) -> None:
    d["items"].append(dict(item_named(d, "A-3")))


def both(d: dict[str, Any]) -> None:
    item_named(d, "A-4")["no_counterpart"] = "Also nothing maps?"


def neither(d: dict[str, Any]) -> None:
    del item_named(d, "G-1")["no_counterpart"]


def bad_source(d: dict[str, Any]) -> None:
    item_named(d, "A-3")["mappings"][0]["source"] = "wikipedia"


def unknown_group(d: dict[str, Any]) -> None:
    item_named(d, "A-1")["group"] = "Z"


def duplicate_ref_in_mapping(d: dict[str, Any]) -> None:
    item_named(d, "A-1")["mappings"][0]["iec"] = ["SR 1.1", "SR 1.1"]


def unknown_key(d: dict[str, Any]) -> None:
    item_named(d, "A-5")["text"] = "The regulation's own sentence"


def cr_id(d: dict[str, Any]) -> None:
    item_named(d, "A-1")["mappings"][0]["iec"] = ["CR 1.1"]  # a 4-2 id is not a 3-3 item


REFUSALS: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    (unknown_id, "A-1 mapping #1", "'SR 9.9' is not an SR or RE of the IEC 62443-3-3 catalogue"),
    (cr_id, "A-1 mapping #1", "'CR 1.1' is not an SR or RE"),
    (unknown_relationship, "A-2 mapping #2", "relationship 'related_to' is not one of"),
    (duplicate_item, "A-3", "duplicate id"),
    (both, "A-4", "has both 'mappings' and 'no_counterpart'"),
    (neither, "G-1", "needs 'mappings' or"),
    (bad_source, "A-3 mapping #1", "source 'wikipedia' is not a key of 'sources'"),
    (unknown_group, "A-1", "group 'Z' is not one of the file's groups"),
    (duplicate_ref_in_mapping, "A-1 mapping #1", "'SR 1.1' is listed twice"),
    (unknown_key, "A-5", "unknown keys: text"),
]


@pytest.mark.parametrize(("change", "entry", "message"), REFUSALS, ids=[r[0].__name__ for r in REFUSALS])
def test_a_bad_file_is_refused_naming_file_and_entry_and_nothing_is_written(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], entry: str, message: str
) -> None:
    folder = write_variant(tmp_path, change)
    write_variant(tmp_path, lambda d: d.update(key="good-one"), name="good-one")  # a good file beside it
    with pytest.raises(CommandError) as refused:
        load(folder)
    text = str(refused.value)
    assert text.startswith("Catalogue refused, nothing written: test-fw.yaml: ")
    assert f"test-fw.yaml: {entry}: " in text
    assert message in text
    assert not Framework.objects.filter(key__in=[KEY, "good-one"]).exists()


def test_a_key_that_is_not_the_file_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="key 'other' must equal the file name"):
        load(write_variant(tmp_path, lambda d: d.update(key="other")))


def test_loading_is_idempotent_and_builds_items_mappings_and_targets() -> None:
    load(GOOD)
    framework = Framework.objects.get(key=KEY)
    sha = framework.sha256
    load(GOOD)
    assert Framework.objects.filter(key=KEY).count() == 1
    assert Framework.objects.get(key=KEY).sha256 == sha
    items = {i.ref: i for i in FrameworkItem.objects.filter(framework=framework).prefetch_related("mappings")}
    assert list(items) == ["A-1", "A-2", "A-3", "A-4", "A-5", "G-1"]
    assert items["G-1"].no_counterpart.startswith("Governance")
    assert [m.relationship for m in items["A-2"].mappings.all()] == ["subset_of", "intersects_with"]
    assert items["A-1"].group is not None and items["A-1"].group.title == "Access"
    assert set(MappingTarget.objects.filter(mapping__item__framework=framework).values_list("ref", flat=True)) == {
        "SR 1.1", "SR 1.3", "SR 1.4", "SR 1.5", "SR 1.6", "SR 1.1 RE 3",
    }  # fmt: skip


def test_changed_content_under_a_loaded_version_is_refused(tmp_path: Path) -> None:
    load(GOOD)
    folder = write_variant(tmp_path, lambda d: item_named(d, "A-1").update(title="Changed title"))
    with pytest.raises(CommandError, match=r"content changed but version 1\.0\.0 is already loaded"):
        load(folder)
    assert FrameworkItem.objects.get(framework__key=KEY, ref="A-1").title == "Users are identified"


def test_a_new_version_replaces_the_items(tmp_path: Path) -> None:
    load(GOOD)
    framework_id = Framework.objects.get(key=KEY).pk

    def change(d: dict[str, Any]) -> None:
        d["version"] = "1.1.0"
        d["items"] = [i for i in d["items"] if i["id"] != "A-5"]

    load(write_variant(tmp_path, change))
    framework = Framework.objects.get(key=KEY)
    assert framework.pk == framework_id and framework.version == "1.1.0"
    assert not FrameworkItem.objects.filter(framework=framework, ref="A-5").exists()
    assert not MappingTarget.objects.filter(mapping__item__framework=framework, ref="SR 1.1 RE 3").exists()


def test_the_shipped_framework_files_load() -> None:
    """alignment/frameworks/*.yaml (the real data) pass validation against the shipped catalogue."""
    from alignment.loader import FRAMEWORKS_DIR, read_frameworks, system_refs
    from compliance.loader import read_all

    datas = read_frameworks(system_refs(read_all()), FRAMEWORKS_DIR)
    shipped = sorted(path.stem for path in FRAMEWORKS_DIR.glob("*.yaml"))
    assert shipped == ["iso-27001-2022", "nerc-cip", "nis2", "nist-csf-2", "tsa-pipeline"]
    assert sorted(d.key for d in datas) == shipped and all(d.items for d in datas)
