"""factory_boy factories for the test suite."""

from __future__ import annotations

import factory
from django.conf import settings

from accounts.choices import Role
from accounts.models import Membership, Organization, User
from zones.choices import Sector
from zones.models import Site

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Utility {n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.CONSULTANT


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Plant {n}")
    location = "Somewhere"
    sector = Sector.WATER


__all__ = ["PASSWORD", "MembershipFactory", "OrganizationFactory", "SiteFactory", "UserFactory", "settings"]


# --- risk (issue 15) ----------------------------------------------------------------------------------------
from risk.models import RiskAssessment, ThreatSource  # noqa: E402


class ThreatSourceFactory(factory.django.DjangoModelFactory[ThreatSource]):
    class Meta:
        model = ThreatSource

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Threat source {n}")
    capability = 2


class RiskAssessmentFactory(factory.django.DjangoModelFactory[RiskAssessment]):
    class Meta:
        model = RiskAssessment

    site = factory.SubFactory(SiteFactory)
    title = factory.Sequence(lambda n: f"Risk assessment {n}")
    scope = "The control system of the plant and its remote access."


# --- products and certificates (issue 16) -----------------------------------------------------------------
import datetime as _datetime  # noqa: E402

from components.models import Certificate, Product  # noqa: E402


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    vendor = "Acme Automation"
    name = factory.Sequence(lambda n: f"Controller {n}")
    release = "1.0"
    component_type = "EDR"


class CertificateFactory(factory.django.DjangoModelFactory[Certificate]):
    class Meta:
        model = Certificate

    product = factory.SubFactory(ProductFactory)
    scheme = "isasecure_csa"
    level = 2
    number = factory.Sequence(lambda n: f"CSA-{n:04d}")
    issuer = "Example Certification Body"
    issued = _datetime.date(2024, 1, 15)
    expires = _datetime.date(2030, 1, 15)
