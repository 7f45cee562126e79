from datetime import timedelta

import pytest
from django.utils import timezone

from lnd.models import Job
from lnd.services import job_handlers, jobs
from lnd.tasks import execute_job

pytestmark = pytest.mark.django_db


def _queued_job(**params) -> Job:
    return Job.objects.create(kind=Job.Kind.IMPORT, params=params)


def test_only_one_worker_can_claim_a_queued_job():
    job = _queued_job()
    assert jobs.job_claim(job_id=job.pk, worker="w1") is True
    assert jobs.job_claim(job_id=job.pk, worker="w2") is False
    job.refresh_from_db()
    assert (job.state, job.worker, job.attempts) == ("running", "w1", 1)


def test_a_job_whose_heartbeat_stopped_can_be_claimed_again():
    job = _queued_job()
    jobs.job_claim(job_id=job.pk, worker="dead")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert jobs.job_claim(job_id=job.pk, worker="alive") is True
    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("alive", 2)


def test_heartbeat_records_progress_and_clamps_it():
    job = _queued_job()
    jobs.job_claim(job_id=job.pk)
    jobs.job_heartbeat(job_id=job.pk, progress=1.7, message="almost")
    job.refresh_from_db()
    assert (job.progress, job.message) == (1.0, "almost")


def test_reaper_requeues_only_stale_running_jobs(django_capture_on_commit_callbacks,
                                                 monkeypatch):
    stale, fresh = _queued_job(), _queued_job()
    for job in (stale, fresh):
        jobs.job_claim(job_id=job.pk)
    Job.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    sent = []
    monkeypatch.setattr(execute_job, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_reap_stale() == [stale.pk]
    assert sent == [stale.pk]
    assert Job.objects.get(pk=fresh.pk).state == "running"


def test_job_is_enqueued_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(execute_job, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.job_create(kind=Job.Kind.IMPORT)
        assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [job.pk]


def test_running_a_job_twice_does_the_work_once(monkeypatch):
    calls = []

    def fake_import(job, progress):
        progress(0.5, "half")
        calls.append(job.pk)
        return {"message": "ok", "result": {"n": 1}}

    monkeypatch.setitem(job_handlers.HANDLERS, Job.Kind.IMPORT, fake_import)
    monkeypatch.setattr("lnd.tasks.HANDLERS", job_handlers.HANDLERS)
    job = _queued_job()
    assert execute_job.apply(args=[job.pk]).get() == "succeeded"
    assert execute_job.apply(args=[job.pk]).get() == "not claimed"
    job.refresh_from_db()
    assert calls == [job.pk]
    assert (job.state, job.progress, job.result) == ("succeeded", 1.0, {"n": 1})


def test_a_crashing_handler_marks_the_job_failed_with_the_error(monkeypatch):
    def broken(job, progress):
        raise ValueError("bad things")

    monkeypatch.setitem(job_handlers.HANDLERS, Job.Kind.IMPORT, broken)
    job = _queued_job()
    assert execute_job.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.state == "failed" and "bad things" in job.error


def test_a_failed_job_can_be_retried(django_capture_on_commit_callbacks, monkeypatch):
    job = _queued_job()
    jobs.job_claim(job_id=job.pk)
    jobs.job_fail(job_id=job.pk, error="boom")
    sent = []
    monkeypatch.setattr(execute_job, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.job_retry(job_id=job.pk) is True
        assert jobs.job_retry(job_id=job.pk) is False
    assert sent == [job.pk]
    assert Job.objects.get(pk=job.pk).state == "queued"
