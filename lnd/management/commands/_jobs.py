"""Commands run the same job code the workers run: inline by default, or --queue."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from lnd.models import Job
from lnd.services import jobs
from lnd.services.job_handlers import HANDLERS, PermanentJobError


def parse_as_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def run_job_inline(job: Job, stdout) -> Job:
    """Claim and run a job in this process, printing progress; raise on failure."""
    if not jobs.job_claim(job_id=job.pk, worker="manage.py"):
        raise CommandError(f"Job {job.pk} is already being run.")
    last = [-1]

    def progress(fraction: float, message: str = "") -> None:
        jobs.job_heartbeat(job_id=job.pk, progress=fraction, message=message)
        if int(fraction * 10) != last[0]:
            last[0] = int(fraction * 10)
            stdout.write(f"  {fraction:4.0%} {message}")

    try:
        outcome = HANDLERS[job.kind](job, progress)
    except PermanentJobError as exc:
        jobs.job_fail(job_id=job.pk, error=str(exc), result=exc.result)
        raise CommandError(str(exc)) from exc
    except Exception as exc:
        jobs.job_fail(job_id=job.pk, error=f"{exc.__class__.__name__}: {exc}")
        raise
    jobs.job_succeed(job_id=job.pk, result=outcome.get("result"), message=outcome["message"])
    job.refresh_from_db()
    return job
