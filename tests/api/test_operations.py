import io
import zipfile

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from lnd.models import Job, ModelVersion
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def a_zip(name="data.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("skills.csv", "skill_code,name,category,description\nx,X,,\n")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_an_upload_queues_an_import_job_and_its_rows_errors_can_be_polled(world):
    client = client_for(world.users["ld"])
    response = client.post("/api/imports/", {"file": a_zip()}, format="multipart")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.kind == "import" and job.owner == world.users["ld"]
    polled = client.get(f"/api/imports/{world.import_job.pk}/").json()
    assert polled["state"] == "failed"
    assert polled["file_reports"][0]["errors"] == ["agents.csv:3: email: not an email"]


def test_an_upload_that_is_not_a_zip_gets_a_field_error(world):
    response = client_for(world.users["ld"]).post(
        "/api/imports/", {"file": a_zip("data.csv")}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_a_second_training_run_is_refused_while_one_is_live(world):
    client = client_for(world.users["ld"])
    assert client.post("/api/training-runs/", {}, format="json").status_code == 202
    assert client.post("/api/training-runs/", {}, format="json").status_code == 409
    assert Job.objects.filter(kind="train", state="queued").count() == 1


def test_rollback_makes_the_older_model_active(world):
    response = client_for(world.users["ld"]).post(
        f"/api/model-versions/{world.old_model.pk}/rollback/")
    assert response.status_code == 200 and response.json()["status"] == "active"
    world.model.refresh_from_db()
    assert world.model.status == ModelVersion.Status.RETIRED
    assert world.users["ld"].username in response.json()["decision"]


def test_the_latest_report_of_a_kind_is_served(world):
    client = client_for(world.users["ld"])
    assert client.get("/api/reports/").json() == [
        {"kind": "roi", "data_version": "v1", "created_at": pytest.approx(
            client.get("/api/reports/").json()[0]["created_at"])}]
    assert client.get("/api/reports/roi/").json()["payload"] == {"total": 1}
    assert client.get("/api/reports/nothing/").status_code == 404


def test_token_requests_are_throttled(world, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**SimpleRateThrottle.THROTTLE_RATES, "auth": "2/min"})
    client = APIClient()
    body = {"username": world.users["agent"].username, "password": "pw-test-1"}
    statuses = [client.post("/api/auth/token/", body, format="json").status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
