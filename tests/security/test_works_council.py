"""Site.hide_individual_views: no individual risk or performance for that site's agents,
except to the agent; team aggregates remain."""

from __future__ import annotations

from datetime import date

import pytest

from lnd.models import AccessLog, WeeklyPerformance
from tests import factories as f
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    w.site.hide_individual_views = True
    w.site.save()
    return w


@pytest.mark.parametrize("role", ["lead", "ld"])
def test_individual_risk_and_performance_are_hidden_from_leads_and_ld(world, role):
    client = client_for(world.users[role])
    a1 = world.a1.employee_id
    assert client.get(f"/api/agents/{a1}/risk/").status_code == 404
    assert client.get(f"/api/agents/{a1}/performance/").status_code == 404
    assert client.get("/api/risk/").json()["results"] == []
    assert not AccessLog.objects.exists()


def test_the_agent_still_sees_their_own_performance(world):
    response = client_for(world.users["agent"]).get(
        f"/api/agents/{world.a1.employee_id}/performance/")
    assert response.status_code == 200 and len(response.json()["weeks"]) == 1


def test_other_sites_are_unaffected(world):
    world.team_b.site = None
    world.team_b.save()
    listed = client_for(world.users["ld"]).get("/api/risk/").json()["results"]
    assert [r["employee_id"] for r in listed] == [world.b1.employee_id]


def test_team_aggregates_remain_for_groups_of_five(world):
    def add_agent_with_a_week():
        e = f.employee(team=world.team_a)
        WeeklyPerformance.objects.create(employee=e, period_start=date(2025, 3, 24),
                                         metric=world.metric, value=3.0)

    for _ in range(2):  # a1 and a2 have that week already: 4 agents
        add_agent_with_a_week()
    url = f"/api/teams/{world.team_a.code}/performance/"
    client = client_for(world.users["lead"])
    assert client.get(url).json()["weeks"] == []
    add_agent_with_a_week()
    (cell,) = client.get(url).json()["weeks"]
    assert cell["agents"] == 5 and cell["metric"] == "csat"
    assert cell["mean"] == pytest.approx((4.2 * 2 + 3.0 * 3) / 5)
