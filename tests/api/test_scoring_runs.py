"""scoring-runs/: L&D and admin start a scoring run (recommendations for every agent) as
a job; while one is queued or running a second start is a 409 naming the live job."""

import pytest

from lnd.models import Job
from tests.access.world import build_world
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_a_start_queues_a_recommend_job_to_poll(world):
    client = client_for(world.users["ld"])
    response = client.post("/api/scoring-runs/", {"as_of": "2025-03-31"}, format="json")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.kind, job.state, job.owner) == ("recommend", "queued", world.users["ld"])
    assert job.params == {"as_of": "2025-03-31"}
    assert response["Location"] == f"/api/jobs/{job.pk}/"
    assert client.get(response["Location"]).json()["state"] == "queued"
    assert [j["id"] for j in client.get("/api/scoring-runs/").json()["results"]] == [job.pk]


@pytest.mark.parametrize("live_state", ["queued", "running"])
def test_a_second_start_while_one_is_live_is_a_409_naming_it(world, live_state):
    live = Job.objects.create(kind=Job.Kind.RECOMMEND, state=live_state)
    response = client_for(world.users["admin"]).post("/api/scoring-runs/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["job"] == live.pk
    assert response["Location"] == f"/api/jobs/{live.pk}/"
    assert Job.objects.filter(kind="recommend").count() == 1


def test_a_new_start_is_accepted_once_the_live_one_has_finished(world):
    client = client_for(world.users["ld"])
    first = client.post("/api/scoring-runs/", {}, format="json").json()["id"]
    assert client.post("/api/scoring-runs/", {}, format="json").status_code == 409
    Job.objects.filter(pk=first).update(state=Job.State.FAILED)
    assert client.post("/api/scoring-runs/", {}, format="json").status_code == 202


def test_a_live_training_run_does_not_block_scoring(world):
    Job.objects.create(kind=Job.Kind.TRAIN, state=Job.State.RUNNING)
    response = client_for(world.users["ld"]).post("/api/scoring-runs/", {}, format="json")
    assert response.status_code == 202


def test_a_bad_date_is_a_field_error(world):
    response = client_for(world.users["ld"]).post("/api/scoring-runs/", {"as_of": "tomorrow"},
                                                  format="json")
    assert response.status_code == 400 and "as_of" in response.json()
    assert not Job.objects.filter(kind="recommend").exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_queue_one_job(monkeypatch):
    import threading

    from django.db import connection

    from lnd.services import ml_jobs, scoring_jobs  # noqa: F401 - imported before the threads
    from lnd.tasks import execute_job

    monkeypatch.setattr(execute_job, "delay", lambda job_id: None)  # no worker here
    barrier, outcomes = threading.Barrier(2), []

    def start():
        try:
            barrier.wait()
            outcomes.append(scoring_jobs.scoring_run_start(by_user=None).pk)
        except scoring_jobs.ScoringRunLive as exc:
            outcomes.append(("refused", exc.job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    job = Job.objects.get(kind="recommend")  # exactly one
    assert sorted(outcomes, key=str) == sorted([job.pk, ("refused", job.pk)], key=str)
