"""A browser that missed live changes catches up by sequence number (decision 0037), without a reload:
after a dropped message (a gap in the numbers), after its socket was away (a reconnect), and after it was
in the background longer than the log reaches back (410: it reads its results again)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assessments.demo import TITLE
from assessments.models import Assessment, LiveChange, Result
from tests.e2e.conftest import login, new_page
from zones.models import Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server

# Before the page's scripts: keep the page's socket reachable, and drop the next `window.dropLive` numbered
# messages before the page sees them (what a lost frame looks like to the page).
LOSSY_SOCKET = """
window.dropLive = 0;
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) { super(...args); window.liveSocket = this; }
  addEventListener(type, fn, options) {
    if (type !== "message") return super.addEventListener(type, fn, options);
    return super.addEventListener(type, (event) => {
      if (window.dropLive > 0 && JSON.parse(event.data).seq !== undefined) { window.dropLive -= 1; return; }
      fn(event);
    }, options);
  }
};
"""


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    with new_page(browser) as page:
        yield page


def status_of(page: Any, result: Result) -> Any:
    return page.locator(f"#r-{result.pk} [data-field='status']")


def other_status(result: Result) -> str:
    return "not_met" if result.status == "met" else "met"


def save(page: Any, result: Result, status: str) -> None:
    """Save a new status on the writer's page and wait until the server answered (the row's version moved)."""
    row = page.locator(f"#r-{result.pk}")
    version = int(row.get_attribute("data-version"))
    status_of(page, result).select_option(status)
    page.wait_for_function(
        "([id, v]) => Number(document.getElementById('r-' + id).dataset.version) > v", arg=[str(result.pk), version]
    )


def test_a_missed_change_is_caught_up_after_a_gap_a_reconnect_or_in_the_background(
    page: Any, second_page: Any, demo: None, asgi_server: str
) -> None:
    writer, reader = page, second_page
    assessment = Assessment.objects.get(title=TITLE)
    dmz = Zone.objects.get(site=assessment.site, name="Plant DMZ")
    sr11, sr12, sr13 = (
        Result.objects.get(assessment=assessment, zone=dmz, requirement__ref=ref)
        for ref in ("SR 1.1", "SR 1.2", "SR 1.3")
    )
    reader.add_init_script(LOSSY_SOCKET)
    login(writer, asgi_server, "demo-consultant")
    login(reader, asgi_server, "demo-owner")
    for p in (writer, reader):
        p.goto(f"{asgi_server}/assessments/{assessment.pk}/workspace/?target={dmz.pk}&fr=FR1")
        p.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me !== null")
    reader.evaluate("window.sameDocument = true")  # gone if the page reloads
    start = reader.evaluate("window.ZonewiseLive.seq")
    assert start == int(reader.locator("#live-root").get_attribute("data-live-seq"))

    # A lost frame: the reader does not see the first change...
    reader.evaluate("window.dropLive = 1")
    save(writer, sr11, other_status(sr11))
    reader.wait_for_function("() => window.dropLive === 0")
    assert status_of(reader, sr11).input_value() == sr11.status
    # ...until the next one shows a gap in the numbers, and it asks for what it missed.
    save(writer, sr12, other_status(sr12))
    reader.wait_for_function("(n) => window.ZonewiseLive.seq === n", arg=start + 2)
    assert status_of(reader, sr11).input_value() == other_status(sr11)
    assert status_of(reader, sr12).input_value() == other_status(sr12)

    # Away: the reader's socket drops, a change is made meanwhile, the reconnect's hello says it is behind.
    reader.evaluate("window.liveSocket.close()")
    reader.wait_for_selector("#live-root.is-offline", state="attached")
    save(writer, sr13, other_status(sr13))
    reader.wait_for_function("(n) => window.ZonewiseLive.seq === n", arg=start + 3, timeout=8000)
    assert status_of(reader, sr13).input_value() == other_status(sr13)
    reader.locator(f"#r-{sr13.pk} [data-role='save-state']", has_text="Updated by Casey Consultant").wait_for()

    # In the background longer than the log reaches back (pruned), and a change was lost meanwhile: shown
    # again, the page asks, gets 410 and reads its results again.
    reader.evaluate("window.dropLive = 1")
    save(writer, sr11, "partially_met")
    reader.wait_for_function("() => window.dropLive === 0")
    LiveChange.objects.filter(assessment=assessment).delete()
    assert reader.evaluate("window.ZonewiseLive.seq") == start + 3
    with reader.expect_response(lambda r: "/changes/?since=" in r.url) as asked:
        reader.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert asked.value.status == 410
    reader.wait_for_function(
        "(id) => document.querySelector('#r-' + id + ' [data-field=status]').value === 'partially_met'",
        arg=str(sr11.pk),
    )
    assert reader.evaluate("window.ZonewiseLive.seq") == start + 4
    assert reader.evaluate("window.sameDocument") is True
