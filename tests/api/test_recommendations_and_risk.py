import pytest

from lnd.models import AccessLog, RecommendationFeedback
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def recs_url(world):
    return f"/api/agents/{world.a1.employee_id}/recommendations/"


def test_recommendations_are_labelled_as_advice(world):
    response = client_for(world.users["agent"]).get(recs_url(world))
    assert response.status_code == 200
    body = response.json()
    assert body["advice"] is True and "Advice only" in body["notice"]
    assert response["X-Advice"].startswith("recommendation")
    (rec,) = body["results"]
    assert rec["item_code"] == world.item3.code and rec["rank"] == 1
    assert rec["reasons"] == ["Your CSAT trails the team."]


def test_the_agent_dismisses_with_a_reason_and_gets_field_errors_without_one(world):
    client = client_for(world.users["agent"])
    url = recs_url(world) + f"{world.recommendation.pk}/feedback/"
    missing = client.post(url, {"action": "dismissed"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    rating = client.post(url, {"action": "rated", "rating": 9}, format="json")
    assert rating.status_code == 400 and "rating" in rating.json()
    ok = client.post(url, {"action": "dismissed", "reason": "Did it last year"}, format="json")
    assert ok.status_code == 201
    assert RecommendationFeedback.objects.get().reason == "Did it last year"


def test_accepting_a_recommendation_opens_a_self_assignment(world):
    url = recs_url(world) + f"{world.recommendation.pk}/feedback/"
    assert client_for(world.users["agent"]).post(
        url, {"action": "accepted"}, format="json").status_code == 201
    mine = client_for(world.users["agent"]).get("/api/assignments/?item=" + world.item3.code)
    assert mine.json()["count"] == 1


def test_a_lead_cannot_act_for_the_agent(world):
    url = recs_url(world) + f"{world.recommendation.pk}/feedback/"
    response = client_for(world.users["lead"]).post(url, {"action": "accepted"}, format="json")
    assert response.status_code == 403


def test_risk_is_for_the_lead_of_the_team_and_ld_never_the_agent(world):
    risk = f"/api/agents/{world.a1.employee_id}/risk/"
    assert client_for(world.users["agent"]).get(risk).status_code == 403
    assert client_for(world.users["admin"]).get(risk).status_code == 403
    lead = client_for(world.users["lead"]).get(risk)
    assert lead.status_code == 200 and lead.json()["risk_90d"] == pytest.approx(0.41)
    assert "X-Advice" in lead
    listed = client_for(world.users["lead"]).get("/api/risk/").json()["results"]
    assert [r["employee_id"] for r in listed] == [world.a1.employee_id, world.a2.employee_id]
    everyone = client_for(world.users["ld"]).get("/api/risk/?min_risk=0.2").json()["results"]
    assert {r["employee_id"] for r in everyone} == {world.a1.employee_id,
                                                    world.b1.employee_id}


def test_reads_by_others_are_logged_without_values_and_own_reads_are_not(world):
    client_for(world.users["agent"]).get(recs_url(world))
    assert not AccessLog.objects.exists()
    client_for(world.users["lead"]).get(recs_url(world))
    client_for(world.users["lead"]).get(f"/api/agents/{world.a1.employee_id}/risk/")
    client_for(world.users["ld"]).get(f"/api/agents/{world.a1.employee_id}/performance/")
    client_for(world.users["lead"]).get("/api/risk/")
    rows = set(AccessLog.objects.filter(subject=world.a1).values_list("viewer__username",
                                                                      "what"))
    assert rows == {(world.users["lead"].username, "recommendations"),
                    (world.users["lead"].username, "risk"),
                    (world.users["ld"].username, "performance")}
    assert AccessLog.objects.filter(subject=world.a2, what="risk").count() == 1
    field_names = {f.name for f in AccessLog._meta.get_fields()}
    assert field_names == {"id", "viewer", "subject", "what", "via", "at"}  # no values


def test_the_agent_sees_who_looked(world):
    client_for(world.users["lead"]).get(f"/api/agents/{world.a1.employee_id}/risk/")
    log = client_for(world.users["agent"]).get("/api/me/access-log/").json()["results"]
    assert [(r["viewer"], r["what"]) for r in log] == [(world.users["lead"].username, "risk")]
    assert client_for(world.users["other_agent"]).get(
        "/api/me/access-log/").json()["results"] == []
