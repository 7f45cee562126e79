"""Pulse answers are seen by the agent alone: /api/me/pulse/ and the agent's own export
are the only places they appear. Every GET in the access table, for every caller, is
searched for the answer's comment and its field names."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from lnd.models import AccessLog, PulseSurvey
from lnd.services.exports import recommendations_write_csv
from tests.access.api_table import API_ROWS
from tests.access.world import build_world

pytestmark = pytest.mark.django_db
MARK = "SECRET-PULSE-COMMENT"
OWN_ONLY = {"me-pulse", "me-export"}
PULSE_FIELDS = ('"wellbeing"', '"enps"', '"engagement"')


def test_no_api_response_but_the_agents_own_shows_a_pulse_answer():
    world = build_world()
    assert PulseSurvey.objects.filter(comment=MARK).exists()
    client = APIClient()
    leaks = []
    for row in (r for r in API_ROWS if r.method == "GET"):
        url = reverse(row.name, kwargs=row.kwargs(world))
        for role, user in world.users.items():
            client.logout()
            client.force_login(user)
            text = client.get(url).content.decode(errors="replace")
            own = role == "agent" and row.name in OWN_ONLY
            if not own and (MARK in text or any(f in text for f in PULSE_FIELDS)):
                leaks.append((role, url))
    assert not leaks


def test_the_agent_sees_their_own_answers():
    world = build_world()
    client = APIClient()
    client.force_login(world.users["agent"])
    (answer,) = client.get("/api/me/pulse/").json()
    assert answer["comment"] == MARK and answer["wellbeing"] == 2
    assert client.get("/api/me/export/").json()["pulse_surveys"][0]["comment"] == MARK
    client.force_login(world.users["other_agent"])
    assert client.get("/api/me/pulse/").json() == []


def test_the_recommendations_export_holds_no_pulse_answer():
    build_world()
    out = io.StringIO()
    recommendations_write_csv(out)
    assert MARK not in out.getvalue() and "wellbeing" not in out.getvalue()


def test_pulse_is_not_a_category_anyone_can_be_logged_reading():
    assert "pulse" not in AccessLog.What.values  # nobody else ever reads it
