"""Faults with real processes: workers killed with SIGKILL mid-run, Redis restarted
mid-run, two training runs at once. After each, the work completes, exactly one run is
current, nothing is duplicated and nothing is lost.

Runs on a private redis-server (another port) so stopping it disturbs nothing else."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from lnd.celery import app as celery_app
from lnd.loadtest import die_with_parent, free_port
from lnd.models import (
    Employee,
    Job,
    Recommendation,
    RecommendationRun,
    ScoringChunk,
    WeeklyPerformance,
)
from lnd.services import jobs, ml_jobs
from lnd.services.jobs import job_create
from recommender.simulation import simulate

from .conftest import start_worker, stop_worker, worker_env
from .test_import_through_worker import write_centre

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
STALE_SECONDS = 8


@pytest.fixture
def short_staleness(monkeypatch):
    """Take over a silent job or chunk after seconds, not minutes."""
    monkeypatch.setattr(jobs, "STALE_AFTER", timedelta(seconds=STALE_SECONDS))


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (.ci/run installs it)")
    port = free_port()  # fresh per test: nothing left over from another run finds it
    url = f"redis://127.0.0.1:{port}/0"
    proc = _start_redis(tmp_path, port)
    with _broker(url):
        yield {"url": url, "proc": proc, "dir": tmp_path, "port": port}
    for p in (proc, *getattr(proc, "restarts", [])):
        p.terminate()
        p.wait(timeout=10)


def _start_redis(folder: Path, port: int):
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, preexec_fn=die_with_parent)
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                          text=True).stdout.strip() == "PONG":
            return proc
        time.sleep(0.05)
    raise RuntimeError("private redis-server did not start")


@contextmanager
def _broker(url: str):
    """Point this process's Celery app (the producer) at the private broker. Celery reads
    CELERY_BROKER_URL from the environment before its own configuration."""
    old = os.environ.get("CELERY_BROKER_URL", celery_app.conf.broker_url)

    def switch(to: str) -> None:
        os.environ["CELERY_BROKER_URL"] = to
        celery_app.conf.broker_url = to
        celery_app._pool = None  # connection and producer pools are rebuilt lazily
        celery_app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(old)


def _worker(path: Path, env: dict):
    _LOGS.append(path)
    return start_worker(path, env=env)


def _env(redis) -> dict:
    return {**worker_env(), "CELERY_BROKER_URL": redis["url"],
            "LND_JOB_STALE_SECONDS": str(STALE_SECONDS), "LND_SCORING_CHUNK_AGENTS": "15"}


def _kill_and_finish_elsewhere(victim, job: Job, env: dict, tmp_path: Path) -> Job:
    """SIGKILL the worker running `job`, start another, let the reaper hand it over."""
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    survivor = _worker(tmp_path / "survivor.log", env)
    try:
        return _reap_until_finished(job.pk)
    finally:
        stop_worker(survivor)


def _reap_until_finished(job_id: int, timeout: float = 240) -> Job:
    """Beat's reaper, run from here so the test controls its pace."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        jobs.jobs_reap_stale()
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish: {Job.objects.get(pk=job_id).message}")


@pytest.fixture
def centre_in_db(tmp_path, short_staleness):
    folder = tmp_path / "centre"
    simulate(folder, n_agents=120, weeks=30, seed=21)
    with open(os.devnull, "w") as quiet:
        call_command("import_data", str(folder), stdout=quiet, stderr=quiet)
    return folder


def _assert_one_complete_run_with_every_agent_once(run_id: int) -> None:
    assert list(RecommendationRun.objects.filter(is_current=True).values_list(
        "pk", flat=True)) == [run_id]
    recs = list(Recommendation.objects.filter(run_id=run_id).values_list(
        "employee__employee_id", "rank", "item__code"))
    assert recs and len(recs) == len({(e, r) for e, r, _ in recs})  # no duplicates
    assert set(ScoringChunk.objects.filter(run_id=run_id).values_list(
        "state", flat=True)) == {"done"}
    # Nothing lost: an uninterrupted pass scores the same agents.
    reference = ml_jobs.recommendations_score()
    assert {e for e, _, _ in recs} == set(Recommendation.objects.filter(
        run=reference).values_list("employee__employee_id", flat=True))


def test_scoring_survives_a_worker_killed_mid_run(private_redis, centre_in_db, tmp_path):
    env = _env(private_redis)
    victim = _worker(tmp_path / "victim.log", env)
    job = job_create(kind=Job.Kind.RECOMMEND)
    _wait(lambda: ScoringChunk.objects.filter(state="done").exists(), "a chunk to finish",
          timeout=60)
    assert ScoringChunk.objects.exclude(state="done").exists(), "run finished too soon"
    job = _kill_and_finish_elsewhere(victim, job, env, tmp_path)
    assert job.state == "succeeded", job.error
    _assert_one_complete_run_with_every_agent_once(job.result["run"])


def test_import_survives_a_worker_killed_mid_file(private_redis, tmp_path, short_staleness):
    n_perf = write_centre(tmp_path / "big", agents=800, weeks=52)
    env = _env(private_redis)
    victim = _worker(tmp_path / "victim.log", env)
    job = job_create(kind=Job.Kind.IMPORT, params={"path": str(tmp_path / "big")})
    _wait(lambda: "importing performance" in Job.objects.get(pk=job.pk).message,
          "the import to reach performance.csv")
    job = _kill_and_finish_elsewhere(victim, job, env, tmp_path)
    assert job.state == "succeeded", job.error
    assert job.attempts >= 2
    assert WeeklyPerformance.objects.count() == n_perf
    assert Employee.objects.count() == 800
    assert job.file_reports.filter(file_name="performance.csv").count() == 1


def test_scoring_completes_when_redis_restarts_mid_run(private_redis, centre_in_db,
                                                        tmp_path):
    env = _env(private_redis)
    worker = _worker(tmp_path / "worker.log", env)
    try:
        job = job_create(kind=Job.Kind.RECOMMEND)
        _wait(lambda: ScoringChunk.objects.filter(state="done").exists(), "a chunk")
        private_redis["proc"].terminate()
        private_redis["proc"].wait()
        time.sleep(1)
        private_redis["proc"].restarts = [_start_redis(private_redis["dir"],
                                                       private_redis["port"])]
        job = _reap_until_finished(job.pk)
    finally:
        stop_worker(worker)
    assert job.state == "succeeded", job.error
    _assert_one_complete_run_with_every_agent_once(job.result["run"])


def test_two_training_runs_started_at_once_one_is_refused():
    outcomes, barrier = [], threading.Barrier(2)

    def start():
        barrier.wait()
        try:
            ml_jobs.train_start()
            outcomes.append("queued")
        except ml_jobs.AlreadyRunning:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["queued", "refused"]
    assert Job.objects.filter(kind="train").count() == 1


def _wait(condition, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            jobs_now = list(Job.objects.values_list("kind", "state", "message", "error"))
            logs = {p.name: p.read_text()[-3000:] for p in _LOGS}
            raise AssertionError(f"timed out waiting for {what}; jobs: {jobs_now}; "
                                 f"logs: {logs}")
        time.sleep(0.05)


_LOGS: list[Path] = []
