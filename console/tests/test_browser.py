"""The admin in a real browser (Chromium driven by Playwright), as a gym admin and as an agent.

Skipped only when Chromium is absent and ``CI`` is not set; in CI a missing browser fails.
With ``SCREENSHOTS_DIR`` set (``make screenshots``) every page visited is saved there as a PNG.
"""

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from calls.models import Call

from .world import PASSWORD, build

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

if not CHROMIUM and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright if not os.environ.get("CI") else None
if sync_playwright is None:
    from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser():
    """One browser for the module. Playwright's sync API runs an event loop in this thread, which
    Django's async-safety check would take for async code: allowed while the browser lives only."""
    assert CHROMIUM, "Chromium is required in CI"
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Operator:
    """One logged-in browser session that records console errors and, when asked, screenshots."""

    def __init__(self, browser, live_server, email, name):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
        self.page = self.context.new_page()
        self.base, self.name, self.errors = live_server.url, name, []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"{message.text} ({message.location.get('url')})"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("response", lambda response: response.status >= 400 and self.errors.append(
            f"{response.status} {response.url}"))
        self.open("/admin/login/")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(f"{self.base}/admin/")

    def open(self, path, shot=None):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        self.assert_styled()
        assert not self.errors, (path, self.errors)
        assert not re.search(r"\bUTC\b", self.page.inner_text("body")), f"{path} shows a UTC time to a New York gym"
        folder = os.environ.get("SCREENSHOTS_DIR")
        if shot and folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{self.name}-{shot}.png"), full_page=True)
        return self.page

    def assert_styled(self):
        """The admin's stylesheets loaded: its header has its dark background, not the browser's default."""
        background = self.page.eval_on_selector("#header", "el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
        sheets = self.page.evaluate("() => [...document.styleSheets].filter(s => s.href).map(s => s.cssRules.length)")
        assert sheets and all(count > 0 for count in sheets), sheets

    def assert_fits(self):
        """The list shows every column without scrolling sideways on a 1400 px screen."""
        overflow = self.page.eval_on_selector(".results", "el => el.scrollWidth - el.clientWidth")
        assert overflow <= 0, f"the list is {overflow}px too wide"

    def text(self, selector):
        return self.page.inner_text(selector)


def zone_label(tzinfo):
    return timezone.now().astimezone(tzinfo).tzname()


def test_a_gym_admin_works_the_day_in_the_console(browser, live_server):
    world = build()
    admin = Operator(browser, live_server, world.admin.email, "admin")
    new_york, los_angeles = zone_label(world.downtown.tzinfo), zone_label(world.west.tzinfo)

    page = admin.open("/admin/", "index")
    assert "Harbor Fitness" in admin.text("#site-name")
    assert page.inner_text("[data-metric=calls_placed]") == "1"
    assert page.inner_text("[data-metric=calls_booked]") == "1"
    assert page.inner_text("[data-metric=appointments_today]") == "1"
    assert page.inner_text("[data-metric=appointments_upcoming]") == "1"  # after today
    assert page.query_selector("#user-tools a[href='/']") is None  # no "View site" to a JSON 404

    page = admin.open(f"/admin/leads/lead/?tag={world.tag.pk}", "leads")
    rows = page.query_selector_all("#result_list tbody tr")
    assert len(rows) == 1 and "Maya" in rows[0].inner_text() and new_york in rows[0].inner_text()
    admin.assert_fits()
    assert "export_csv" in page.inner_html("select[name=action]")

    page = admin.open(f"/admin/leads/lead/{world.lead.pk}/change/", "lead")
    assert page.is_visible("text=Call the lead now")
    assert "Booked a tour" in admin.text("#calls-group")
    assert new_york in admin.text("#appointments-group") and new_york in admin.text("#activities-group")
    assert page.is_checked("#id_tags input[type=checkbox]")

    page = admin.open("/admin/calls/call/?when=today", "calls")
    admin.assert_fits()
    row = admin.text("#result_list tbody tr")
    assert "Maya Lopez" in row and new_york in row and "1:35" in row and "Trial pass follow-up" in row
    assert page.query_selector(f"#result_list tbody a[href$='/admin/leads/lead/{world.lead.pk}/change/']")

    page = admin.open(f"/admin/calls/call/{world.call.pk}/change/", "call")
    turns = page.query_selector_all(".transcript .turn")
    assert [turn.query_selector(".speaker").inner_text() for turn in turns] == [
        "Agent", "Lead", "Agent", "Lead", "System"]
    assert "I'd like to try the morning classes." in turns[1].inner_text() and "0:05" in turns[1].inner_text()
    assert page.query_selector("audio.recording[controls]") is not None
    assert "Latency ms" in admin.text("table.metrics") and new_york in admin.text(".field-start_time_local")
    assert page.query_selector("textarea[name=transcript]") is None  # history is not a form field

    page = admin.open("/admin/appointments/appointment/?when=upcoming", "appointments")
    body = admin.text("#result_list")
    assert "Liam" in body and los_angeles in body

    page = admin.open(f"/admin/calls/campaign/{world.campaign.pk}/change/", "campaign")
    page = admin.open("/admin/calls/campaign/", "campaigns")
    page.check("#result_list tbody input.action-select")
    page.select_option("select[name=action]", "pause")
    page.click("button[name=index]")
    assert "Trial pass follow-up: paused." in admin.text("ul.messagelist")
    assert not admin.errors


def test_an_agent_is_not_offered_delete_or_export(browser, live_server):
    world = build()
    agent = Operator(browser, live_server, world.agent.email, "agent")

    page = agent.open("/admin/leads/lead/", "leads")
    actions = page.inner_html("select[name=action]")
    assert "export_csv" not in actions and "delete_selected" not in actions and "call_now_action" in actions

    page = agent.open(f"/admin/leads/lead/{world.lead.pk}/change/", "lead")
    assert page.query_selector("a.deletelink") is None and page.is_visible("text=Call the lead now")
    page.click("text=Call the lead now")
    assert "Call to Maya Lopez queued" in agent.text("ul.messagelist")

    page = agent.open(f"/admin/calls/call/{world.call.pk}/change/", "call")
    assert page.query_selector("a.deletelink") is None
    page = agent.open("/admin/calls/campaign/", "campaigns")
    assert page.query_selector("select[name=action]") is None  # campaigns are for admins and managers
    queued = Call.all_gyms.filter(lead=world.lead, status="queued")
    assert queued.filter(scheduled_at__gte=timezone.now() - dt.timedelta(minutes=5)).count() == 1
    assert not agent.errors
