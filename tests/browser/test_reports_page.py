"""The retention report in a real browser: every chart is drawn from its json_script
under the CSP, the tables behind the charts open, axe-core finds nothing serious; and the
lead's team table turns into cards on a phone without sideways scrolling."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.urls import reverse

from lnd.models import Pilot, ReportCache
from recommender.retention.report import build_retention_report
from tests import factories as f
from tests.browser.conftest import axe_violations
from tests.recommender.test_retention_fixtures import make_centre

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LND_SCREENSHOT_DIR")  # set to look at the pages while developing


@pytest.fixture(scope="module")
def payload() -> dict:
    ds, _ = make_centre(n_agents=120, weeks=70, seed=51)
    ds.agents.loc[ds.agents.index[:3], "team_code"] = "TINY"
    return build_retention_report(ds, window_weeks=12)


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_report_page_draws_every_chart_and_has_no_serious_violations(page_as, world,
                                                                      payload):
    ReportCache.objects.create(kind="retention", data_version="browser", payload=payload)
    page = page_as("ld")
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(reverse("reports"))
    page.wait_for_load_state("networkidle")
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 9
    page.wait_for_function("""() => [...document.querySelectorAll('canvas[data-chart]')]
        .every(c => c.dataset.drawn === '1')""")  # each drawn from its json_script
    page.get_by_text("Table: Staying, by team").click()
    page.get_by_role("table", name="Staying, by team").get_by_text("fewer than 5 agents"
                                                                   ).wait_for()
    _shot(page, "reports-laptop")
    assert axe_violations(page) == [] and errors == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert _sideways(page) == []
    _shot(page, "reports-phone")


def _sideways(page) -> list[str]:
    """Elements that stick out to the right of the viewport (the page scrolls sideways),
    after giving Chart.js a moment: it resizes its canvases on the next frames."""
    for _ in range(30):
        if not _sticking_out(page):
            return []
        page.wait_for_timeout(100)
    return _sticking_out(page)


def _sticking_out(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     && !e.closest('.table-wrap'))
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 10)""")


def test_pilot_pages_have_no_serious_violations(page_as, world):
    page = page_as("ld")
    page.goto(reverse("pilots"))
    page.get_by_role("button", name="Start the pilot").click()  # empty: field errors
    page.get_by_text("This field is required.").first.wait_for()
    _shot(page, "pilots-errors")
    assert axe_violations(page) == []
    pilot = Pilot.objects.create(name="Empathy pilot", item=world.item, seed=4,
                                 start_date=date(2030, 1, 7), criteria={
                                     "eligible": 40, "filters": {"Team": "Team A"},
                                     "power": {"mde_80": 0.21, "outcome_sd": 0.37}})
    page.goto(reverse("pilot_detail", kwargs={"pk": pilot.pk}))
    page.get_by_text("80% power").wait_for()
    _shot(page, "pilot-detail")
    assert axe_violations(page) == []


def test_team_table_is_cards_on_a_phone_and_a_table_on_a_laptop(page_as, world):
    for _ in range(6):
        f.employee(team=world.team_a)
    page = page_as("lead")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("team_overview"))
    page.wait_for_load_state("networkidle")
    _shot(page, "team-phone")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0 and _sideways(page) == []  # nothing scrolls sideways
    row = page.locator("table.cards tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert page.get_by_role("table").get_by_role("row").count() >= 8  # still a table
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_function("""() => getComputedStyle(
        document.querySelector('table.cards tbody tr')).display === 'table-row'""")
    assert page.locator("table.cards thead").evaluate(
        "h => getComputedStyle(h).position") != "absolute"
    _shot(page, "team-laptop")
