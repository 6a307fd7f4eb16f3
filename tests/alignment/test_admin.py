"""The frameworks' admin pages open, read-only: a reload would overwrite any edit made there."""

from __future__ import annotations

import pytest
from django.test import Client

from alignment.models import FrameworkItem
from tests.alignment.helpers import load_test_framework
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_framework_admin_lists_and_shows_but_never_writes(client: Client) -> None:
    framework = load_test_framework()
    item = FrameworkItem.objects.get(framework=framework, ref="A-2")
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/alignment/framework/").status_code == 200
    page = client.get(f"/admin/alignment/frameworkitem/{item.pk}/change/")
    assert page.status_code == 200 and "Identifier management overlaps." in page.content.decode()
    assert client.get("/admin/alignment/framework/add/").status_code == 403
    assert client.post(f"/admin/alignment/frameworkitem/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FrameworkItem.objects.filter(pk=item.pk).exists()
