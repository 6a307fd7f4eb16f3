"""Every page a person can reach from the home page of the seeded demo works, and nobody reaches another's.

As each persona (the demo's admin, consultant, asset owner, auditor and outsider, and a person granted one site
only) follow every same-site link from the home page: no page answers 5xx. Then every page someone reached,
asked for by each persona whose organizations and sites do not include what it shows, answers 404 (it does
not exist for them: not 403, not an empty 200)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm

from accounts.choices import Role
from accounts.demo import FIRST_ORG, SECOND_ORG
from accounts.models import Membership, Organization, User
from tests.conftest import DEMO_GROUP
from tests.crawl.crawler import Crawl, Scope, crawl, pattern, scopes_by_id, scopes_in
from tests.factories import SiteFactory
from zones.models import Site, Zone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group(DEMO_GROUP)]
OTHER_SITE = "Hillside Pumping Station"  # a second site of the demo organization, added here


@dataclass(frozen=True)
class Reach:
    """What a persona may see, written down here rather than asked of the permission door: whole organizations;
    and, where a membership is limited to granted sites, the organization-wide objects and those sites."""

    organizations: frozenset[uuid.UUID]
    limited: frozenset[uuid.UUID] = frozenset()
    sites: frozenset[uuid.UUID] = frozenset()

    def covers(self, scope: Scope) -> bool:
        if scope.organization in self.organizations:
            return True
        return scope.organization in self.limited and (scope.site is None or scope.site in self.sites)


def one_site_person(org: Organization, site: Site) -> User:
    """A consultant of `org` whose membership covers only `site` (granted through the door's site grant)."""
    person = User.objects.create_user(username="one-site-consultant", password="unused-in-this-test")
    Membership.objects.create(user=person, organization=org, role=Role.CONSULTANT, all_sites=False)
    assign_perm("zones.view_site", person, site)
    return person


def personas() -> dict[str, tuple[User, Reach]]:
    """The demo's logins and a person granted the demo's plant only, with what each may see. The demo
    organization gets a second site here: the one the one-site person must not reach."""
    first, second = Organization.objects.get(name=FIRST_ORG), Organization.objects.get(name=SECOND_ORG)
    main_site = first.sites.filter(assessments__isnull=False).order_by("created").first()  # the demo's plant
    assert main_site is not None, "the demo has an assessed site"
    other_site = SiteFactory.create(organization=first, name=OTHER_SITE)
    Zone.objects.create(site=other_site, name="Pump control")
    demo = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    return {
        "admin": (demo["demo-admin"], Reach(frozenset({first.pk}))),
        "consultant": (demo["demo-consultant"], Reach(frozenset({first.pk, second.pk}))),
        "owner": (demo["demo-owner"], Reach(frozenset({first.pk}))),
        "auditor": (demo["demo-auditor"], Reach(frozenset({first.pk}))),
        "outsider": (demo["demo-outsider"], Reach(frozenset({second.pk}))),
        "one-site": (
            one_site_person(first, main_site),
            Reach(frozenset(), limited=frozenset({first.pk}), sites=frozenset({main_site.pk})),
        ),
    }


def client_for(user: User) -> Client:
    client = Client(raise_request_exception=False)  # a failing page is a 500 to list, not the end of the crawl
    client.force_login(user)
    return client


@pytest.mark.parametrize("crawler", ["admin", "consultant", "owner", "auditor", "outsider", "one-site"])
def test_every_page_a_persona_reaches_works_and_is_404_for_those_outside_its_scope(demo_db: None, crawler: str) -> None:
    """One persona's crawl per test (each stays a few seconds): no page it reaches fails, and each of them,
    asked for by every persona whose scope does not cover it, answers 404. Over the six tests every page
    anyone reaches is checked against everyone, as one crawl of all would."""
    people = personas()
    scopes = scopes_by_id()

    def kind(url: str) -> str:
        """The pages of one pattern, per site: each site's own pages are crawled (and checked) too."""
        return f"{pattern(url)} {' '.join(sorted(str(scope.site) for scope in scopes_in(url, scopes)))}"

    user, _ = people[crawler]
    result: Crawl = crawl(client_for(user), kind=kind)
    if crawler != "outsider":  # the outsider's organization has one empty site: little to reach
        # A crawl that stopped early (a broken home page, a renamed link) would prove nothing.
        assert len(result.reached) > 20, f"{crawler} reached only {sorted(result.reached)}"
    if crawler == "auditor":
        assert any("/evidence/" in url for url in result.statuses), "the evidence register was crawled"
    if crawler in ("admin", "consultant"):
        other_site = Site.objects.get(name=OTHER_SITE)
        assert f"/sites/{other_site.pk}/" in result.reached, "the site the one-site person must not reach"

    leaks, checked = [], Counter[str]()
    for name, (other, reach) in people.items():
        client = client_for(other)
        for url in sorted(result.reached):
            if all(reach.covers(scope) for scope in scopes_in(url, scopes)):
                continue
            checked[name] += 1
            if (status := client.get(url).status_code) != 404:
                leaks.append(f"{name}: {status} {url}")
    if crawler in ("admin", "owner", "auditor"):  # their pages are the demo organization's: outside two scopes
        assert checked["outsider"] > 20 and checked["one-site"] > 0, checked
    assert not result.errors and not leaks, "\n".join(
        [
            f"Pages {crawler} reached that fail (5xx):",
            *result.errors,
            "Pages answering other than 404 to someone outside their scope:",
            *leaks,
        ]
    )
