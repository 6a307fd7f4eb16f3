"""load_catalogue: idempotent, validating, and all-or-nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from compliance.loader import CATALOGUE_DIR
from compliance.models import Catalogue, Requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for path in CATALOGUE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def snapshot() -> tuple[int, int]:
    return Catalogue.objects.count(), Requirement.objects.count()


def test_loading_twice_changes_nothing(data_dir: Path) -> None:
    before = snapshot()
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    assert snapshot() == before


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("iec62443-3-3.yaml", 'id: "SR 1.2"', 'id: "SR 1.1"', "SR 1.1: duplicate id"),
        ("iec62443-3-3.yaml", "lowest_sl: 1", "lowest_sl: 5", "must be an integer 1-4"),
        ("iec62443-3-3.yaml", "kind: RE", "kind: XX", "does not belong in part 3-3"),
        ("iec62443-3-3.yaml", 'parent: "SR 1.1"', 'parent: "SR 9.9"', "parent 'SR 9.9' is not in the file"),
        ("iec62443-3-3.yaml", "fr: FR1", "fr: FR9", "is not one of FR1-FR7"),
        ("iec62443-4-2.yaml", "component_types: [SAR, EDR, HDR, NDR]", "component_types: [PLC]", "component_types"),
        ("iec62443-3-2.yaml", "kind: ZCR", "kind: SR", "does not belong in part 3-2"),
    ],
)
def test_bad_files_are_refused_naming_file_and_entry_and_nothing_is_written(
    data_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    # Also bump another file's version: had anything been written before the refusal, it would show.
    other = "iec62443-3-3.yaml" if file == "iec62443-3-2.yaml" else "iec62443-3-2.yaml"
    replace_in(data_dir / other, 'version: "1.0.0"', 'version: "1.0.1"')
    replace_in(data_dir / file, old, new)
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalogue", dir=data_dir, verbosity=0)
    assert file in str(excinfo.value)
    assert message in str(excinfo.value)
    assert snapshot() == before


def test_malformed_yaml_is_refused(data_dir: Path) -> None:
    (data_dir / "iec62443-3-3.yaml").write_text("part: '3-3'\nitems: [unclosed\n")
    with pytest.raises(CommandError, match=r"iec62443-3-3\.yaml: not valid YAML"):
        call_command("load_catalogue", dir=data_dir, verbosity=0)


def test_changed_content_without_a_new_version_is_refused(data_dir: Path) -> None:
    replace_in(data_dir / "iec62443-3-3.yaml", "Human user identification and authentication", "Changed title")
    with pytest.raises(CommandError, match="bump 'version'"):
        call_command("load_catalogue", dir=data_dir, verbosity=0)


def test_a_new_version_becomes_current_and_keeps_the_old_release(data_dir: Path) -> None:
    old = Catalogue.objects.get(part="3-3", is_current=True)
    replace_in(data_dir / "iec62443-3-3.yaml", 'version: "1.0.0"', 'version: "1.1.0"')
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    current = Catalogue.objects.get(part="3-3", is_current=True)
    assert current.version == "1.1.0"
    assert Requirement.objects.filter(catalogue=old).count() == 100
    assert Requirement.objects.current().filter(catalogue__part="3-3").count() == 100
