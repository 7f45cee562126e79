"""Starting a scoring run (recommendations for every agent) on request, at most one live
at a time: a second start while one is queued or running is refused and names the live
job, so two clicks or two L&D specialists never score twice at once."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from lnd.models import Job, User

LIVE = [Job.State.QUEUED, Job.State.RUNNING]
_LOCK_KEY = 0x4C4E4453  # "LNDS": the advisory lock that serialises starts on PostgreSQL


class ScoringRunLive(Exception):
    def __init__(self, job: Job):
        super().__init__(f"A scoring run is already queued or running (job {job.pk}).")
        self.job = job


def scoring_run_live() -> Job | None:
    return Job.objects.filter(kind=Job.Kind.RECOMMEND, state__in=LIVE).order_by("pk").first()


def scoring_run_start(*, by_user: User, as_of: date | None = None) -> Job:
    """Queue a scoring job unless one is live (ScoringRunLive names it). The check and
    the insert are one transaction that other starts wait for: SQLite's IMMEDIATE
    transactions take the write lock at the start, PostgreSQL takes an advisory lock
    (there is no unique constraint for scoring jobs as there is for training)."""
    from lnd.services import ml_jobs  # LightGBM and pandas load only when used

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        live = scoring_run_live()
        if live is not None:
            raise ScoringRunLive(live)
        return ml_jobs.recommend_start(by_user=by_user, as_of=as_of)
