"""Every change of a job's state goes through these functions.

A worker claims a job with a conditional UPDATE, so two workers (or a redelivered
message after a crash) never run the same job at once. A job whose heartbeat stopped is
claimable again, and the reaper re-queues it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lnd import conf
from lnd.models import Job

STALE_AFTER = timedelta(seconds=conf.JOB_STALE_SECONDS)


def stale_cutoff() -> datetime:
    """A heartbeat older than this belongs to a worker presumed dead: the one rule for jobs
    and for scoring chunks, read at call time."""
    return timezone.now() - STALE_AFTER
Progress = Callable[[float, str], None]


def job_create(*, kind: str, owner=None, params: dict | None = None) -> Job:
    """Create a job and queue it once the surrounding transaction commits."""
    job = Job.objects.create(kind=kind, owner=owner, params=params or {})
    job_enqueue(job_id=job.pk)
    return job


def job_enqueue(*, job_id: int) -> None:
    from lnd.tasks import execute_job

    transaction.on_commit(lambda: execute_job.delay(job_id))


def job_claim(*, job_id: int, worker: str | None = None) -> bool:
    """Take the job if it is queued or its runner stopped heart-beating."""
    now = timezone.now()
    claimable = Q(state=Job.State.QUEUED) | Q(
        state=Job.State.RUNNING, heartbeat_at__lt=stale_cutoff())
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now, finished_at=None,
        attempts=F("attempts") + 1, worker=worker or _worker_name(), error="")
    return claimed == 1


def job_heartbeat(*, job_id: int, progress: float, message: str = "") -> None:
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
        progress=min(max(progress, 0.0), 1.0), message=message[:500],
        heartbeat_at=timezone.now())


def job_progress_callback(job_id: int) -> Progress:
    def report(fraction: float, message: str = "") -> None:
        job_heartbeat(job_id=job_id, progress=fraction, message=message)

    return report


def job_succeed(*, job_id: int, result: dict | None = None, message: str = "Done") -> None:
    Job.objects.filter(pk=job_id).update(
        state=Job.State.SUCCEEDED, progress=1.0, message=message[:500], result=result or {},
        finished_at=timezone.now(), heartbeat_at=timezone.now())


def job_fail(*, job_id: int, error: str, result: dict | None = None) -> None:
    Job.objects.filter(pk=job_id).update(
        state=Job.State.FAILED, error=error, message="Failed", result=result or {},
        finished_at=timezone.now())


def job_retry(*, job_id: int) -> bool:
    """Put a failed job back in the queue (a person pressed 'retry')."""
    with transaction.atomic():
        retried = Job.objects.filter(pk=job_id, state=Job.State.FAILED).update(
            state=Job.State.QUEUED, progress=0, message="Queued again", error="")
        if retried:
            job_enqueue(job_id=job_id)
    return retried == 1


def jobs_reap_stale() -> list[int]:
    """Re-queue running jobs whose worker died (heartbeat stopped)."""
    cutoff = stale_cutoff()
    stale_ids = list(Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff)
                     .values_list("pk", flat=True))
    requeued = []
    for job_id in stale_ids:
        with transaction.atomic():
            if Job.objects.filter(pk=job_id, state=Job.State.RUNNING,
                                  heartbeat_at__lt=cutoff).update(
                    state=Job.State.QUEUED, message="Re-queued: worker stopped responding"):
                job_enqueue(job_id=job_id)
                requeued.append(job_id)
    return requeued


def _worker_name() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"
