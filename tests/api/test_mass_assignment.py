"""A body cannot set role, team, owner or status: those fields are read-only or absent."""

import pytest

from lnd.models import Assignment, Employee, Team, User
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_agent_record_cannot_be_edited_through_the_api(world, method):
    before = Employee.objects.filter(pk=world.a1.pk).values().get()
    for role in ("agent", "lead", "ld", "admin"):
        response = getattr(client_for(world.users[role]), method)(
            f"/api/agents/{world.a1.employee_id}/",
            {"team": world.team_b.code, "role": world.free_role.code, "status": "left",
             "name": "Changed"}, format="json")
        assert response.status_code == 405, role
    assert Employee.objects.filter(pk=world.a1.pk).values().get() == before


def test_goal_role_changes_only_the_goal(world):
    response = client_for(world.users["agent"]).post(
        f"/api/agents/{world.a1.employee_id}/goal-role/",
        {"goal_role": world.free_role.code, "role": world.free_role.code,
         "team": world.team_b.code}, format="json")
    assert response.status_code == 200
    world.a1.refresh_from_db()
    assert world.a1.goal_role == world.free_role
    assert world.a1.role is None and world.a1.team == world.team_a


def test_an_assignment_body_cannot_set_owner_status_or_campaign(world):
    response = client_for(world.users["lead"]).post("/api/assignments/", {
        "employee": world.a1.employee_id, "item": world.item3.code,
        "assigned_by_user": world.users["admin"].pk, "status": "completed",
        "campaign": True, "id": 999}, format="json")
    assert response.status_code == 201
    row = Assignment.objects.get(pk=response.json()["id"])
    assert row.assigned_by_user == world.users["lead"]
    assert row.status == "assigned" and not row.campaign and row.pk != 999


def test_a_coaching_session_body_cannot_name_the_coach(world):
    response = client_for(world.users["lead"]).post("/api/coaching-sessions/", {
        "employee": world.a1.employee_id, "held_on": "2025-03-28", "coach": world.lead_b.pk,
        "acknowledged_at": "2025-03-29T10:00:00Z"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["coach"] == world.lead_a.employee_id and body["acknowledged_at"] is None


def test_no_endpoint_changes_a_users_role_or_a_team(world):
    me = client_for(world.users["agent"])
    assert me.patch("/api/me/", {"role": "admin"}, format="json").status_code == 405
    assert client_for(world.users["lead"]).patch(
        f"/api/teams/{world.team_a.code}/", {"lead": world.a1.employee_id},
        format="json").status_code == 405
    assert User.objects.get(pk=world.users["agent"].pk).role == "agent"
    assert Team.objects.get(pk=world.team_a.pk).lead == world.lead_a
