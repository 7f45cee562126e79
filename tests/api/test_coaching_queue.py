"""The coaching queue through the API: a coach lists their team's coaching needs and
approves (a session), assigns (a learning assignment) or dismisses (with a reason) each."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lnd import conf
from lnd.models import (
    AccessLog,
    Assignment,
    CoachingSession,
    LearningItem,
    Recommendation,
    RecommendationFeedback,
)
from tests import factories as f
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def coaching_need(world, employee, rank=2, code=None) -> Recommendation:
    item = f.item(kind=LearningItem.Kind.COACHING, **({"code": code} if code else {}))
    return Recommendation.objects.create(
        run=world.recommendation.run, employee=employee, item=item, rank=rank, score=0.2,
        expected_gain=0.1, gain_low=0.0, gain_high=0.2, reasons=["QA empathy is low."])


def snapshot() -> tuple:
    return (CoachingSession.objects.count(), Assignment.objects.count(),
            RecommendationFeedback.objects.count())


def test_the_queue_lists_open_coaching_needs_of_the_callers_team_only(world):
    mine = coaching_need(world, world.a1)
    handled = coaching_need(world, world.a2)
    RecommendationFeedback.objects.create(recommendation=handled, employee=world.a2,
                                          item=handled.item, action="dismissed")
    coaching_need(world, world.b1)  # team B
    response = client_for(world.users["lead"]).get("/api/coaching-queue/")
    assert response.status_code == 200
    body = response.json()
    # world.recommendation (a course, not coaching) is not in the queue either
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["employee_name"] == world.a1.name
    assert body["results"][0]["item_code"] == mine.item.code
    assert AccessLog.objects.filter(viewer=world.users["lead"], subject=world.a1,
                                    what="recommendations").count() == 1


def test_ld_sees_every_teams_queue(world):
    needs = {coaching_need(world, world.a1).pk, coaching_need(world, world.b1).pk}
    body = client_for(world.users["ld"]).get("/api/coaching-queue/").json()
    assert {r["id"] for r in body["results"]} == needs


def test_the_queue_list_does_not_query_per_row(world, monkeypatch):
    monkeypatch.setattr(conf, "ACCESS_LOG_REPEAT_SECONDS", 0)  # every read writes its rows
    client = client_for(world.users["ld"])
    coaching_need(world, world.a1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/coaching-queue/").status_code == 200
        return len(queries)

    count()  # warm-up
    small = count()
    for _ in range(3):
        coaching_need(world, f.employee(team=world.team_a))
    assert count() == small


def test_approving_schedules_a_session_and_takes_the_need_off_the_queue(world):
    need = coaching_need(world, world.a1)
    client = client_for(world.users["lead"])
    response = client.post(f"/api/coaching-queue/{need.pk}/approve/",
                           {"held_on": "2025-04-02", "follow_up_date": "2025-04-16",
                            "agenda": "Empathy statements", "coach": world.lead_b.pk},
                           format="json")
    assert response.status_code == 201, response.content
    session = CoachingSession.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/coaching-sessions/{session.pk}/"
    assert session.employee == world.a1 and session.coach == world.lead_a
    assert session.item == need.item and session.held_on == date(2025, 4, 2)
    assert session.follow_up_date == date(2025, 4, 16) and session.agenda
    assert need.feedback.get().action == "accepted"
    assert client.get("/api/coaching-queue/").json()["results"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({}, "held_on"),
    ({"held_on": "not a date"}, "held_on"),
    ({"held_on": "2025-04-02", "follow_up_date": "2025-04-01"}, "follow_up_date"),
    ({"held_on": "2025-04-02", "focus_skill": "no-such-skill"}, "focus_skill"),
])
def test_a_bad_approval_is_a_field_error_and_changes_nothing(world, body, field):
    need = coaching_need(world, world.a1)
    before = snapshot()
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{need.pk}/approve/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert snapshot() == before


def test_assigning_creates_an_assignment_of_the_recommended_item_by_default(world):
    need = coaching_need(world, world.a1)
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{need.pk}/assign/", {}, format="json")
    assert response.status_code == 201
    row = Assignment.objects.get(pk=response.json()["id"])
    assert (row.employee, row.item, row.assigned_by_user) == (
        world.a1, need.item, world.users["lead"])
    assert need.feedback.get().reason == f"Assigned {need.item.code}"


def test_assigning_another_item_with_a_due_date(world):
    need = coaching_need(world, world.a1)
    due = date.today() + timedelta(days=14)
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{need.pk}/assign/",
        {"item": world.item3.code, "due_date": due.isoformat()}, format="json")
    assert response.status_code == 201
    assert response.json()["item"] == world.item3.code
    assert response.json()["due_date"] == due.isoformat()


@pytest.mark.parametrize(("body", "field"), [
    ({"item": "no-such-item"}, "item"),
    ({"due_date": "2001-01-01"}, "due_date"),
])
def test_a_bad_assignment_is_a_field_error_and_changes_nothing(world, body, field):
    need = coaching_need(world, world.a1)
    before = snapshot()
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{need.pk}/assign/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert snapshot() == before


def test_an_inactive_item_cannot_be_assigned(world):
    need = coaching_need(world, world.a1)
    old = f.item(active=False)
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{need.pk}/assign/", {"item": old.code}, format="json")
    assert response.status_code == 400 and "item" in response.json()


def test_dismissing_needs_a_reason(world):
    need = coaching_need(world, world.a1)
    client = client_for(world.users["lead"])
    for body in ({}, {"reason": "   "}, {"reason": "x" * 301}):
        response = client.post(f"/api/coaching-queue/{need.pk}/dismiss/", body, format="json")
        assert response.status_code == 400 and "reason" in response.json()
    assert not need.feedback.exists()
    response = client.post(f"/api/coaching-queue/{need.pk}/dismiss/",
                           {"reason": "Covered last week"}, format="json")
    assert response.status_code == 201
    assert need.feedback.get().action == "dismissed"


def test_a_need_handled_once_cannot_be_handled_again(world):
    need = coaching_need(world, world.a1)
    client = client_for(world.users["lead"])
    url = f"/api/coaching-queue/{need.pk}/"
    assert client.post(url + "dismiss/", {"reason": "Done"}, format="json").status_code == 201
    before = snapshot()
    response = client.post(url + "approve/", {"held_on": "2025-04-02"}, format="json")
    assert response.status_code == 400
    assert "already been handled" in response.json()["non_field_errors"][0]
    assert snapshot() == before


@pytest.mark.parametrize("action", ["approve", "assign", "dismiss"])
def test_another_teams_need_is_a_404_and_changes_nothing(world, action):
    theirs = coaching_need(world, world.b1)
    before = snapshot()
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{theirs.pk}/{action}/",
        {"held_on": "2025-04-02", "reason": "No"}, format="json")
    assert response.status_code == 404
    assert snapshot() == before


def test_a_recommendation_that_is_not_coaching_is_not_in_the_queue(world):
    response = client_for(world.users["lead"]).post(
        f"/api/coaching-queue/{world.recommendation.pk}/dismiss/", {"reason": "No"},
        format="json")
    assert response.status_code == 404
