"""Celery tasks: thin wrappers that take ids and call services."""

from __future__ import annotations

import logging
import os
import socket
import traceback

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction

from lnd.models import Job
from lnd.services import jobs
from lnd.services.job_handlers import HANDLERS, PermanentJobError

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, autoretry_for=(ConnectionError,),
             retry_backoff=True, retry_backoff_max=120)
def execute_job(self, job_id: int) -> str:
    if not jobs.job_claim(job_id=job_id, worker=self.request.hostname):
        return "not claimed"  # finished, or another worker has it
    job = Job.objects.get(pk=job_id)
    try:
        result = HANDLERS[job.kind](job, jobs.job_progress_callback(job_id))
    except (PermanentJobError, SoftTimeLimitExceeded) as exc:
        jobs.job_fail(job_id=job_id, error=str(exc) or exc.__class__.__name__,
                      result=getattr(exc, "result", None))
        return "failed"
    except ConnectionError:
        # Transient (database or broker hiccup): give the job back and let Celery retry.
        Job.objects.filter(pk=job_id).update(state=Job.State.QUEUED)
        raise
    except Exception:
        log.exception("job %s crashed", job_id)
        jobs.job_fail(job_id=job_id, error=traceback.format_exc(limit=5))
        return "failed"
    jobs.job_succeed(job_id=job_id, result=result.get("result"), message=result["message"])
    return "succeeded"


@shared_task
def reap_stale_jobs() -> list[int]:
    return jobs.jobs_reap_stale()


@shared_task
def nightly_refresh() -> str:
    """Retrain both models, then score with whichever are active afterwards, and refresh
    the retention report."""
    from lnd.models import Job
    from lnd.services.jobs import job_create
    from lnd.services.ml_jobs import AlreadyRunning, train_start

    try:
        job = train_start(then_score=True)
    except AlreadyRunning:
        return "training already running"
    try:
        with transaction.atomic():
            job_create(kind=Job.Kind.TRAIN_RISK, params={"then_score": True})
    except IntegrityError:
        pass  # a risk training run is already live; it will score when done
    job_create(kind=Job.Kind.REPORT)
    return f"queued job {job.pk}"


@shared_task(acks_late=True)
def score_chunks(run_id: int) -> int:
    """Help a scoring run: claim and score its chunks until none is left."""
    from lnd.models import RecommendationRun
    from lnd.services.ml_jobs import chunks_score

    run = RecommendationRun.objects.filter(pk=run_id, status="building").first()
    if run is None:
        return 0
    return chunks_score(run=run, worker=f"{socket.gethostname()}:{os.getpid()}:helper")


@shared_task
def enforce_retention_periods() -> dict[str, int]:
    """Delete or blank personal data past its retention period (settings)."""
    from django.utils import timezone

    from lnd.services.governance import retention_enforce

    return retention_enforce(today=timezone.now().date())
