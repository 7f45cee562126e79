"""The recommendations endpoint serves a cached body only while it names the same rows."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from lnd.models import Recommendation
from lnd.services import recommendation_runs as runs
from tests import factories as f

pytestmark = pytest.mark.django_db


def _row(run, employee, item, rank=1):
    return (run.pk, employee.pk, item.pk, rank, 1.0, 0.1, 0.0, 0.2, ["why"], False, "", 1.0,
            False, 1)


def _titles(client, agent) -> list[str]:
    body = client.get(f"/api/agents/{agent.employee_id}/recommendations/").json()
    return [r["item_title"] for r in body["results"]]


@pytest.fixture
def agent_client():
    agent = f.employee()
    client = APIClient()
    client.force_authenticate(f.user("agent", employee=agent))
    return agent, client


def test_a_switched_run_and_a_rescored_agent_are_never_served_from_the_cache(
        agent_client, django_assert_num_queries):
    agent, client = agent_client
    first, second, third = f.item(title="First"), f.item(title="Second"), f.item(title="Third")
    old = runs.run_start(as_of=date(2025, 6, 2))
    runs.run_add(run=old, rows=[_row(old, agent, first)])
    runs.run_switch(run=old)
    assert _titles(client, agent) == ["First"]
    with django_assert_num_queries(2):  # the scope check and the key; the body is cached
        assert _titles(client, agent) == ["First"]

    new = runs.run_start(as_of=date(2025, 6, 9))
    runs.run_add(run=new, rows=[_row(new, agent, second)])
    runs.run_switch(run=new)
    assert _titles(client, agent) == ["Second"]

    runs.run_replace_agent(run=new, employee=agent, rows=[_row(new, agent, third)])
    assert _titles(client, agent) == ["Third"]


def test_the_cache_holds_bodies_not_access(agent_client):
    agent, client = agent_client
    item = f.item()
    run = runs.run_start(as_of=date(2025, 6, 2))
    runs.run_add(run=run, rows=[_row(run, agent, item)])
    runs.run_switch(run=run)
    assert _titles(client, agent) == [item.title]

    other = APIClient()
    other.force_authenticate(f.user("agent", employee=f.employee()))
    assert other.get(f"/api/agents/{agent.employee_id}/recommendations/").status_code == 404
    assert Recommendation.objects.filter(employee=agent).count() == 1
