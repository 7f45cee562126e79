"""Another person's object is a 404 (its existence is not disclosed) and stays as it was."""

import pytest
from django.forms.models import model_to_dict

from lnd.models import Assignment, CoachingSession, Employee, RecommendationFeedback
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_another_teams_lead_gets_404_and_changes_nothing(world):
    client = client_for(world.users["other_lead"])
    a1 = world.a1.employee_id
    before = (model_to_dict(Assignment.objects.get(pk=world.assignment.pk)),
              model_to_dict(Employee.objects.get(pk=world.a1.pk)),
              CoachingSession.objects.count())
    calls = [
        ("get", f"/api/agents/{a1}/", None),
        ("get", f"/api/agents/{a1}/recommendations/", None),
        ("get", f"/api/agents/{a1}/risk/", None),
        ("get", f"/api/agents/{a1}/performance/", None),
        ("get", f"/api/assignments/{world.assignment.pk}/", None),
        ("post", f"/api/assignments/{world.assignment.pk}/status/", {"status": "cancelled"}),
        ("post", f"/api/agents/{a1}/goal-role/", {"goal_role": world.free_role.code}),
        ("post", "/api/assignments/", {"employee": a1, "item": world.item3.code}),
        ("post", "/api/coaching-sessions/", {"employee": a1, "held_on": "2025-03-28"}),
        ("get", f"/api/coaching-sessions/{world.session.pk}/", None),
    ]
    for method, path, body in calls:
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 404, (path, response.status_code)
    assert before == (model_to_dict(Assignment.objects.get(pk=world.assignment.pk)),
                      model_to_dict(Employee.objects.get(pk=world.a1.pk)),
                      CoachingSession.objects.count())


def test_a_team_mate_cannot_act_on_an_agents_recommendation(world):
    url = (f"/api/agents/{world.a1.employee_id}/recommendations/"
           f"{world.recommendation.pk}/feedback/")
    response = client_for(world.users["other_agent"]).post(
        url, {"action": "accepted"}, format="json")
    assert response.status_code == 404
    assert not RecommendationFeedback.objects.exists()
    assert not Assignment.objects.filter(item=world.item3).exists()


def test_a_nonexistent_and_a_hidden_agent_look_the_same(world):
    client = client_for(world.users["agent"])
    hidden = client.get(f"/api/agents/{world.a2.employee_id}/")
    missing = client.get("/api/agents/no-such-person/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
