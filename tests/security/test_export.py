"""GET /api/me/export/: everything held about the caller, and only about the caller."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from lnd.models import Employee
from lnd.services.personal_export import covered_foreign_keys
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


def foreign_keys_to_employee() -> set[tuple[str, str]]:
    found = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.ForeignKey | models.OneToOneField) and \
                    f.related_model is Employee and f.concrete:
                found.add((model._meta.label, f.name))
    return found


def test_every_foreign_key_to_an_employee_is_in_the_export():
    missing = foreign_keys_to_employee() - covered_foreign_keys()
    assert not missing, f"Add these to lnd.services.personal_export.SECTIONS: {sorted(missing)}"


def test_the_export_holds_the_callers_data_and_no_one_elses():
    world = build_world()
    client_for(world.users["lead"]).get(f"/api/agents/{world.a1.employee_id}/risk/")
    response = client_for(world.users["agent"]).get("/api/me/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["profile"]["employee_id"] == world.a1.employee_id
    assert data["account"][0]["username"] == world.users["agent"].username
    assert "password" not in str(data["account"])
    assert len(data["assignments"]) == 1 and len(data["completions"]) == 1
    assert data["coaching_sessions"][0]["notes"] == "Practised de-escalation"
    assert len(data["performance"]) == 1 and len(data["risk_scores"]) == 1
    assert data["access_log"][0]["what"] == "risk"
    assert {r["employee_id"] for r in data["recommendations"]} == {world.a1.pk}
    a2 = world.a2.employee_id
    assert a2 not in response.content.decode()


def test_a_lead_exports_sessions_they_coached_without_the_agents_notes():
    world = build_world()
    data = client_for(world.users["lead"]).get("/api/me/export/").json()
    assert data["coaching_sessions_given"] == [{"session_id": "s1",
                                                "held_on": "2025-03-04"}]
    assert "de-escalation" not in str(data)
