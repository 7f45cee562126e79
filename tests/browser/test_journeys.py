"""Three journeys through the real browser, and an accessibility audit of main pages."""

import pytest
from django.urls import reverse

from lnd.models import (
    AssignedBy,
    Assignment,
    CareerPath,
    CoachingSession,
    LearningItem,
    Recommendation,
    Role,
)
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_agent_accepts_a_recommendation_and_acknowledges_a_session(page_as, world):
    page = page_as("agent")
    page.goto(reverse("home"))
    card = page.locator(f"#rec-{world.recommendation.pk}")
    card.get_by_role("button", name="Accept: add to my learning").click()
    card = page.locator(f"#rec-{world.recommendation.pk}")
    card.get_by_text("accepted", exact=True).wait_for()
    assert Assignment.objects.filter(employee=world.a1, item=world.recommendation.item,
                                     assigned_by=AssignedBy.SELF).exists()
    page.get_by_role("button", name="Acknowledge this session").click()
    page.get_by_text("Acknowledged").wait_for()
    world.session.refresh_from_db()
    assert world.session.acknowledged_at is not None


def test_lead_approves_a_queued_need_records_the_session_and_sees_it(page_as, world):
    item = LearningItem.objects.create(code="coach-e", title="Coaching on empathy",
                                       kind="coaching", duration_minutes=30)
    Recommendation.objects.create(run=world.recommendation.run, employee=world.a1, item=item,
                                  rank=2, score=0.1, expected_gain=0.1, gain_low=0,
                                  gain_high=0.2)
    page = page_as("lead")
    page.goto(reverse("coaching_queue"))
    page.get_by_label("Session date").fill("2025-04-02")
    page.get_by_role("button", name="Approve and schedule").click()
    page.get_by_label("Notes").fill("Listened to two calls together")
    page.get_by_label("Agreed actions").fill("Use the empathy opener")
    page.get_by_role("button", name="Save session").click()
    page.get_by_text("Coaching session saved.").wait_for()
    page.goto(reverse("agent_detail", kwargs={"employee_id": world.a1.employee_id}))
    page.get_by_text("Listened to two calls together").wait_for()
    assert CoachingSession.objects.filter(employee=world.a1, item=item).count() == 1


def test_ld_creates_a_career_path_with_three_steps(page_as, world):
    Role.objects.create(code="senior", name="Senior agent", family="frontline", level=2)
    page = page_as("ld")
    page.goto(reverse("catalogue_list", kwargs={"kind": "paths"}))
    page.get_by_label("Code").fill("loyalty")
    page.get_by_label("Name").fill("Into the loyalty team")
    page.get_by_role("button", name="Create").click()
    for name in ("Agent", "Senior agent", "Unused"):
        page.get_by_label("Role to add").select_option(label=name)
        page.get_by_role("button", name="Add step").click()
        page.get_by_text("Steps saved.").wait_for()
    path = CareerPath.objects.get(code="loyalty")
    assert [s.role.code for s in path.steps.order_by("step")] == [
        "agent1", "senior", "unused-role"]


def test_main_pages_have_no_serious_accessibility_violations_or_console_errors(page_as,
                                                                              world):
    a1 = {"employee_id": world.a1.employee_id}
    pages = {"agent": [("home", {}), ("career_paths", {})],
             "lead": [("home", {}), ("coaching_queue", {}), ("agent_detail", a1),
                      ("session_new", a1)],
             "ld": [("home", {}), ("catalogue_list", {"kind": "paths"}), ("metric_weights", {}),
                    ("data", {}), ("models", {}), ("reports", {})]}
    found = {}
    for role, urls in pages.items():
        page = page_as(role)
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        for name, kwargs in urls:
            page.goto(reverse(name, kwargs=kwargs))
            page.wait_for_load_state("networkidle")
            problems = axe_violations(page) + errors[:]
            errors.clear()
            if problems:
                found[f"{role} {name}"] = problems
    assert found == {}


def test_login_page_has_no_serious_accessibility_violations(browser, live_server):
    page = browser.new_page(base_url=live_server.url)
    page.goto(reverse("login"))
    assert axe_violations(page) == []
    page.close()
