"""A person creates an API token on their profile page (the key shown once), revokes it after a confirm, and
the organization's admin finds both in the security log."""

from __future__ import annotations

from typing import Any

import pytest

from security.models import ApiToken, key_hash
from tests.conftest import make_personas
from tests.e2e.conftest import login, new_page, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server


def test_tokens_on_the_profile_page_and_the_security_log(
    browser: Any, live_server: Any, transactional_db: None
) -> None:
    personas = make_personas()
    base = live_server.url
    with new_page(browser) as page:
        login(page, base, "persona-owner", PASSWORD)
        page.goto(f"{base}/profile/")
        section = page.locator("#api-tokens")
        section.get_by_label("Name").fill("Nightly CI export")
        section.get_by_label("Expires").select_option("30")
        section.get_by_role("button", name="Create token").click()
        key = page.locator("#new-token-key")
        key.wait_for()
        token = ApiToken.objects.get(owner=personas.owner)
        assert token.key_hash == key_hash(key.input_value()) and page.url == f"{base}/profile/"  # htmx swap
        assert page.locator("#token-table tbody tr").count() == 1
        screenshot(page, "security-profile-tokens")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#token-table").get_by_role("button", name="Revoke").click()
        page.locator("#token-table .badge-bad").wait_for()
        assert page.locator("#new-token-key").count() == 0  # the key is gone for good
        token.refresh_from_db()
        assert token.revoked_at is not None
    with new_page(browser) as page:
        login(page, base, "persona-admin", PASSWORD)
        page.goto(f"{base}/organizations/{personas.org.pk}/")
        page.get_by_role("link", name="Security log").click()
        page.wait_for_selector("h1:has-text('Security log')")
        rows = page.locator("#security-log tbody")
        for text in ("API token created", "API token revoked", "Logged in", "Member added"):
            assert rows.get_by_text(text).count() >= 1, text
        screenshot(page, "security-log")
        page.get_by_label("Event").select_option("token_revoked")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**kind=token_revoked**")
        assert page.locator("#security-log tbody tr").count() == 1
