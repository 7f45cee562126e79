"""metric-weights/: everyone signed in reads the composite's weights; L&D and admin
replace them all at once, through lnd.services.catalogue.metric_weights_set."""

import pytest

from lnd.models import ChangeLog, Metric, ModelVersion
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    w.objects["aht"] = Metric.objects.create(code="aht", name="Handle time", weight=3,
                                             higher_is_better=False)
    return w


def weights() -> dict:
    return dict(Metric.objects.values_list("code", "weight"))


def test_anyone_signed_in_reads_the_weights_and_their_shares(world):
    response = client_for(world.users["agent"]).get("/api/metric-weights/")
    assert response.status_code == 200
    assert response.json() == {"weights": {"aht": 3.0, "csat": 1.0},
                               "shares": {"aht": 0.75, "csat": 0.25}}


def test_ld_replaces_the_weights_logs_the_change_and_marks_gain_models_stale(world):
    ModelVersion.objects.update(metric_weights={"aht": 3.0, "csat": 1.0}, stale=False)
    response = client_for(world.users["ld"]).put(
        "/api/metric-weights/", {"weights": {"csat": 2, "aht": 0}}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["weights"] == {"aht": 0.0, "csat": 2.0}
    assert response.json()["shares"] == {"aht": 0.0, "csat": 1.0}
    assert weights() == {"aht": 0.0, "csat": 2.0}
    logged = ChangeLog.objects.filter(model="metric", user=world.users["ld"])
    assert sorted(c.changes["weight"] for c in logged) == [[1.0, 2.0], [3.0, 0.0]]
    assert set(ModelVersion.objects.values_list("stale", flat=True)) == {True}


def test_putting_back_the_weights_a_model_was_trained_with_makes_it_fresh(world):
    ModelVersion.objects.update(metric_weights={"aht": 3.0, "csat": 1.0}, stale=True)
    client_for(world.users["admin"]).put(
        "/api/metric-weights/", {"weights": {"csat": 1, "aht": 3}}, format="json")
    assert set(ModelVersion.objects.values_list("stale", flat=True)) == {False}
    assert not ChangeLog.objects.exists()  # nothing changed, nothing logged


@pytest.mark.parametrize(("body", "message"), [
    ({"weights": {"csat": 1}}, "No weight for aht."),
    ({"weights": {"csat": 1, "aht": 1, "nps": 1}}, "Unknown metric nps."),
    ({"weights": {"csat": -1, "aht": 1}}, "csat: a weight is a number of 0 or more."),
    ({"weights": {"csat": 0, "aht": 0}}, "At least one weight must be above 0."),
])
def test_a_bad_set_of_weights_is_refused_whole(world, body, message):
    ModelVersion.objects.update(stale=False)
    before = weights()
    response = client_for(world.users["ld"]).put("/api/metric-weights/", body, format="json")
    assert response.status_code == 400
    assert message in response.json()["weights"]
    assert weights() == before and not ChangeLog.objects.exists()
    assert not ModelVersion.objects.filter(stale=True).exists()


@pytest.mark.parametrize("body", [{}, {"weights": []}, {"weights": {"csat": "lots",
                                                                    "aht": 1}},
                                  {"weights": {"csat": "NaN", "aht": 1}},
                                  {"weights": {"csat": "Infinity", "aht": 1}}])
def test_a_malformed_body_is_a_field_error(world, body):
    response = client_for(world.users["ld"]).put("/api/metric-weights/", body, format="json")
    assert response.status_code == 400 and "weights" in response.json(), response.content
    assert weights() == {"aht": 3.0, "csat": 1.0}


def test_the_service_refuses_non_finite_weights_whatever_the_caller(world):
    from django.core.exceptions import ValidationError

    from lnd.services import catalogue

    with pytest.raises(ValidationError):
        catalogue.metric_weights_set(by_user=world.users["ld"],
                                     weights={"csat": float("nan"), "aht": 1.0})
    with pytest.raises(ValidationError):
        catalogue.metric_set_weight(by_user=world.users["ld"], metric=world.metric,
                                    weight=float("inf"))
    assert weights() == {"aht": 3.0, "csat": 1.0}
