"""Real worker processes for the services and embedded-worker lanes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from lnd.celery import app as celery_app
from lnd.loadtest import die_with_parent
from lnd.models import Job

ROOT = Path(__file__).resolve().parents[2]


def worker_env() -> dict[str, str]:
    """Point the worker at the test database pytest-django created."""
    db = connection.settings_dict
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/"
                               f"{db['NAME']}")
    return env


def start_worker(log_path: Path, *, concurrency: int = 1, env: dict | None = None):
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lnd", "worker", "--loglevel", "INFO",
         "--concurrency", str(concurrency), "--without-mingle", "--without-gossip",
         "-n", f"test{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env or worker_env(), stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent)  # a killed run leaves no worker
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"worker did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    return proc


def stop_worker(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def worker(transactional_db, tmp_path):
    celery_app.control.purge()
    proc = start_worker(tmp_path / "worker.log")
    yield proc
    stop_worker(proc)


def wait_for_job(job_id: int, *, timeout: float = 120, on_poll=None) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if on_poll:
            on_poll(job)
        if job.is_finished:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still {job.state} after {timeout}s: {job.message}")
