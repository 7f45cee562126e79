"""PATCH coaching-sessions/{id}/: the coach (lead of the agent's team, L&D, admin) edits
what lnd.services.coaching.EDITABLE names; nobody sets the agent, the coach or the
acknowledgement through it; the agent only acknowledges."""

from datetime import date

import pytest

from lnd.models import CoachingSession
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def row(session) -> dict:
    return CoachingSession.objects.filter(pk=session.pk).values().get()


def test_the_lead_edits_notes_topic_and_follow_up(world):
    response = client_for(world.users["lead"]).patch(
        f"/api/coaching-sessions/{world.session.pk}/",
        {"notes": "Agreed to try the new opener", "follow_up_date": "2025-03-18",
         "focus_skill": world.skill.code, "target_metric": world.metric.code},
        format="json")
    assert response.status_code == 200, response.content
    world.session.refresh_from_db()
    assert world.session.notes == "Agreed to try the new opener"
    assert world.session.follow_up_date == date(2025, 3, 18)
    assert world.session.focus_skill == world.skill
    assert world.session.target_metric == world.metric
    assert world.session.held_on == date(2025, 3, 4)  # untouched: not in the body
    assert response.json()["focus_skill"] == world.skill.code


def test_the_body_cannot_set_the_agent_the_coach_or_the_acknowledgement(world):
    before = row(world.session)
    response = client_for(world.users["lead"]).patch(
        f"/api/coaching-sessions/{world.session.pk}/",
        {"employee": world.b1.employee_id, "coach": world.lead_b.pk,
         "acknowledged_at": "2025-03-05T10:00:00Z", "session_id": "forged", "id": 999,
         "held_at": "2025-03-04T10:00:00Z", "agenda": "Only this changes"}, format="json")
    assert response.status_code == 200
    after = row(world.session)
    assert after.pop("agenda") == "Only this changes"
    before.pop("agenda")
    assert after == before


def test_ld_may_edit_any_session(world):
    response = client_for(world.users["ld"]).patch(
        f"/api/coaching-sessions/{world.session.pk}/", {"agreed_actions": "Shadow a peer"},
        format="json")
    assert response.status_code == 200
    assert response.json()["agreed_actions"] == "Shadow a peer"


@pytest.mark.parametrize(("role", "status"), [("agent", 403), ("other_agent", 403),
                                              ("other_lead", 404)])
def test_the_agent_and_another_lead_cannot_edit(world, role, status):
    before = row(world.session)
    response = client_for(world.users[role]).patch(
        f"/api/coaching-sessions/{world.session.pk}/", {"notes": "Changed"}, format="json")
    assert response.status_code == status
    assert row(world.session) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"follow_up_date": "2025-03-01"}, "follow_up_date"),  # before the session
    ({"held_on": None}, "held_on"),
    ({"held_on": "someday"}, "held_on"),
    ({"item": "no-such-item"}, "item"),
    ({"target_metric": "no-such-metric"}, "target_metric"),
])
def test_bad_input_is_a_field_error_and_changes_nothing(world, body, field):
    before = row(world.session)
    response = client_for(world.users["lead"]).patch(
        f"/api/coaching-sessions/{world.session.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert row(world.session) == before


def test_there_is_no_put_and_the_agent_still_acknowledges(world):
    url = f"/api/coaching-sessions/{world.session.pk}/"
    assert client_for(world.users["lead"]).put(url, {"notes": "x"},
                                               format="json").status_code == 405
    response = client_for(world.users["agent"]).post(url + "acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_at"]
