"""The page contract in core: the door for pages (get_for) and the form page with its stale-save path."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from accounts.access import Action
from accounts.models import User
from compliance.sl import SLVector
from core.forms import VersionedForm, readable
from core.pages import button_write, creating, form_save, form_view, get_for, posted_version, status_move, updating
from core.versioning import StaleObjectError, save_versioned
from tests.conftest import Personas
from zones.models import Site, Zone

pytestmark = pytest.mark.django_db


class SiteForm(VersionedForm):
    class Meta:
        model = Site
        fields = ["name", "sector", "description"]


def request_as(user: User, method: str = "get", data: dict[str, Any] | None = None) -> HttpRequest:
    request = getattr(RequestFactory(), method)("/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def save_site(site: Site) -> Any:
    def save(form: SiteForm) -> Site:
        with transaction.atomic():
            return save_versioned(site, form.service_fields(), form.expected_version)

    return save


# --- get_for ---------------------------------------------------------------------------------------
def test_get_for_answers_404_outside_the_users_organization(personas: Personas) -> None:
    with pytest.raises(Http404):
        get_for(request_as(personas.consultant), Site, personas.other_site.pk)


def test_get_for_answers_403_to_an_auditor_asking_to_change(personas: Personas) -> None:
    request = request_as(personas.auditor)
    assert get_for(request, Site, personas.site.pk) == personas.site  # reading is fine
    with pytest.raises(PermissionDenied):
        get_for(request, Site, personas.site.pk, Action.CHANGE)


def test_get_for_gives_a_consultant_the_object_with_its_relations(personas: Personas) -> None:
    zone = Zone.objects.create(site=personas.site, name="Control", sl_target=SLVector.uniform(2))
    found = get_for(request_as(personas.consultant), Zone, zone.pk, Action.CHANGE, select=("site",))
    assert found == zone and isinstance(found, Zone)
    assert "site" in found._state.fields_cache  # joined, not fetched later


# --- the stale-save path ---------------------------------------------------------------------------
def test_a_stale_save_keeps_the_input_and_shows_the_current_values(personas: Personas) -> None:
    site = personas.site
    started_from = site.version
    Site.objects.filter(pk=site.pk).update(description="Theirs", sector="power", version=started_from + 1)
    mine = {"name": site.name, "sector": "water", "description": "Mine", "version": str(started_from)}
    form = SiteForm(mine, instance=Site.objects.get(pk=site.pk))

    assert form_save(form, save_site(Site.objects.get(pk=site.pk))) is None

    assert "Someone else saved this site while you were editing" in str(form.non_field_errors())
    assert form.data["description"] == "Mine"  # the user's input stays in the field
    assert form.data["version"] == str(started_from + 1)  # saving again overwrites knowingly
    assert form.current is not None and form.current.version == started_from + 1
    rows = {row.label: row for row in form.conflicts()}
    assert (rows["Description"].theirs, rows["Description"].yours) == ("Theirs", "Mine")
    assert (rows["Sector"].theirs, rows["Sector"].yours) == ("Power", "Water and wastewater")  # labels, not keys
    assert rows["Sector"].differs and not rows["Name"].differs
    assert Site.objects.get(pk=site.pk).description == "Theirs"  # nothing overwritten

    again = SiteForm(form.data, instance=Site.objects.get(pk=site.pk))
    saved = form_save(again, save_site(Site.objects.get(pk=site.pk)))
    assert saved is not None and saved.description == "Mine"


def test_the_form_page_renders_the_conflict_beside_the_input(personas: Personas) -> None:
    site = personas.site
    Site.objects.filter(pk=site.pk).update(description="Theirs", version=site.version + 1)
    data = {"name": site.name, "sector": "water", "description": "Mine", "version": site.version}
    request = request_as(personas.consultant, "post", data)
    form = SiteForm(request.POST, instance=site)
    response = form_view(
        request, form, save_site(site), template="zones/form.html", done="Saved.", context={"title": "Edit"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<td data-role="theirs">Theirs</td><td data-role="yours">Mine</td>' in body
    assert "Save again to overwrite" in body and "Reload the page" not in body


def test_the_form_page_saves_redirects_and_puts_service_errors_on_fields(personas: Personas) -> None:
    site = personas.site
    data = {"name": "Renamed", "sector": "water", "description": "", "version": site.version}
    response = form_view(request_as(personas.consultant, "post", data), SiteForm(data, instance=site),
                         save_site(site), template="zones/form.html", done="Saved {obj.name}.")  # fmt: skip
    assert response.status_code == 302 and response["Location"] == site.get_absolute_url()

    def refuse(form: SiteForm) -> Site:
        raise ValidationError({"name": "That name is taken.", "organization": "Not yours."})

    form = SiteForm({**data, "version": site.version + 1}, instance=Site.objects.get(pk=site.pk))
    assert form_save(form, refuse) is None
    assert form.errors["name"] == ["That name is taken."] and "Not yours." in form.non_field_errors()


def test_readable_values() -> None:
    assert readable(None) == readable("") == readable([]) == "—"
    assert readable(True) == "Yes" and readable(False) == "No"
    assert readable(date(2026, 3, 14)) == "2026-03-14"
    assert readable(SLVector.parse("{2,2,1,1,3,1,2}")) == "{2,2,1,1,3,1,2}"
    assert readable(["a", "b"]) == "a, b"
    assert readable("power", [("water", "Water"), ("power", "Power")]) == "Power"


# --- saving through a service, one-button writes ----------------------------------------------------
class ConduitLikeForm(VersionedForm):
    """A form with a relation the service takes apart from `fields=`."""

    relation_fields = ("zones",)

    class Meta:
        model = Site
        fields = ["name", "sector", "zones"]

    zones = forms.CharField(required=False)


def test_creating_and_updating_hand_the_service_fields_relations_and_version(personas: Personas) -> None:
    calls: list[dict[str, Any]] = []

    def service(**kwargs: Any) -> str:
        calls.append(kwargs)
        return "saved"

    data = {"name": "Plant", "sector": personas.site.sector, "zones": "z1", "version": "3"}
    form = ConduitLikeForm(data, instance=personas.site)
    assert form.is_valid(), form.errors
    assert creating(service, site="new", by="me")(form) == "saved"
    assert updating(service, site="old")(form) == "saved"
    fields = {"name": "Plant", "sector": personas.site.sector}
    assert calls == [
        {"site": "new", "by": "me", "fields": fields, "zones": "z1"},
        {"site": "old", "fields": fields, "zones": "z1", "expected_version": 3},
    ]


def test_posted_version_reads_a_number_or_nothing(personas: Personas) -> None:
    assert posted_version(request_as(personas.admin, "post", {"version": "7"})) == 7
    assert posted_version(request_as(personas.admin, "post", {"version": "x"})) is None
    assert posted_version(request_as(personas.admin, "post")) is None


def _messages(request: HttpRequest) -> list[str]:
    return [str(m) for m in request._messages]  # type: ignore[attr-defined]


def test_button_write_says_how_it_went(personas: Personas) -> None:
    ok = request_as(personas.admin, "post")
    assert button_write(ok, lambda: 2, done=lambda n: f"{n} done.") == 2
    assert _messages(ok) == ["2 done."]

    def stale() -> None:
        raise StaleObjectError(personas.site)

    def refused() -> None:
        raise ValidationError("Not now.")

    def forbidden() -> None:
        raise PermissionDenied("Not you.")

    for write, said in ((stale, "They won."), (refused, "Not now."), (forbidden, "Not you.")):
        request = request_as(personas.admin, "post")
        assert button_write(request, write, done="never", stale="They won.") is None
        assert _messages(request) == [said]


def test_status_move_moves_to_the_posted_status_and_goes_back(personas: Personas) -> None:
    from assessments.choices import AssessmentStatus

    moves: list[dict[str, Any]] = []
    request = request_as(personas.admin, "post", {"status": "in_review", "version": "4"})
    response = status_move(request, personas.site, lambda **kw: moves.append(kw), AssessmentStatus)
    assert moves == [{"to": "in_review", "by": personas.admin, "expected_version": 4}]
    assert response.status_code == 302 and response["Location"] == personas.site.get_absolute_url()
    assert _messages(request) == ["Site moved to in review."]
    special = request_as(personas.admin, "post", {"status": "final"})
    status_move(special, personas.site, lambda **kw: None, AssessmentStatus, said={"final": "Signed off."})
    assert _messages(special) == ["Signed off."]
