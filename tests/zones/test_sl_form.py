"""The SL-T form: the compact box wins over the seven boxes (and the page says so), and a refused value comes
back in its field with its message instead of vanishing."""

from __future__ import annotations

import pytest
from django.test import Client

from compliance.sl import SLVector
from tests.conftest import Personas
from zones.forms import ZoneForm
from zones.models import Zone

pytestmark = pytest.mark.django_db
SEVEN = {f"sl_target_FR{n}": "1" for n in range(1, 8)}


def test_the_compact_box_wins_over_the_seven_boxes() -> None:
    form = ZoneForm({"name": "Z", "kind": "control", "criticality": "medium", **SEVEN,
                     "sl_target_compact": "{3,3,3,3,3,3,3}"})  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sl_target"] == SLVector.parse("{3,3,3,3,3,3,3}")


def test_a_refused_compact_value_stays_in_its_box_with_the_message(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.consultant)
    page = client.post(
        f"/sites/{personas.site.pk}/zones/new/",
        {"name": "Z", "kind": "control", "criticality": "medium", "sl_target_compact": "{2,2,9,1,3,1,2}"},
    ).content.decode()
    assert 'value="{2,2,9,1,3,1,2}"' in page
    assert "FR3 must be between 0 and 4, not 9" in page
    assert not Zone.objects.filter(name="Z").exists()


def test_a_refused_level_stays_in_its_box(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.consultant)
    data = {"name": "Z", "kind": "control", "criticality": "medium", **SEVEN, "sl_target_FR5": "7"}
    page = client.post(f"/sites/{personas.site.pk}/zones/new/", data).content.decode()
    assert 'name="sl_target_FR5" value="7"' in page
    assert "FR5 must be between 0 and 4, not 7" in page


def test_the_edit_form_shows_the_saved_levels_and_explains_which_entry_counts(personas: Personas) -> None:
    zone = Zone.objects.create(site=personas.site, name="Saved", sl_target=SLVector.parse("{2,2,1,1,3,1,2}"))
    client = Client()
    client.force_login(personas.consultant)
    page = client.get(f"/zones/{zone.pk}/edit/").content.decode()
    assert 'name="sl_target_FR5" value="3"' in page
    # The compact box starts empty (the saved vector is its placeholder), so the seven boxes are usable.
    assert 'name="sl_target_compact" value=""' in page and 'placeholder="{2,2,1,1,3,1,2}"' in page
    assert "When the compact box is filled, it counts" in page
    assert "js/zones-form.js" in page


def test_a_unicode_digit_is_a_field_error_not_a_crash() -> None:
    """A "²" is a digit to str.isdigit() but no number to int(): the form says so instead of answering 500."""
    from django.core.exceptions import ValidationError

    from compliance.fields import SLVectorFormField

    field = SLVectorFormField()
    levels = {f"FR{n}": "2" for n in range(1, 8)} | {"FR1": "²", "compact": ""}
    with pytest.raises(ValidationError):
        field.clean(levels)
