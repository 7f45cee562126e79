import pytest

from lnd.celery import app
from lnd.models import Job
from lnd.tasks import nightly_refresh

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_names_real_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_nightly_refresh_queues_training_scoring_and_the_report_once():
    assert nightly_refresh.apply().get().startswith("queued job")
    kinds = sorted(Job.objects.values_list("kind", flat=True))
    assert kinds == ["report", "train", "train_risk"]
    assert Job.objects.get(kind="train").params["then_score"] is True
    assert nightly_refresh.apply().get() == "training already running"
    assert Job.objects.filter(kind="train").count() == 1


def test_training_then_scoring_respects_a_live_scoring_run(monkeypatch):
    from types import SimpleNamespace

    from lnd.services import job_handlers, ml_jobs

    monkeypatch.setattr(ml_jobs, "gain_model_train", lambda **kw: SimpleNamespace(
        pk=7, status="active", decision="Promoted"))
    live = ml_jobs.recommend_start()
    train = Job.objects.create(kind=Job.Kind.TRAIN, params={"then_score": True})
    out = job_handlers.handle_train(train, lambda *a, **k: None)
    assert Job.objects.filter(kind=Job.Kind.RECOMMEND).count() == 1
    assert f"job {live.pk} is already scoring" in out["message"]

    Job.objects.filter(pk=live.pk).update(state=Job.State.SUCCEEDED)
    job_handlers.handle_train(train, lambda *a, **k: None)
    assert Job.objects.filter(kind=Job.Kind.RECOMMEND).count() == 2
