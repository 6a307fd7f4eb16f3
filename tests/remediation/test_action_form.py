"""The action form keeps a verified action verified when someone edits its other fields."""

from __future__ import annotations

from remediation.choices import ActionStatus
from remediation.forms import ActionForm
from remediation.models import Action
from tests.conftest import Personas
from tests.remediation.helpers import make_action


def status_choices(form: ActionForm) -> list[str]:
    """The status options the page offers, in order."""
    return [str(option.data["value"]) for option in form["status"].subwidgets]


def test_a_verified_action_keeps_its_status_in_the_edit_form(personas: Personas) -> None:
    action = make_action(personas.site, personas.owner)
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.VERIFIED)
    action.refresh_from_db()
    form = ActionForm(instance=action, site=personas.site)
    choices = status_choices(form)
    assert choices[0] == ActionStatus.VERIFIED  # shown as it is, so saving a new title does not reopen it
    assert form["status"].value() == ActionStatus.VERIFIED


def test_verified_is_never_offered_as_a_target(personas: Personas) -> None:
    action = make_action(personas.site, personas.owner, status=ActionStatus.IN_PROGRESS)
    choices = status_choices(ActionForm(instance=action, site=personas.site))
    assert ActionStatus.VERIFIED not in choices and ActionStatus.IN_PROGRESS in choices
