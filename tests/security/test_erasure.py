"""Erasing a leaver: personal data gone, a de-identified extract kept, a tombstone left."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lnd.models import (
    AccessLog,
    CoachingSession,
    Employee,
    ErasureTombstone,
    Interaction,
    PulseSurvey,
    User,
    WeeklyPerformance,
)
from lnd.services import governance
from tests import factories as f
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    leaver = w.leaver
    f.user("agent", employee=leaver, username="leaver-login")
    WeeklyPerformance.objects.create(employee=leaver, period_start=date(2025, 3, 24),
                                     metric=w.metric, value=3.5)
    PulseSurvey.objects.create(employee=leaver, answered_at=date(2025, 3, 1), engagement=2,
                               wellbeing=2, enps=3, comment="I am leaving because…")
    Interaction.objects.create(interaction_id="i1", employee=leaver,
                               started_at="2025-03-03T10:00:00Z", period_start="2025-03-03",
                               channel="voice", transcript="Hello, my name is…",
                               customer_sentiment=0.4)
    CoachingSession.objects.create(session_id="s-leaver", employee=leaver,
                                   held_on=date(2025, 3, 2), notes="Private notes")
    AccessLog.objects.create(viewer=w.users["lead"], subject=leaver, what="risk")
    return w


def test_an_admin_erases_a_leaver_through_the_api(world):
    old_id = world.leaver.employee_id
    response = client_for(world.users["admin"]).post(f"/api/agents/{old_id}/erase/")
    assert response.status_code == 200
    assert response.json()["erased_employee_id"] == old_id
    erased = Employee.objects.get(pk=world.leaver.pk)
    assert erased.employee_id.startswith("erased-") and old_id not in erased.employee_id
    assert erased.name == "Erased person" and erased.email == ""
    assert not Employee.objects.filter(employee_id=old_id).exists()
    assert not User.objects.filter(username="leaver-login").exists()
    # the analytics extract stays, under the opaque id
    assert WeeklyPerformance.objects.get(employee=erased).value == 3.5
    pulse = PulseSurvey.objects.get(employee=erased)
    assert pulse.comment == "" and pulse.enps == 3
    interaction = Interaction.objects.get(employee=erased)
    assert interaction.transcript == "" and interaction.customer_sentiment == 0.4
    assert CoachingSession.objects.get(employee=erased).notes == ""
    assert not AccessLog.objects.filter(subject=erased).exists()
    assert ErasureTombstone.objects.get(employee_id=old_id).erased_by == world.users["admin"]
    assert governance.is_erased(old_id)


def test_only_a_leaver_can_be_erased(world):
    response = client_for(world.users["admin"]).post(
        f"/api/agents/{world.a1.employee_id}/erase/")
    assert response.status_code == 400 and "status" in response.json()
    assert not ErasureTombstone.objects.exists()
    assert Employee.objects.get(pk=world.a1.pk).name == world.a1.name


@pytest.mark.parametrize("role", ["ld", "lead", "agent"])
def test_only_an_admin_erases(world, role):
    response = client_for(world.users[role]).post(
        f"/api/agents/{world.leaver.employee_id}/erase/")
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        governance.employee_erase(by_user=world.users[role], employee=world.leaver)
    assert not ErasureTombstone.objects.exists()


def test_erasing_twice_is_refused(world):
    old_id = world.leaver.employee_id
    governance.employee_erase(by_user=world.users["admin"], employee=world.leaver)
    erased = Employee.objects.get(pk=world.leaver.pk)
    with pytest.raises(ValidationError):
        governance.employee_erase(by_user=world.users["admin"], employee=erased)
    assert list(ErasureTombstone.objects.values_list("employee_id", flat=True)) == [old_id]
    response = client_for(world.users["admin"]).post(f"/api/agents/{old_id}/erase/")
    assert response.status_code == 404  # the old id is gone
