"""What the remediation pages share: the site being looked at, and the tabs across the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from accounts.access import Action as Can
from accounts.access import can
from core.forms import VersionedForm
from core.http import AuthenticatedHttpRequest
from core.ids import parse_uuid
from core.pages import form_view, updating
from remediation import selectors
from remediation.models import Action, Finding
from zones.models import Site


def chosen_site(request: HttpRequest, required: bool = False) -> Site | None:
    """The site from `?site=` among those the person may see; with `required` (or when the person
    sees one site only), a default one."""
    sites = selectors.site_choices(request.user)
    site_id = parse_uuid(request.GET.get("site"))
    site = sites.filter(pk=site_id).first() if site_id else None
    if site is None and (required or (not site_id and sites.count() == 1)):
        site = selectors.default_site(request.user)
    return site


def page_context(request: HttpRequest, site: Site | None, tab: str) -> dict[str, Any]:
    return {
        "site": site,
        "sites": selectors.site_choices(request.user),
        "tab": tab,
        "currency": site.organization.currency if site is not None else "",  # costs are in it (|money:currency)
        "can_change": site is not None and can(request.user, Can.CHANGE, site),
    }


def form_page(
    request: HttpRequest,
    form: VersionedForm,
    save: Callable[[Any], Any],
    *,
    site: Site,
    tab: str,
    title: str,
    cancel: str,
    done: str,
    **extra: Any,
) -> HttpResponse:
    """Core's create/edit page inside the remediation tabs; a save goes to the saved object's page."""
    context = page_context(request, site, tab)
    context.update(title=title, cancel_url=cancel, **extra)
    return form_view(request, form, save, template="remediation/form.html", done=done, context=context)


def edit_page(
    request: AuthenticatedHttpRequest,
    obj: Finding | Action,
    form_class: type[VersionedForm],
    update: Callable[..., Any],
    *,
    tab: str,
    **extra: Any,
) -> HttpResponse:
    """The edit page of a finding or an action: its form, saved by its update service under the version the
    person started from."""
    noun = str(obj._meta.verbose_name)
    form = form_class(request.POST or None, instance=obj, site=obj.site)
    return form_page(
        request,
        form,
        updating(update, **{obj._meta.model_name or noun: obj}, by=request.user),
        site=obj.site,
        tab=tab,
        title=f"Edit {noun} “{obj.title}”",
        cancel=obj.get_absolute_url(),
        done=f"{noun.capitalize()} saved.",
        **extra,
    )
