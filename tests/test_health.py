import pytest

from lnd import health
from lnd.models import ModelVersion

pytestmark = pytest.mark.django_db


def test_health_is_ok_with_database_broker_and_no_model(client):
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]
    assert "skill-gap rule" in body["checks"]["models"]["detail"]


def test_health_fails_when_an_active_models_artifact_is_missing(client):
    ModelVersion.objects.create(kind="gain", status="active", as_of="2025-01-06",
                                artifact_path="/nonexistent/model", artifact_sha256="0" * 64)
    response = client.get("/health/")
    assert response.status_code == 503
    assert "artifact missing" in response.json()["checks"]["models"]["detail"]


def test_health_reports_a_broken_broker_as_503(client, monkeypatch):
    def broken():
        raise ConnectionError("broker down")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False,
                                                   "detail": "ConnectionError: broker down"}
