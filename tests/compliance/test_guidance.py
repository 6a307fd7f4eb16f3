"""The remediation guidance file: every 3-3 item has our advice, nothing else does, and loading it is
validating and idempotent."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from compliance.loader import CATALOGUE_DIR, MAX_GUIDANCE_CHARS, read_all, read_guidance
from compliance.models import Catalogue, Requirement

GUIDANCE_FILE = CATALOGUE_DIR / "iec62443-3-3-guidance.yaml"


def catalogue_titles() -> dict[str, str]:
    """Id -> title of every 3-3 item, straight from the catalogue file."""
    doc = yaml.safe_load((CATALOGUE_DIR / "iec62443-3-3.yaml").read_text())
    return {str(item["id"]): str(item["title"]) for item in doc["items"]}


def guidance_texts() -> dict[str, str]:
    return read_guidance(read_all())[0].texts


def test_every_3_3_item_has_guidance_and_no_guidance_names_an_unknown_id() -> None:
    ids = list(catalogue_titles())
    texts = guidance_texts()
    assert len(ids) == 100  # 51 SRs + 49 REs
    assert sorted(texts) == sorted(ids)
    raw = yaml.safe_load(GUIDANCE_FILE.read_text())["guidance"]
    assert len(raw) == len(texts)  # no id given twice under different spellings


def test_guidance_is_short_and_not_a_copy_of_the_title() -> None:
    titles = catalogue_titles()
    texts = guidance_texts()
    for ref, text in texts.items():
        assert 60 <= len(text) <= MAX_GUIDANCE_CHARS, ref
        assert text.lower() != titles[ref].lower(), ref
    assert len(set(texts.values())) == len(texts)  # each item gets its own advice


@pytest.mark.django_db
def test_loaded_guidance_reaches_every_requirement_of_the_current_3_3_release() -> None:
    texts = guidance_texts()
    rows = Requirement.objects.current().filter(catalogue__part="3-3")
    assert {r.ref: r.guidance for r in rows} == texts
    assert not Requirement.objects.current().exclude(catalogue__part="3-3").exclude(guidance="").exists()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for path in CATALOGUE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def snapshot() -> list[tuple[str, str, str]]:
    return sorted(Requirement.objects.values_list("catalogue__version", "ref", "guidance"))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.django_db
def test_loading_twice_writes_no_guidance(data_dir: Path) -> None:
    before = snapshot()
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    assert snapshot() == before
    out = StringIO()
    call_command("load_catalogue", dir=data_dir, stdout=out)
    assert "guidance 1.0.0 for 100 of 100 items — 0 requirement rows updated" in out.getvalue()


@pytest.mark.django_db
def test_changed_guidance_updates_every_release_without_a_new_catalogue_version(data_dir: Path) -> None:
    # An older release pinned by some assessment: it gets the better advice too.
    replace_in(data_dir / "iec62443-3-3.yaml", 'version: "1.0.0"', 'version: "1.0.1"')
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    assert Catalogue.objects.filter(part="3-3").count() == 2
    path = data_dir / "iec62443-3-3-guidance.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["guidance"]["SR 1.12"] = "Show a logon banner on every HMI and jump host."
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    call_command("load_catalogue", dir=data_dir, verbosity=0)
    texts = set(Requirement.objects.filter(ref="SR 1.12", catalogue__part="3-3").values_list("guidance", flat=True))
    assert texts == {"Show a logon banner on every HMI and jump host."}
    assert Catalogue.objects.filter(part="3-3").count() == 2  # no new release for new advice


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"SR 7.8": >-', '"SR 7.9": >-', "SR 7.9: unknown id"),
        ('"SR 1.1 RE 1": >-', '"SR 1.1 RE 9": >-', "SR 1.1 RE 9: unknown id"),
        ('part: "3-3"', 'part: "2-4"', "part '2-4' has no catalogue file"),
    ],
)
def test_bad_guidance_is_refused_naming_the_entry_and_nothing_is_written(
    data_dir: Path, old: str, new: str, message: str
) -> None:
    replace_in(data_dir / "iec62443-3-3.yaml", 'version: "1.0.0"', 'version: "1.0.1"')
    replace_in(data_dir / "iec62443-3-3-guidance.yaml", old, new)
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        call_command("load_catalogue", dir=data_dir, verbosity=0)
    assert snapshot() == before


@pytest.mark.django_db
def test_empty_long_and_inline_guidance_are_refused(data_dir: Path) -> None:
    path = data_dir / "iec62443-3-3-guidance.yaml"
    doc = yaml.safe_load(path.read_text())
    for text, message in (("  ", "SR 1.4: guidance must be a non-empty text"), ("x" * 301, "SR 1.4: 301 characters")):
        path.write_text(yaml.safe_dump({**doc, "guidance": {**doc["guidance"], "SR 1.4": text}}))
        with pytest.raises(CommandError, match=message):
            call_command("load_catalogue", dir=data_dir, verbosity=0)
    path.write_text(yaml.safe_dump(doc))
    title = '    title: "Identifier management"\n'
    replace_in(data_dir / "iec62443-3-3.yaml", title, title + '    guidance: "Inline."\n')
    with pytest.raises(CommandError, match=r"SR 1\.4: guidance belongs in iec62443-3-3-guidance\.yaml"):
        call_command("load_catalogue", dir=data_dir, verbosity=0)
