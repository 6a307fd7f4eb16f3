"""Two-factor authentication in Chromium: a person sets it up from the QR page (the code computed from the key
shown for manual entry), logs out and back in with a code; an organization admin requires it and a member
without it is sent to set it up; a locked-out person sees why and what to do. Screenshots in /tmp/shots/auth/."""

from __future__ import annotations

from base64 import b32decode
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.accounts.otp import code
from tests.conftest import make_personas
from tests.e2e.conftest import new_page
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SHOTS = Path("/tmp/shots/auth")  # noqa: S108  (where the lead looks at them)


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def password_step(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_set_up_log_in_with_a_code_and_an_organization_requires_it(browser: Any, live_server: Any) -> None:
    personas = make_personas()
    base = live_server.url
    with new_page(browser) as page:
        password_step(page, base, "persona-owner")
        page.wait_for_url(f"{base}/")
        page.get_by_role("link", name="persona-owner").click()  # the username in the top bar: the profile
        page.get_by_role("link", name="Set up two-factor authentication").click()
        page.wait_for_selector(".mfa-qr svg")
        assert page.locator(".mfa-qr svg").bounding_box()["width"] >= 200
        shot(page, "mfa-setup-qr")
        typed = page.locator("#mfa-secret").inner_text().replace(" ", "")
        key_hex = b32decode(typed + "=" * (-len(typed) % 8)).hex()
        page.get_by_label("Code").fill(code(key_hex))
        page.get_by_role("button", name="Confirm and turn on").click()
        page.wait_for_selector("#recovery-codes")
        assert page.locator(".recovery-codes li").count() == 10
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/login/")

        password_step(page, base, "persona-owner")
        page.wait_for_url(f"{base}/login/verify/")
        shot(page, "login-second-step")
        page.goto(f"{base}/")  # no page between the two steps
        page.wait_for_url(f"{base}/login/?next=/")
        page.goto(f"{base}/login/verify/")
        page.get_by_label("Code").fill(code(key_hex, steps_ahead=1))  # the setup used this step's code
        page.get_by_role("button", name="Verify and log in").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/profile/")
        assert "On" in page.locator("#profile-mfa .badge").inner_text()
        shot(page, "profile")

    with new_page(browser) as admin:
        password_step(admin, base, "persona-admin")
        admin.wait_for_url(f"{base}/")
        admin.goto(f"{base}/organizations/{personas.org.pk}/")
        shot(admin, "organization-login-security")
        admin.get_by_label(f"Require two-factor authentication for everyone in {personas.org.name}").check()
        admin.locator("#login-security").get_by_role("button", name="Save").click()
        admin.wait_for_url(f"{base}/profile/mfa/setup/")  # the admin has none yet either

    with new_page(browser) as member:
        password_step(member, base, "persona-consultant")
        member.wait_for_url(f"{base}/profile/mfa/setup/")
        assert f"{personas.org.name} requires two-factor authentication" in member.locator("#mfa-required").inner_text()
        shot(member, "mfa-enforced-redirect")
        member.goto(f"{base}/sites/")
        member.wait_for_url(f"{base}/profile/mfa/setup/")


def test_a_locked_out_person_sees_why_and_what_to_do(browser: Any, live_server: Any) -> None:
    make_personas()
    with override_settings(AXES_ENABLED=True), new_page(browser) as page:
        for _ in range(5):
            password_step(page, live_server.url, "persona-auditor", "not-the-password")
        page.wait_for_selector("#locked-out")
        assert "Login locked for 15 minutes" in page.locator("h1").inner_text()
        shot(page, "lockout-message")
